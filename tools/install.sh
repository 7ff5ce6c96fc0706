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

# mmcv 2.1.0 ships no wheel for current torch, so it is compiled here.
# Its setup.py asks for -std=c++17, but torch >= 2.10 headers need C++20:
# the flag is patched in the unpacked sdist. The wheel is kept per torch
# version, so later installs take seconds.
TORCH_VERSION=$("$PY" -c 'import torch; print(torch.__version__)')
WHEEL_DIR=${MMHAD_WHEEL_CACHE:-$HOME/.cache/mmhad/wheels}/torch-$TORCH_VERSION
build_mmcv_wheel() {
  local src
  src=$(mktemp -d)
  log "building mmcv 2.1.0 with compiled ops against torch $TORCH_VERSION" \
      "(about 20 minutes on 2 cores, once; cached in $WHEEL_DIR)"
  "$PY" -m pip download --disable-pip-version-check --no-deps \
    --no-binary :all: --no-build-isolation -d "$src" -r requirements/mmcv.txt
  tar -xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
  sed -i 's/std=c++17/std=c++20/g' "$src"/mmcv-2.1.0/setup.py
  mkdir -p "$WHEEL_DIR"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "$PY" -m pip wheel \
    --disable-pip-version-check --no-build-isolation --no-deps \
    -w "$WHEEL_DIR" "$src"/mmcv-2.1.0
  rm -rf "$src"
}
install_mmcv_wheel() {
  pip_install --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-2.1.0-*.whl
  # mmcv's own dependencies (addict, yapf, opencv ...), without touching torch
  pip_install "$(ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl)"
}
if mmcv_ok; then
  log "mmcv 2.1.0 with ops already present"
else
  ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1 || build_mmcv_wheel
  install_mmcv_wheel
  if ! mmcv_ok; then
    # A cached wheel built for another ABI links but fails to load.
    log "cached mmcv wheel does not load; rebuilding it"
    rm -f "$WHEEL_DIR"/mmcv-2.1.0-*.whl
    build_mmcv_wheel
    install_mmcv_wheel
  fi
  mmcv_ok || { echo "[mmhad install] mmcv._ext does not import" >&2; exit 1; }
fi

pip_install -r requirements/runtime.txt
if [ "$WITH_TESTS" = 1 ]; then
  pip_install -r requirements/tests.txt
  pip_install -r requirements/docs.txt
fi
pip_install --no-build-isolation --no-deps -e .

"$PY" - <<'PY'
import mmcv, mmcv._ext, mmengine, mmseg, mmseg.models, mmpretrain, mmpretrain.models, torch
import mmhad
print(f'[mmhad install] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmseg {mmseg.__version__}, '
      f'mmpretrain {mmpretrain.__version__}, mmhad {mmhad.__version__}')
PY
