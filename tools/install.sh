#!/usr/bin/env bash
# Install mmhad and its OpenMMLab stack into the active Python interpreter.
#
#   bash tools/install.sh            # runtime + mmhad (editable)
#   bash tools/install.sh --tests    # ... plus the test requirements
#
# Order matters: torch must be importable before mmcv is compiled against it,
# and mmcv must be installed before mmseg/mmpretrain, otherwise pip tries to
# build mmcv itself in an isolated environment without torch.
set -euo pipefail

PY=${PYTHON:-python}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WITH_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --tests) WITH_TESTS=1 ;;
    *) echo "unknown argument: $arg (expected --tests)" >&2; exit 2 ;;
  esac
done

log() { echo "[mmhad install] $*"; }
pip_install() { "$PY" -m pip install --disable-pip-version-check "$@"; }

cd "$ROOT"

if "$PY" -c "import torch, torchvision" >/dev/null 2>&1; then
  log "torch $("$PY" -c 'import torch; print(torch.__version__)') already present"
else
  # The registry's default build; TORCH_SPEC pins another one if needed.
  log "installing ${TORCH_SPEC:-torch torchvision}"
  # shellcheck disable=SC2086
  pip_install ${TORCH_SPEC:-torch torchvision}
fi

pip_install -r requirements/build.txt
pip_install "mmengine==0.10.7"

mmcv_ok() { "$PY" -c "import mmcv, mmcv._ext; assert mmcv.__version__ == '2.1.0'" >/dev/null 2>&1; }
build_mmcv() {
  log "building mmcv 2.1.0 with compiled ops (about 10 minutes on 2 cores, cached afterwards) $*"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    pip_install --no-build-isolation "$@" -r requirements/mmcv.txt
}
if mmcv_ok; then
  log "mmcv 2.1.0 with ops already present"
else
  build_mmcv
  if ! mmcv_ok; then
    # A wheel cached for another torch build links but fails to load.
    log "cached mmcv wheel does not load; rebuilding without the pip cache"
    build_mmcv --no-cache-dir --force-reinstall --no-deps
  fi
fi

pip_install -r requirements/runtime.txt
if [ "$WITH_TESTS" = 1 ]; then
  pip_install -r requirements/tests.txt
fi
pip_install --no-build-isolation --no-deps -e .

"$PY" - <<'PY'
import mmcv, mmcv._ext, mmengine, mmseg, mmseg.models, mmpretrain, mmpretrain.models, torch
import mmhad
print(f'[mmhad install] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmseg {mmseg.__version__}, '
      f'mmpretrain {mmpretrain.__version__}, mmhad {mmhad.__version__}')
PY
