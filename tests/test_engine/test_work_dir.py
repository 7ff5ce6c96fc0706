"""A new run never replaces an earlier run's files."""
import pytest

from mmhad.engine import check_new_run


def test_new_run_into_an_empty_or_missing_dir_is_allowed(tmp_path):
    check_new_run(str(tmp_path))
    check_new_run(str(tmp_path / 'not_yet'))
    (tmp_path / 'notes.txt').write_text('not a run file')
    check_new_run(str(tmp_path))


def test_new_run_over_an_earlier_run_is_refused_or_moved_aside(tmp_path):
    (tmp_path / 'phase_1_semantic.pth').write_bytes(b'weights')
    (tmp_path / 'lifelong_results.json').write_text('{}')
    (tmp_path / '20261124_081601').mkdir()  # the earlier run's logs
    with pytest.raises(FileExistsError,
                       match='lifelong_results.json, phase_1_semantic.pth'):
        check_new_run(str(tmp_path))
    assert (tmp_path / 'phase_1_semantic.pth').read_bytes() == b'weights'
    check_new_run(str(tmp_path), overwrite=True)
    backup, = tmp_path.glob('replaced_*')
    assert sorted(p.name for p in tmp_path.iterdir()) == [backup.name]
    assert (backup / 'phase_1_semantic.pth').read_bytes() == b'weights'
    assert (backup / '20261124_081601').is_dir()
    check_new_run(str(tmp_path))  # nothing left to protect
