"""A fake Slurm for the study tool's tests: sbatch, srun, sacct, squeue,
scontrol and scancel, as far as submitit uses them.

Each command is this file run as ``fake_slurm.py <command> args...`` (the
tests put small wrappers named after the commands on PATH). State lives in
``$FAKE_SLURM_DIR``. ``sbatch`` records the job and starts a detached
"cluster" process that runs the array's tasks (``--array=0-N%P``: P at a
time) with the environment Slurm gives a task; ``srun`` starts the task's
job step in a process group of its own, which is what Slurm signals.

The clock: a task has ``--time`` minutes (``$FAKE_SLURM_MINUTE`` seconds
each, 60 by default) from its start. ``--signal=SIG@S`` sends SIG to the
whole job step S seconds (of the clock) before its end; at its end the
step gets SIGTERM, then SIGKILL after Slurm's KillWait (30 s of the clock),
and the task is ``TIMEOUT``. ``scontrol requeue`` marks a task, and the
cluster runs it again (with ``SLURM_RESTART_COUNT`` counted up and a new
clock) once its processes have exited: ``REQUEUED``.

Events, each once per test, when a file matching a glob exists (the task
is the one whose id is in ``slurm_job`` next to that file):

- ``FAKE_SLURM_PREEMPT``: the task is preempted. As Slurm's
  ``PreemptMode`` says (``$FAKE_SLURM_PREEMPT_MODE``): ``signal`` (the
  default) sends its job step the warning signal of ``--signal``, as
  before a time limit; ``cancel`` sends SIGTERM and, after a grace time
  (KillWait), SIGKILL, and the task ends ``PREEMPTED``.
- ``FAKE_SLURM_TIMEOUT``: the task's clock jumps to the warning of
  ``--signal``; the rest (the signal, the kill at the limit) is the
  clock's.

As a real cluster would, ``sbatch`` refuses an option it does not know
and an array past ``$FAKE_SLURM_MAX_ARRAY`` tasks (MaxArraySize, 1001 by
default); ``sacct`` prints a pending array's tasks as one compressed line
(``1001_[2-5]``) and the ``.batch`` / ``.extern`` steps of started tasks,
and leaves out the jobs named in ``$FAKE_SLURM_SACCT_HIDE`` (accounting
lagging or off); ``squeue -h -o '%i %T'`` prints id and state.
"""
import glob
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import threading
import time

STATE = os.environ.get('FAKE_SLURM_DIR', '/tmp/fake_slurm')
#: The long options sbatch takes (those submitit writes, and a few more).
SBATCH_OPTIONS = {
    'job-name', 'partition', 'time', 'nodes', 'ntasks-per-node',
    'cpus-per-task', 'cpus-per-gpu', 'gpus-per-node', 'gpus-per-task',
    'gres', 'qos', 'mem', 'mem-per-gpu', 'mem-per-cpu', 'signal', 'comment',
    'constraint', 'exclude', 'account', 'mail-type', 'mail-user',
    'nodelist', 'dependency', 'exclusive', 'array', 'wckey', 'output',
    'error', 'open-mode', 'requeue', 'no-requeue'}


def path(*parts):
    full = osp.join(STATE, *parts)
    os.makedirs(osp.dirname(full), exist_ok=True)
    return full


def set_state(task, state):
    with open(path('states', task), 'w') as f:
        f.write(state)


def get_state(task):
    try:
        with open(path('states', task)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def sbatch(args):
    script = args[-1]
    text = open(script).read()
    options = dict(
        re.findall(r'^#SBATCH --([\w-]+)(?:=(.*))?$', text, re.MULTILINE))
    unknown = sorted(set(options) - SBATCH_OPTIONS)
    if unknown:
        sys.exit(f'sbatch: unrecognized option \'--{unknown[0]}\'')
    counter = path('counter')
    job_id = (int(open(counter).read()) + 1 if osp.isfile(counter) else 1001)
    with open(counter, 'w') as f:
        f.write(str(job_id))
    if 'array' in options:
        spec, _, parallel = options['array'].partition('%')
        first, _, last = spec.partition('-')
        tasks = [f'{job_id}_{i}' for i in range(int(first), int(last) + 1)]
        parallel = int(parallel or len(tasks))
        if int(last) >= int(os.environ.get('FAKE_SLURM_MAX_ARRAY', 1001)):
            sys.exit('sbatch: error: Batch job submission failed: Invalid '
                     'job array specification')
    else:
        tasks, parallel = [str(job_id)], 1
    job = dict(id=job_id, script=osp.abspath(script), tasks=tasks,
               parallel=parallel, name=options.get('job-name', ''),
               cwd=os.getcwd(), options=options)
    with open(path('jobs', f'{job_id}.json'), 'w') as f:
        json.dump(job, f)
    with open(path('sbatch.log'), 'a') as f:
        f.write(f'{job_id} {options}\n')
    for task in tasks:
        set_state(task, 'PENDING')
    subprocess.Popen(
        [sys.executable, __file__, '_cluster', str(job_id)],
        stdin=subprocess.DEVNULL, stdout=open(path('cluster.log'), 'a'),
        stderr=subprocess.STDOUT, start_new_session=True)
    print(f'Submitted batch job {job_id}')


def minutes(value):
    """sbatch's ``--time`` (``M``, ``M:S``, ``H:M:S``, ``D-H[:M[:S]]``) in
    minutes."""
    days, _, clock = value.rpartition('-')
    parts = [int(p) for p in clock.split(':')]
    if days:
        parts += [0] * (3 - len(parts))
        hours, mins, secs = parts
        return int(days) * 1440 + hours * 60 + mins + secs / 60
    if len(parts) == 3:
        return parts[0] * 60 + parts[1] + parts[2] / 60
    return parts[0] + (parts[1] / 60 if len(parts) == 2 else 0)


class Clock:
    """A task's time limit and warning signal, in seconds of this machine
    (``$FAKE_SLURM_MINUTE`` of them per Slurm minute)."""

    def __init__(self, options):
        self.scale = float(os.environ.get('FAKE_SLURM_MINUTE', 60)) / 60
        self.limit = (minutes(options['time']) * 60 * self.scale
                      if 'time' in options else float('inf'))
        self.signal, self.warning = None, None
        if options.get('signal'):
            if options['signal'].startswith('B:'):
                sys.exit('fake_slurm: --signal=B:... is not faked')
            name, _, before = options['signal'].partition('@')
            self.signal = getattr(signal, 'SIG' + name.removeprefix('SIG'))
            self.warning = self.limit - int(before or 60) * self.scale
        self.kill_wait = 30 * self.scale


def signal_step(task, sig):
    """Send ``sig`` to every process of the task's job step (srun's
    process group), as Slurm does."""
    try:
        os.killpg(int(open(path('steps', task)).read()), sig)
    except (OSError, ValueError):
        pass  # no step started yet, or it has ended


def event(task, name):
    """Whether the test's ``FAKE_SLURM_<NAME>`` glob has, for the first
    time in this test, a match beside this task's ``slurm_job`` file."""
    pattern = os.environ.get(f'FAKE_SLURM_{name}')
    if not pattern or osp.isfile(path('events', name)):
        return False
    for found in glob.glob(pattern):
        try:
            with open(osp.join(osp.dirname(found), 'slurm_job')) as f:
                if f.read().strip() != task:
                    continue
        except OSError:
            continue
        try:  # claimed atomically: once per test, whichever task sees it
            os.close(os.open(path('events', name),
                             os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True
    return False


def run_once(job, task, env):
    """One run of the task's batch script under its clock; returns its
    exit code and the state the cluster ended it in (``None`` if it ended
    by itself)."""
    clock = Clock(job['options'])
    batch = subprocess.Popen(['bash', job['script']], env=env,
                             cwd=job['cwd'])
    start, ended, kill_at, warned = time.monotonic(), None, None, False
    while batch.poll() is None:
        now = time.monotonic()
        if event(task, 'TIMEOUT') and clock.warning is not None:
            start = now - clock.warning  # the clock jumps to the warning
        if event(task, 'PREEMPT'):
            if os.environ.get('FAKE_SLURM_PREEMPT_MODE') == 'cancel':
                signal_step(task, signal.SIGTERM)
                ended, kill_at = 'PREEMPTED', now + clock.kill_wait
            else:
                signal_step(task, clock.signal or signal.SIGTERM)
        elapsed = now - start
        if clock.signal and not warned and elapsed >= clock.warning:
            signal_step(task, clock.signal)
            warned = True
        if ended is None and elapsed >= clock.limit:
            signal_step(task, signal.SIGTERM)
            ended, kill_at = 'TIMEOUT', now + clock.kill_wait
        if kill_at is not None and now >= kill_at:
            signal_step(task, signal.SIGKILL)
            batch.kill()
        time.sleep(0.05)
    if osp.isfile(path('steps', task)):
        os.remove(path('steps', task))
    return batch.returncode, ended


def run_task(job, task):
    env = dict(os.environ, SLURM_JOB_ID=task.replace('_', '0'),
               SLURM_JOB_NAME=job['name'], SLURM_PROCID='0',
               SLURM_LOCALID='0', SLURM_NODEID='0', SLURM_NTASKS='1',
               SLURM_JOB_NUM_NODES='1', SLURM_JOB_NODELIST='fakenode',
               FAKE_SLURM_TASK=task)
    if '_' in task:
        env['SLURM_ARRAY_JOB_ID'], env['SLURM_ARRAY_TASK_ID'] = task.split(
            '_')
    restarts = 0
    while True:
        env['SLURM_RESTART_COUNT'] = str(restarts)
        set_state(task, 'RUNNING')
        code, ended = run_once(job, task, env)
        marker = path('requeue', task)
        if osp.isfile(marker):
            os.remove(marker)
            set_state(task, 'REQUEUED')
            restarts += 1
            continue
        set_state(task, ended or ('COMPLETED' if code == 0 else 'FAILED'))
        return


def cluster(args):
    with open(path('jobs', f'{args[0]}.json')) as f:
        job = json.load(f)
    with open(path('clusters', args[0]), 'w') as f:
        f.write(str(os.getpid()))  # its process group, for the clean-up
    pending = list(job['tasks'])
    running = []
    while pending or running:
        running = [t for t in running if t.is_alive()]
        while pending and len(running) < job['parallel']:
            thread = threading.Thread(target=run_task,
                                      args=(job, pending.pop(0)))
            thread.start()
            running.append(thread)
        time.sleep(0.05)


def srun(args):
    outputs = {}
    while args and args[0].startswith('-'):
        flag = args.pop(0)
        if flag in ('--output', '--error'):
            outputs[flag] = args.pop(0)
    task = os.environ['FAKE_SLURM_TASK']
    array, _, index = task.partition('_')
    os.setpgid(0, 0)  # the job step: what Slurm's signals reach
    with open(path('steps', task), 'w') as f:
        f.write(str(os.getpid()))
    for flag, fd in (('--output', 1), ('--error', 2)):
        if flag in outputs:
            name = (outputs[flag].replace('%A', array).replace(
                '%a', index).replace('%j', task).replace('%t', '0'))
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_APPEND),
                    fd)
    os.execvp(args[0], args)


def sacct(args):
    wanted = [args[i + 1] for i, a in enumerate(args) if a == '-j']
    hidden = os.environ.get('FAKE_SLURM_SACCT_HIDE', '').split(',')
    print('JobID|State|NodeList')
    for job_id in wanted:
        try:
            with open(path('jobs', f'{job_id}.json')) as f:
                job = json.load(f)
        except FileNotFoundError:
            continue
        pending = [t for t in job['tasks'] if get_state(t) == 'PENDING']
        for task in job['tasks']:
            if task in hidden or str(job_id) in hidden:
                continue
            if task in pending:
                continue
            state = get_state(task)
            print(f'{task}|{state}|fakenode')
            for step in ('batch', 'extern'):
                print(f'{task}.{step}|{state}|fakenode')
        if pending and str(job_id) not in hidden:
            # a pending array's tasks: one compressed line, as sacct does
            indices = [int(t.split('_')[1]) for t in pending]
            print(f'{job_id}_[{min(indices)}-{max(indices)}]|PENDING|'
                  'None assigned')


def squeue(args):
    short = '-o' in args and args[args.index('-o') + 1] == '%i %T'
    if '-h' not in args:
        print('JOBID STATE' if short else 'JOBID NAME STATE')
    for name in sorted(glob.glob(path('jobs', '*.json'))):
        job = json.load(open(name))
        for task in job['tasks']:
            state = get_state(task)
            if state in ('PENDING', 'RUNNING', 'REQUEUED', 'SUSPENDED'):
                print(f'{task} {state}' if short else
                      f'{task} {job["name"]} {state}')


def scontrol(args):
    if args[:1] == ['requeue']:
        open(path('requeue', args[1]), 'w').close()


def scancel(args):
    with open(path('scancel.log'), 'a') as f:
        f.write(' '.join(args) + '\n')


if __name__ == '__main__':
    command, rest = sys.argv[1], sys.argv[2:]
    dict(sbatch=sbatch, _cluster=cluster, srun=srun, sacct=sacct,
         squeue=squeue, scontrol=scontrol, scancel=scancel)[command](rest)
