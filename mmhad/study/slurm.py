"""Run a study's runs on a Slurm cluster: submitit job arrays.

Every call of the study tool looks at the study's runs and at the Slurm
jobs it submitted earlier (``<study>/.slurm/jobs.json``, states from
``sacct`` through submitit), then:

- a run whose results are complete is finished, whatever its job says;
- a run whose latest job is pending or running is left alone;
- a run whose job ended without finishing it is submitted again, up to
  ``max_attempts`` jobs in all, after which it is reported as failed with
  the last lines of its log;
- the runs to submit go out as one job array (one task per run, named
  after the study so that ``squeue --name`` shows them).

Inside a task, :class:`TrainJob` runs ``tools/train.py`` and appends its
output to the run's ``study.log``. On a time limit or preemption submitit
calls :meth:`TrainJob.checkpoint` (Slurm's ``--signal``), which stops the
training and requeues the task to continue with ``--resume``; a task
that Slurm requeued by itself (``SLURM_RESTART_COUNT``) resumes too.
``submitit`` is an optional dependency, needed only here.
"""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, TextIO

from .fingerprint import write_record
from .local import Failure
from .run import (FINISHED, LOG_FILE, STARTED, attempt_header,
                  delete_checkpoints, error_tail, is_finished, run_state,
                  set_aside)
from .spec import Run, Study, run_env, train_command

try:
    import submitit
    from submitit.helpers import Checkpointable, DelayedSubmission
except ImportError:  # the local launcher does not need it
    submitit = None
    Checkpointable = object
    DelayedSubmission = None

MISSING = ('the slurm launcher runs through submitit, which is not '
           'installed: pip install submitit (it is listed in '
           'requirements/optional.txt)')
#: Study settings that are the launcher's own, not sbatch parameters.
OWN_KEYS = ('max_attempts', 'max_requeues')


def require_submitit() -> None:
    if submitit is None:
        raise RuntimeError(MISSING)


def _ignore_preemption_signal() -> None:  # pragma: no cover - in the child
    """The training process leaves Slurm's warning signal to the task,
    which stops it and requeues (an ignored signal stays ignored across
    exec)."""
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)


def _stop(pid: int, grace: float = 60.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` s, reaped with os.waitpid
    (not through Popen, whose lock the interrupted poll may hold)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = None if wait is None else time.monotonic() + wait
        while deadline is None or time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            time.sleep(0.2)


class TrainJob(Checkpointable):
    """One run as a Slurm task (pickled by submitit).

    Args:
        name (str): The run's name.
        work_dir (str): Its work dir.
        commands (tuple[list, list]): The train command without and with
            ``--resume``.
        threads (int): Threads of the training process.
        resume (bool): Continue the run from its files.
        keep_checkpoints (bool): Keep the ``.pth`` files once finished.
    """

    def __init__(self, name: str, work_dir: str, commands, threads: int,
                 resume: bool = False,
                 keep_checkpoints: bool = False) -> None:
        self.name, self.work_dir = name, work_dir
        self.commands, self.threads = commands, threads
        self.resume, self.keep_checkpoints = resume, keep_checkpoints
        # the checkout the commands' train tool is in: its mmhad first
        self.checkout = osp.dirname(osp.dirname(commands[0][1]))
        self._process = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state['_process'] = None
        return state

    def __call__(self) -> dict:
        restarted = int(os.environ.get('SLURM_RESTART_COUNT') or 0) > 0
        resume = self.resume or restarted
        command = self.commands[1 if resume else 0]
        os.makedirs(self.work_dir, exist_ok=True)
        job = (f'{os.environ["SLURM_ARRAY_JOB_ID"]}_'
               f'{os.environ["SLURM_ARRAY_TASK_ID"]}'
               if os.environ.get('SLURM_ARRAY_JOB_ID') else
               os.environ.get('SLURM_JOB_ID', '?'))
        with open(osp.join(self.work_dir, 'slurm_job'), 'w') as f:
            f.write(job + '\n')
        path = osp.join(self.work_dir, LOG_FILE)
        with open(path, 'a') as log:
            log.write(f'==== [mmhad study] Slurm job {job}\n')
            log.write(attempt_header(command, resume))
            log.flush()
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=run_env(self.threads, checkout=self.checkout),
                preexec_fn=_ignore_preemption_signal)
            # polled, not wait()ed: Slurm's signal runs checkpoint() in
            # this thread, which could not take Popen's lock inside wait()
            while self._process.poll() is None:
                time.sleep(0.5)
            code = self._process.returncode
        if code == 0 and is_finished(self.work_dir):
            if not self.keep_checkpoints:
                delete_checkpoints(self.work_dir)
            return dict(name=self.name, state=FINISHED)
        if code is not None and code < 0:
            # killed by a signal: give Slurm's requeue signal, which may
            # be on its way, the time to arrive
            time.sleep(10)
        raise RuntimeError(
            f'{self.name} did not finish (exit code {code}); last lines '
            f'of {path}:\n' + '\n'.join(error_tail(path)))

    def checkpoint(self, *args, **kwargs):
        """Stop the training (its checkpoints stay) and hand submitit the
        same run, to be continued with ``--resume`` once requeued."""
        if self._process is not None:
            _stop(self._process.pid)
        with open(osp.join(self.work_dir, LOG_FILE), 'a') as log:
            log.write('==== [mmhad study] stopped by Slurm (time limit or '
                      'preemption); requeued to continue with --resume\n')
        return DelayedSubmission(
            TrainJob(self.name, self.work_dir, self.commands, self.threads,
                     resume=True, keep_checkpoints=self.keep_checkpoints))


@dataclass
class SlurmOutcome:
    """What a look at the cluster found and did."""
    finished: List[str] = field(default_factory=list)
    in_flight: Dict[str, str] = field(default_factory=dict)
    failed: List[Failure] = field(default_factory=list)
    submitted: Dict[str, str] = field(default_factory=dict)


class SlurmLauncher:
    """Submits a study's runs and collects them (see the module's doc).

    Args:
        study (Study): The study.
        threads (int): Threads per run (and CPUs per task by default).
        settings (dict): sbatch parameters as submitit names them
            (``partition``, ``time`` in minutes, ``gpus_per_node``,
            ``cpus_per_task``, ``mem_gb``, ``array_parallelism``,
            ``setup``, ``additional_parameters`` ...) and the launcher's
            ``max_attempts`` (jobs per run, default 3) and ``max_requeues``
            (requeues of one job on time limits, default 3).
    """

    def __init__(self, study: Study, threads: int = 1,
                 settings: Optional[dict] = None) -> None:
        require_submitit()
        self.study, self.threads = study, threads
        settings = dict(study.slurm_cfg, **(settings or {}))
        self.max_attempts = int(settings.get('max_attempts', 3))
        self.max_requeues = int(settings.get('max_requeues', 3))
        params = {k: v for k, v in settings.items()
                  if k not in OWN_KEYS and v is not None}
        params.setdefault('job_name', f'mmhad-{study.name}')
        params.setdefault('cpus_per_task', threads)
        params['setup'] = [
            f'export PYTHONPATH={study.checkout}${{PYTHONPATH:+:$PYTHONPATH}}'
        ] + list(params.get('setup') or [])
        self.params = params
        self.folder = osp.join(study.root, '.slurm')
        self.record_file = osp.join(self.folder, 'jobs.json')

    # -- the record of submitted jobs -----------------------------------
    def record(self) -> Dict[str, List[str]]:
        if not osp.isfile(self.record_file):
            return {}
        with open(self.record_file) as f:
            return json.load(f)

    def _save(self, record: Dict[str, List[str]]) -> None:
        os.makedirs(self.folder, exist_ok=True)
        tmp = self.record_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, self.record_file)

    def job_states(self, job_ids: Sequence[str]) -> Dict[str, tuple]:
        """``{job id: (done, state)}``, one ``sacct`` call for all."""
        if not job_ids:
            return {}
        jobs = {j: submitit.SlurmJob(folder=self.folder, job_id=j)
                for j in job_ids}
        submitit.SlurmJob.watcher.update()
        return {j: (job.done(), job.state) for j, job in jobs.items()}

    # -- one look -------------------------------------------------------
    def look(self, runs: Sequence[Run]) -> tuple:
        """Sort the runs: finished, in flight, to submit, out of
        attempts."""
        record = self.record()
        states = {r.name: run_state(r.work_dir) for r in runs}
        latest = [record[r.name][-1] for r in runs
                  if states[r.name] != FINISHED and record.get(r.name)]
        jobs = self.job_states(latest)
        outcome = SlurmOutcome()
        todo = []
        for run in runs:
            if states[run.name] == FINISHED:
                outcome.finished.append(run.name)
                continue
            attempts = record.get(run.name, [])
            if attempts:
                done, state = jobs[attempts[-1]]
                if not done:
                    outcome.in_flight[run.name] = (
                        f'job {attempts[-1]} {state}')
                    continue
            if len(attempts) >= self.max_attempts:
                path = osp.join(run.work_dir, LOG_FILE)
                outcome.failed.append(Failure(
                    run.name, path, None,
                    [f'{len(attempts)} Slurm jobs ({", ".join(attempts)}), '
                     f'the last {jobs[attempts[-1]][1]}'] +
                    error_tail(path)))
                continue
            todo.append((run, states[run.name]))
        return outcome, todo

    def submit(self, todo, resume: bool) -> Dict[str, str]:
        """One array of the runs; returns ``{run name: job id}``."""
        if not todo:
            return {}
        executor = submitit.SlurmExecutor(
            folder=osp.join(self.folder, 'submitit'),
            max_num_timeout=self.max_requeues)
        executor.update_parameters(**self.params)
        tasks = []
        for run, state in todo:
            again = resume and state == STARTED
            if state == STARTED and not resume:
                set_aside(run.work_dir)
            if not again:
                os.makedirs(run.work_dir, exist_ok=True)
                write_record(run)
            commands = (train_command(run), train_command(run, resume=True))
            tasks.append(TrainJob(run.name, run.work_dir, commands,
                                  self.threads, resume=again,
                                  keep_checkpoints=self.study.
                                  keep_checkpoints))
        with executor.batch():
            jobs = [executor.submit(task) for task in tasks]
        record = self.record()
        submitted = {}
        for (run, _), job in zip(todo, jobs):
            record.setdefault(run.name, []).append(job.job_id)
            submitted[run.name] = job.job_id
        self._save(record)
        return submitted

    def launch(self, runs: Sequence[Run], resume: bool = False,
               wait: bool = False, poll: float = 30.0,
               stream: Optional[TextIO] = None,
               prepare=None) -> SlurmOutcome:
        """Collect, (re)submit and, with ``wait``, repeat until every run
        has finished or is out of attempts."""
        stream = stream or sys.stdout
        while True:
            outcome, todo = self.look(runs)
            if todo and prepare is not None:
                prepare([run for run, _ in todo])
                prepare = None  # once per launch
            outcome.submitted = self.submit(todo, resume)
            if outcome.submitted:
                first = next(iter(outcome.submitted.values()))
                array = first.split('_')[0]
                stream.write(
                    f'[study] submitted {len(outcome.submitted)} run(s) as '
                    f'Slurm job {array} named {self.params["job_name"]} '
                    f'(squeue --name {self.params["job_name"]}); job ids '
                    f'per run in {self.record_file}\n')
            stream.write(
                f'[study] slurm: {len(outcome.finished)} finished, '
                f'{len(outcome.in_flight) + len(outcome.submitted)} queued '
                f'or running, {len(outcome.failed)} failed for good\n')
            stream.flush()
            if not wait or not (outcome.in_flight or outcome.submitted):
                return outcome
            time.sleep(poll)
