"""Run a study's runs on a Slurm cluster: submitit job arrays.

Every call of the study tool looks at the study's runs and at the Slurm
jobs it submitted earlier (``<study>/.slurm/jobs.json``, states from
``sacct`` through submitit), then:

- a run whose results are complete is finished, whatever its job says;
- a run whose latest job is waiting (:data:`WAITING`: pending, running,
  requeued, suspended ...) is left alone;
- a run whose job ended without finishing it (:data:`ENDED`: failed,
  timed out, out of memory, node failure, preempted, cancelled ...) is
  submitted again, continuing from its checkpoints, up to ``max_attempts``
  jobs in all, after which it is reported as failed with the last lines of
  its log and of submitit's logs; each state's next action is logged;
- a job sacct does not know (``UNKNOWN``: accounting disabled, or lagging)
  is looked up in ``squeue``: queued there, it waits; absent, it ended;
- the runs to submit go out as job arrays (one task per run, named after
  the study so that ``squeue --name`` shows them) of at most
  ``max_array_size`` tasks (Slurm's ``MaxArraySize`` is 1001 by default).

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
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, TextIO

from ..engine.work_dir import SLURM_JOB_FILE, STUDY_LOG_FILE
from ..utils.files import load_json
from .local import Failure
from .run import (FINISHED, attempt_header, delete_checkpoints, error_tail,
                  is_finished, prepare_attempt, run_state)
from .spec import (PACKAGE_CHECKOUT, Run, Study, fill_port, run_env,
                   train_command)

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
OWN_KEYS = ('max_attempts', 'max_requeues', 'max_array_size')
#: Slurm job states in which the job may still finish the run: wait.
WAITING = ('PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED',
           'CONFIGURING', 'COMPLETING', 'RESIZING', 'SUSPENDED', 'STOPPED',
           'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD', 'READY')
#: Slurm job states in which the job has ended, and the launcher's next
#: action for a run it left unfinished (it is submitted again, resuming).
ENDED = {
    'COMPLETED': 'the job ended but the run is not finished',
    'FAILED': 'the training failed (see the logs)',
    'TIMEOUT': 'out of time after its requeues: give more with --time',
    'OUT_OF_MEMORY': 'killed for memory: give more with --mem',
    'NODE_FAIL': 'its node failed',
    'BOOT_FAIL': 'its node failed to boot',
    'PREEMPTED': 'preempted',
    'CANCELLED': 'cancelled (scancel)',
    'DEADLINE': 'past its deadline',
    'REVOKED': 'revoked by a federation',
}


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
        checkout (str): The checkout whose mmhad the training imports.
    """

    def __init__(self, name: str, work_dir: str, commands, threads: int,
                 resume: bool = False, keep_checkpoints: bool = False,
                 checkout: str = PACKAGE_CHECKOUT) -> None:
        self.name, self.work_dir = name, work_dir
        self.commands, self.threads = commands, threads
        self.resume, self.keep_checkpoints = resume, keep_checkpoints
        self.checkout = checkout
        self._process = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state['_process'] = None
        return state

    def __setstate__(self, state):
        # a task pickled by an mmhad older than the checkout attribute,
        # requeued after an update, runs this package's checkout
        self.__dict__.update(state)
        self.__dict__.setdefault('checkout', PACKAGE_CHECKOUT)

    def __call__(self) -> dict:
        restarted = int(os.environ.get('SLURM_RESTART_COUNT') or 0) > 0
        resume = self.resume or restarted
        command = fill_port(self.commands[1 if resume else 0], job_port())
        os.makedirs(self.work_dir, exist_ok=True)
        job = (f'{os.environ["SLURM_ARRAY_JOB_ID"]}_'
               f'{os.environ["SLURM_ARRAY_TASK_ID"]}'
               if os.environ.get('SLURM_ARRAY_JOB_ID') else
               os.environ.get('SLURM_JOB_ID', '?'))
        with open(osp.join(self.work_dir, SLURM_JOB_FILE), 'w') as f:
            f.write(job + '\n')
        path = osp.join(self.work_dir, STUDY_LOG_FILE)
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
        with open(osp.join(self.work_dir, STUDY_LOG_FILE), 'a') as log:
            log.write('==== [mmhad study] stopped by Slurm (time limit or '
                      'preemption); requeued to continue with --resume\n')
        return DelayedSubmission(
            TrainJob(self.name, self.work_dir, self.commands, self.threads,
                     resume=True, keep_checkpoints=self.keep_checkpoints,
                     checkout=self.checkout))


def job_port() -> int:
    """A distributed run's rendezvous port from its Slurm job id, so that
    the array's tasks sharing a node do not collide (15000-59999)."""
    array = os.environ.get('SLURM_ARRAY_JOB_ID')
    if array:
        key = int(array) * 1009 + int(os.environ['SLURM_ARRAY_TASK_ID'])
    else:
        key = int(os.environ.get('SLURM_JOB_ID', '0'))
    return 15000 + key % 45000


def squeue_states(job_ids: Sequence[str]) -> Dict[str, str]:
    """``{job id: state}`` of the jobs ``squeue`` still lists (array tasks
    one per line); empty when squeue fails."""
    try:
        out = subprocess.run(
            ['squeue', '-h', '-r', '-o', '%i %T', '-j', ','.join(job_ids)],
            capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    states = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in job_ids:
            states[parts[0]] = parts[1]
    return states


def why_ended(state: str) -> str:
    """What a job in an ended state did, in words."""
    if state == 'ENDED_UNKNOWN':
        return 'neither sacct nor squeue knows it any more'
    return ENDED.get(state, f'Slurm state {state}')


def note_next_action(run: Run, job_id: str, state: str, attempt: int,
                     max_attempts: int, logs: Sequence[str]) -> None:
    """Write into the run's log why its job ended and what comes next."""
    os.makedirs(run.work_dir, exist_ok=True)
    with open(osp.join(run.work_dir, STUDY_LOG_FILE), 'a') as log:
        log.write(f'==== [mmhad study] Slurm job {job_id} ended {state}: '
                  f'{why_ended(state)}; submitting attempt {attempt} of '
                  f'{max_attempts}, continuing from the last checkpoint '
                  f'(submitit logs: {", ".join(logs)})\n')


@dataclass
class SlurmOutcome:
    """What a look at the cluster found and did."""
    finished: List[str] = field(default_factory=list)
    in_flight: Dict[str, str] = field(default_factory=dict)
    failed: List[Failure] = field(default_factory=list)
    submitted: Dict[str, str] = field(default_factory=dict)


def slurm_parameters(settings: dict, threads: int) -> dict:
    """sbatch parameters as submitit names them, from the study's ``slurm``
    block merged with the command line's: ``cpus_per_task`` is always
    ``threads`` (the training's threads are the CPUs it asks for; all of
    a distributed run's processes'), and
    ``mem_gb`` (the name submitit's AutoExecutor uses) becomes ``mem``."""
    params = {k: v for k, v in settings.items()
              if k not in OWN_KEYS and v is not None}
    if 'mem_gb' in params:
        if 'mem' in params:
            raise ValueError('slurm: mem_gb and mem are one setting; give '
                             'mem (e.g. mem=\'16GB\') only')
        params['mem'] = f'{params.pop("mem_gb")}GB'
    params['cpus_per_task'] = threads
    return params


class SlurmLauncher:
    """Submits a study's runs and collects them (see the module's doc).

    Args:
        study (Study): The study.
        threads (int): Threads per run, and CPUs per task.
        settings (dict): sbatch parameters as submitit names them
            (``partition``, ``account``, ``qos``, ``time`` in minutes,
            ``gpus_per_node``, ``mem`` or ``mem_gb``,
            ``array_parallelism``, ``setup``, ``additional_parameters``
            ...), overriding the study's ``slurm`` block, and the
            launcher's ``max_attempts`` (jobs per run, default 3),
            ``max_requeues`` (requeues of one job on time limits, default
            3) and ``max_array_size`` (tasks per array, default 1000).

    :meth:`executor` checks the parameters (an unknown one, such as a
    misspelt sbatch option, fails), before anything is generated or
    submitted, and in ``--dry-run``.
    """

    def __init__(self, study: Study, threads: int = 1,
                 settings: Optional[dict] = None) -> None:
        require_submitit()
        self.study, self.threads = study, threads
        settings = dict(study.slurm_cfg, **(settings or {}))
        self.max_attempts = int(settings.get('max_attempts', 3))
        self.max_requeues = int(settings.get('max_requeues', 3))
        self.max_array_size = int(settings.get('max_array_size', 1000))
        # a run's processes each take its threads
        params = slurm_parameters(settings, threads * study.gpus_per_run)
        if study.gpus_per_run > 1:
            # one task per run: torchrun inside it starts the ranks
            params.setdefault('gpus_per_node', study.gpus_per_run)
            params['ntasks_per_node'] = 1
        params.setdefault('job_name', f'mmhad-{study.name}')
        params['setup'] = [
            f'export PYTHONPATH={study.checkout}${{PYTHONPATH:+:$PYTHONPATH}}'
        ] + list(params.get('setup') or [])
        self.params = params
        self.folder = osp.join(study.root, '.slurm')
        self.jobs_folder = osp.join(self.folder, 'submitit')
        self.record_file = osp.join(self.folder, 'jobs.json')

    def executor(self, folder: Optional[str] = None):
        """A submitit executor with the parameters, writing into
        ``folder`` (default: the study's submitit folder).

        Raises:
            ValueError: If submitit refuses a parameter.
        """
        executor = submitit.SlurmExecutor(folder=folder or self.jobs_folder,
                                          max_num_timeout=self.max_requeues)
        try:
            executor.update_parameters(**self.params)
        except (ValueError, TypeError) as err:
            raise ValueError(f'slurm: {err}') from None
        return executor

    def sbatch_script(self, tasks: int) -> str:
        """The sbatch script of an array of ``tasks`` runs, as submitit
        writes it: submitted in a scratch folder to stand-ins of ``sbatch``
        and ``srun`` (so that it works off the cluster too), its paths then
        pointed at the study's submitit folder. The stand-in jobs stay
        registered in submitit's process-wide sacct watcher: call it last,
        in a process that submits nothing."""
        with tempfile.TemporaryDirectory() as scratch:
            bin_dir = osp.join(scratch, 'bin')
            os.makedirs(bin_dir)
            for name, body in (('sbatch', 'echo Submitted batch job 1'),
                               ('srun', 'exit 0')):
                with open(osp.join(bin_dir, name), 'w') as f:
                    f.write(f'#!/bin/sh\n{body}\n')
                os.chmod(osp.join(bin_dir, name), 0o755)
            path = os.environ['PATH']
            os.environ['PATH'] = f'{bin_dir}{os.pathsep}{path}'
            try:
                folder = osp.join(scratch, 'submitit')
                executor = self.executor(folder)
                with executor.batch():
                    jobs = [executor.submit(print) for _ in range(tasks)]
            finally:
                os.environ['PATH'] = path
            with open(jobs[0].paths.submission_file) as f:
                script = f.read()
        return script.replace(folder, self.jobs_folder)

    # -- the record of submitted jobs -----------------------------------
    def record(self) -> Dict[str, List[str]]:
        if not osp.isfile(self.record_file):
            return {}
        return load_json(
            self.record_file, 'the launcher\'s record of the Slurm jobs of '
            'each run; move it away to forget those jobs (the runs are then '
            'judged by their own files, and --cancel cannot find them)')

    def _save(self, record: Dict[str, List[str]]) -> None:
        os.makedirs(self.folder, exist_ok=True)
        tmp = self.record_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, self.record_file)

    def job_states(self, job_ids: Sequence[str]) -> Dict[str, str]:
        """``{job id: state}`` from one ``sacct`` call; a job sacct does
        not know (``UNKNOWN``) is looked up in ``squeue``."""
        if not job_ids:
            return {}
        watcher = submitit.SlurmJob.watcher
        for job_id in job_ids:
            watcher.register_job(job_id)
        watcher.update()
        states = {j: str(watcher.get_state(j)).split()[0] for j in job_ids}
        unknown = [j for j, state in states.items() if state == 'UNKNOWN']
        if unknown:
            queued = squeue_states(unknown)
            for job_id in unknown:
                # absent from the queue too: it has ended, however
                states[job_id] = queued.get(job_id, 'ENDED_UNKNOWN')
        return states

    def submitit_logs(self, job_id: str) -> List[str]:
        """submitit's own logs of a job (its stderr holds import errors,
        slurmstepd's out-of-memory and time-limit lines)."""
        job = submitit.SlurmJob(folder=self.jobs_folder, job_id=job_id)
        return [str(p) for p in (job.paths.stderr, job.paths.stdout)]

    # -- one look -------------------------------------------------------
    def look(self, runs: Sequence[Run], note: bool = True) -> tuple:
        """Sort the runs: finished, in flight, to submit, out of
        attempts; with ``note``, write each ended job's next action into
        its run's log."""
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
                state = jobs[attempts[-1]]
                if state in WAITING:
                    outcome.in_flight[run.name] = (
                        f'job {attempts[-1]} {state}')
                    continue
            if len(attempts) >= self.max_attempts:
                path = osp.join(run.work_dir, STUDY_LOG_FILE)
                logs = self.submitit_logs(attempts[-1])
                outcome.failed.append(Failure(
                    run.name, path, None,
                    [f'{len(attempts)} Slurm jobs ({", ".join(attempts)}), '
                     f'the last {jobs[attempts[-1]]}: '
                     f'{why_ended(jobs[attempts[-1]])}',
                     f'submitit logs: {", ".join(logs)}'] +
                    error_tail(path) + error_tail(logs[0], 5)))
                continue
            if attempts and note:
                note_next_action(run, attempts[-1], jobs[attempts[-1]],
                                 len(attempts) + 1, self.max_attempts,
                                 self.submitit_logs(attempts[-1]))
            todo.append((run, states[run.name]))
        return outcome, todo

    def cancel(self, runs: Sequence[Run]) -> List[str]:
        """``scancel`` the waiting jobs of ``runs``; returns their ids."""
        outcome, _ = self.look(runs, note=False)
        record = self.record()
        ids = [record[name][-1] for name in outcome.in_flight]
        if ids:
            subprocess.run(['scancel'] + ids, check=False)
        return ids

    def submit(self, todo, resume: bool) -> Dict[str, str]:
        """The runs as job arrays of at most ``max_array_size`` tasks;
        returns ``{run name: job id}``."""
        submitted = {}
        for start in range(0, len(todo), self.max_array_size):
            submitted.update(self._submit_array(
                todo[start:start + self.max_array_size], resume))
        return submitted

    def _submit_array(self, todo, resume: bool) -> Dict[str, str]:
        if not todo:
            return {}
        executor = self.executor()
        tasks = []
        for run, state in todo:
            again = prepare_attempt(run, state, resume)
            commands = (train_command(run), train_command(run, resume=True))
            tasks.append(TrainJob(run.name, run.work_dir, commands,
                                  self.threads, resume=again,
                                  keep_checkpoints=self.study.
                                  keep_checkpoints, checkout=run.checkout))
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
        self.executor()  # a refused parameter fails before any data
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
