"""Run a study: methods x seeds x task orders x benchmarks x regimes.

Examples::

    # what would run, and what has run already
    python tools/study.py configs/studies/comparison_rooms.py --dry-run
    # on this machine: 2 runs side by side, 1 thread each
    python tools/study.py configs/studies/comparison_rooms.py \\
        --workers 2 --threads 1
    # killed? the same command continues the unfinished runs from their
    # checkpoints (--restart starts them over)
    python tools/study.py configs/studies/comparison_rooms.py
    # on a Slurm cluster (submitit job arrays); re-run to collect, resubmit
    # failed runs and report
    python tools/study.py configs/studies/heldout.py --launcher slurm \\
        --partition cpu --time 60

Runs go to ``<work-dir>/<study>/<benchmark>/<regime>/<order>/<method>/
seed<s>``; finished runs are skipped, unfinished ones continue from their
last checkpoint. One launcher per study at a time (a second one is
refused, naming the first). The report (``report.md``,
``report.csv``, ``report.json``, ``pairs.csv`` and the plots) is written
into ``<work-dir>/<study>/`` after every launch. See
docs/en/user_guides/studies.md.
"""
import argparse
import sys

from mmengine.config import DictAction

from mmhad.study import default_workers_threads, load_study, train_command


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Run a lifelong study (methods x seeds x task orders x '
        'benchmarks x regimes) and report it')
    parser.add_argument('config', help='study config (configs/studies/)')
    parser.add_argument('--launcher', choices=['local', 'slurm'],
                        default='local')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the runs and their state; run nothing')
    parser.add_argument('--commands', action='store_true',
                        help='with --dry-run: print every run\'s command')
    parser.add_argument('--restart', action='store_true',
                        help='start unfinished runs over (their files are '
                        'moved to replaced_<time>/ in their work dir); by '
                        'default they continue from their last checkpoint '
                        '(the train tool\'s --resume)')
    parser.add_argument('--resume', action='store_true',
                        help='the default (kept for old command lines)')
    parser.add_argument('--rerun-stale', action='store_true',
                        help='train again the finished runs whose config '
                        'changed since they ran (their files are moved to '
                        'replaced_<time>/); without it the report leaves '
                        'them out')
    parser.add_argument('--work-dir', default='work_dirs/studies',
                        help='runs go to <work-dir>/<run name>')
    parser.add_argument('--workers', type=int,
                        help='local: runs side by side (default: CPUs / '
                        'threads)')
    parser.add_argument('--threads', type=int,
                        help='threads per run (default 1)')
    parser.add_argument('--select', nargs='+', default=[],
                        metavar='PATTERN',
                        help='only the runs whose names match one of these '
                        'shell patterns, e.g. "*/HAD/*"')
    parser.add_argument('--report-only', action='store_true',
                        help='write the report of the finished runs; run '
                        'nothing')
    parser.add_argument('--no-report', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override study settings, e.g. seeds=[0] '
                        'orders=all')
    slurm = parser.add_argument_group(
        'slurm launcher', 'these win over the study config\'s slurm block; '
        '--threads is also the CPUs each task asks for')
    slurm.add_argument('--partition')
    slurm.add_argument('--account')
    slurm.add_argument('--qos')
    slurm.add_argument('--mem', help='memory per node, e.g. 16GB')
    slurm.add_argument('--gpus', type=int, help='GPUs per task')
    slurm.add_argument('--time', type=int, help='minutes per task')
    slurm.add_argument('--max-array-size', type=int,
                       help='tasks per job array (Slurm\'s MaxArraySize is '
                       '1001 by default; default 1000)')
    slurm.add_argument('--cancel', action='store_true',
                       help='scancel the study\'s queued and running jobs '
                       '(of the selected runs)')
    slurm.add_argument('--array-parallelism', type=int,
                       help='tasks of the array running at once')
    slurm.add_argument('--max-attempts', type=int,
                       help='jobs per run before it counts as failed '
                       '(default 3)')
    slurm.add_argument('--wait', action='store_true',
                       help='stay until every run has finished or failed '
                       'for good (resubmitting failed ones)')
    slurm.add_argument('--poll', type=float, default=30.0,
                       help='seconds between looks at the queue with --wait')
    return parser.parse_args(argv)


def print_plan(study, runs, args, workers, threads) -> bool:
    """The runs, their states and the launcher's settings; ``False``
    when a setting is refused."""
    from mmhad.study.fingerprint import stale_runs
    from mmhad.study.run import FINISHED, NEW, run_state
    resume = not args.restart
    print(f'study {study.name} ({args.config}): {len(study.runs)} runs')
    for line in study.shape():
        print(f'  {line}')
    print(f'work dir: {study.root}')
    states = {r.name: run_state(r.work_dir) for r in runs}
    count = {s: sum(v == s for v in states.values())
             for s in (FINISHED, 'started', NEW)}
    again = 'resumed' if resume else 'started again'
    stale = stale_runs([r for r in runs if states[r.name] == FINISHED])
    print(f'selected: {len(runs)} runs: {count[FINISHED]} finished '
          f'(skipped), {count["started"]} started earlier ({again}), '
          f'{count[NEW]} new')
    if stale:
        what = ('trained again' if args.rerun_stale else
                'left out of the report; --rerun-stale trains them again')
        print(f'{len(stale)} finished run(s) were trained with another '
              f'config than the study\'s now ({what}):')
        for name, why in stale.items():
            print(f'  stale     {name}: {why}')
    for run in runs:
        print(f'  {states[run.name]:9s} {run.name}')
        if args.commands:
            print('      ' + ' '.join(train_command(
                run, resume=resume and states[run.name] == 'started')))
    todo = [r for r in runs if states[r.name] != FINISHED]
    if args.launcher == 'local':
        print(f'launcher: local, {workers} worker(s) x {threads} thread(s)')
    elif not print_slurm_state(study, runs, threads, args):
        return False
    if todo and not args.commands:
        print(f'command of the first run to do (OMP_NUM_THREADS={threads}):')
        print('  ' + ' '.join(train_command(
            todo[0], resume=resume and states[todo[0].name] ==
            'started')))
    return True


def warn_unplaced(runs) -> int:
    from mmhad.study.spec import unplaced_options
    found = unplaced_options(runs)
    for config, keys in found.items():
        print(f'warning: {config} has no place for {", ".join(keys)} (the '
              'parent is not in the config: a misspelt key, or a config of '
              'another shape?)')
    return len(found)


def slurm_settings(args) -> dict:
    """The command line's Slurm settings (they win over the study's)."""
    return {
        k: v for k, v in dict(
            partition=args.partition, account=args.account, qos=args.qos,
            mem=args.mem, gpus_per_node=args.gpus, time=args.time,
            array_parallelism=args.array_parallelism,
            max_attempts=args.max_attempts,
            max_array_size=args.max_array_size).items() if v is not None
    }


def print_slurm_state(study, runs, threads, args) -> bool:
    """The sbatch parameters (checked by submitit where srun exists),
    what the cluster holds of the study (jobs submitted earlier) and the
    sbatch script of the first array to submit."""
    from mmhad.study.slurm import MISSING, SlurmLauncher, submitit
    if submitit is None:
        print(f'launcher: slurm, but {MISSING}')
        return True
    launcher = SlurmLauncher(study, threads, slurm_settings(args))
    try:
        launcher.executor()
        checked = 'checked by submitit'
    except RuntimeError as err:  # no srun here: not on a cluster
        checked = f'not checked ({err})'
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return False
    print(f'sbatch parameters ({checked}):')
    for key, value in launcher.params.items():
        print(f'  {key} = {value!r}')
    outcome, todo = launcher.look(runs, note=False)
    arrays = -(-len(todo) // launcher.max_array_size)
    print(f'launcher: slurm, {len(todo)} run(s) to submit as {arrays} '
          f'array(s) named {launcher.params["job_name"]}, {threads} '
          'thread(s) and CPU(s) each; '
          f'{len(outcome.in_flight)} queued or running, '
          f'{len(outcome.failed)} out of attempts')
    for name, state in outcome.in_flight.items():
        print(f'  {state:24s} {name}')
    for failure in outcome.failed:
        print(f'  failed for good: {failure.name}')
    if todo:
        size = min(len(todo), launcher.max_array_size)
        print(f'sbatch script of the first array ({size} run(s)), as '
              'submitit writes it:')
        for line in launcher.sbatch_script(size).splitlines():
            print(f'  | {line}')
    return True


def report(study) -> None:
    from mmhad.study.report import StudyReport
    written = StudyReport(study).write()
    print(f'[study] report: {written[0]} (and {len(written) - 1} more files '
          f'in {study.root})')


def print_failures(failures) -> None:
    print(f'[study] {len(failures)} run(s) failed; their logs are kept:')
    for failure in failures:
        code = ('' if failure.returncode is None else
                f' (exit code {failure.returncode})')
        print(f'  {failure.name}{code}\n    log: {failure.log}')
        for line in failure.tail:
            print(f'      {line}')


def main(argv=None) -> int:
    from mmhad.utils.files import DamagedFileError
    try:
        return study_main(parse_args(argv))
    except DamagedFileError as err:  # named, with what it holds
        print(f'error: {err}', file=sys.stderr)
        return 2


def study_main(args) -> int:
    resume = not args.restart
    study = load_study(args.config, args.work_dir, args.cfg_options)
    runs = study.select(args.select)
    if not runs:
        print(f'no run of {study.name} matches {args.select}')
        return 2
    local_cfg = study.local_cfg
    # threads: the command line's, else the study's (under Slurm, the CPUs
    # its slurm block asks for)
    study_threads = (study.slurm_cfg.get('cpus_per_task')
                     if args.launcher == 'slurm' else None)
    workers, threads = default_workers_threads(
        args.workers or local_cfg.get('workers'),
        args.threads or local_cfg.get('threads') or study_threads)
    if not (args.workers or local_cfg.get('workers')):
        # a distributed run takes gpus_per_run processes (CPUs or GPUs)
        workers = max(1, workers // study.gpus_per_run)
    if args.dry_run:
        if not print_plan(study, runs, args, workers, threads):
            return 2
        warn_unplaced(runs)
        return 0
    if args.report_only:
        report(study)
        return 0
    from mmhad.study.lock import StudyLock, StudyLockedError
    try:
        with StudyLock(study.root):
            return launch(study, runs, args, workers, threads, resume)
    except StudyLockedError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2


def launch(study, runs, args, workers, threads, resume) -> int:
    """Run or submit the selected runs, then report (under the study's
    lock)."""
    from mmhad.study.data import prepare_data
    warn_unplaced(runs)
    if args.rerun_stale:
        from mmhad.engine.work_dir import set_aside
        from mmhad.study.fingerprint import stale_runs
        from mmhad.study.run import is_finished
        finished = {r.name: r for r in runs if is_finished(r.work_dir)}
        for name in stale_runs(list(finished.values())):
            print(f'[study] {name}: its config changed since it ran; '
                  'training it again')
            set_aside(finished[name].work_dir)
    if args.launcher == 'local':
        from mmhad.study.local import run_local
        from mmhad.study.run import FINISHED, run_state
        todo = [r for r in runs if run_state(r.work_dir) != FINISHED]
        if todo:
            prepare_data(todo)
        print(f'[study] {study.name}: {len(runs) - len(todo)} of '
              f'{len(runs)} runs finished already; {len(todo)} to run, '
              f'{workers} at a time with {threads} thread(s) each')
        outcome = run_local(runs, workers, threads, resume=resume,
                            keep_checkpoints=study.keep_checkpoints)
        if outcome.interrupted:
            print(f'[study] stopped: {len(outcome.interrupted)} run(s) not '
                  'finished; run the same command to continue them')
            return 130
        failures, pending = outcome.failed, {}
    else:
        from mmhad.study.slurm import MISSING, SlurmLauncher, submitit
        if submitit is None:
            print(f'error: {MISSING}', file=sys.stderr)
            return 2
        launcher = SlurmLauncher(study, threads, slurm_settings(args))
        if args.cancel:
            cancelled = launcher.cancel(runs)
            print(f'[study] cancelled {len(cancelled)} job(s): '
                  f'{" ".join(cancelled) or "none was queued or running"}')
            return 0
        try:
            launcher.executor()
        except ValueError as err:
            print(f'error: {err}', file=sys.stderr)
            return 2
        outcome = launcher.launch(runs, resume=resume, wait=args.wait,
                                  poll=args.poll, prepare=prepare_data)
        failures, pending = outcome.failed, dict(outcome.in_flight,
                                                 **outcome.submitted)
    if not args.no_report:
        report(study)
    if pending:
        print(f'[study] {len(pending)} run(s) queued or running on Slurm; '
              'run this command again to collect them (and resubmit '
              'failures)')
    if failures:
        print_failures(failures)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
