"""A fake Slurm for the study tool's tests: sbatch, srun, sacct, squeue,
scontrol and scancel, as far as submitit uses them.

Each command is this file run as ``fake_slurm.py <command> args...`` (the
tests put small wrappers named after the commands on PATH). State lives in
``$FAKE_SLURM_DIR``. ``sbatch`` records the job and starts a detached
"cluster" process that runs the array's tasks (``--array=0-N%P``: P at a
time) with the environment Slurm gives a task; ``scontrol requeue`` marks a
task, and the cluster runs it again once its process has exited (with
``SLURM_RESTART_COUNT`` counted up). ``FAKE_SLURM_PREEMPT`` names a glob:
once a file matches it, the task whose id is in ``slurm_job`` next to that
file gets Slurm's warning signal (SIGUSR2), once, as on a time limit.

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
               cwd=os.getcwd())
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
        code = subprocess.call(['bash', job['script']], env=env,
                               cwd=job['cwd'])
        marker = path('requeue', task)
        if osp.isfile(marker):
            os.remove(marker)
            set_state(task, 'REQUEUED')
            restarts += 1
            continue
        set_state(task, 'COMPLETED' if code == 0 else 'FAILED')
        return


def preempt_watcher(stop):
    pattern = os.environ.get('FAKE_SLURM_PREEMPT')
    while pattern and not stop.is_set():
        if osp.isfile(path('preempted')):
            return  # once per test, whichever job's cluster sees it first
        for found in glob.glob(pattern):
            job_file = osp.join(osp.dirname(found), 'slurm_job')
            try:
                task = open(job_file).read().strip()
                pid = int(open(path('pids', task)).read())
            except (OSError, ValueError):
                continue
            try:  # claimed atomically: only one cluster sends it
                os.close(os.open(path('preempted'),
                                 os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os.kill(pid, signal.SIGUSR2)
            return
        time.sleep(0.05)


def cluster(args):
    with open(path('jobs', f'{args[0]}.json')) as f:
        job = json.load(f)
    with open(path('clusters', args[0]), 'w') as f:
        f.write(str(os.getpid()))  # its process group, for the clean-up
    stop = threading.Event()
    watcher = threading.Thread(target=preempt_watcher, args=(stop, ))
    watcher.start()
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
    stop.set()
    watcher.join()


def srun(args):
    outputs = {}
    while args and args[0].startswith('-'):
        flag = args.pop(0)
        if flag in ('--output', '--error'):
            outputs[flag] = args.pop(0)
    task = os.environ['FAKE_SLURM_TASK']
    array, _, index = task.partition('_')
    with open(path('pids', task), 'w') as f:
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
