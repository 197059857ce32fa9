#!/bin/sh
# slurm-cluster.sh: a real one-node Slurm cluster for tests and CI, without systemd and without touching
# /etc/slurm: its own slurm.conf, munged, slurmctld and slurmd, all kept in one directory.
#
# usage: scripts/slurm-cluster.sh start|stop|status
#   start   start munged, slurmctld and slurmd (nothing if already up); waits until `scontrol ping` says
#           UP and `sinfo` shows the node idle (at most 30 s; else prints the daemons' logs and exits 1).
#           Exit 77 with one line when Slurm or munge is not installed, or when we are neither root nor
#           allowed passwordless sudo (then every command runs itself through `sudo -n`).
#   stop    cancel the cluster's jobs, stop the daemons (munged included: each cluster has its own) by
#           their recorded pids and wait for them to end
#   status  exit 0 when the cluster answers, 3 when it is down
# environment:
#   SLURM_CLUSTER_DIR   the cluster's directory (default /tmp/kdistill-slurm): slurm.conf, env, spool/,
#                       state/, munge/ (private munged: key, socket, log), *.pid, slurmctld.log, slurmd.log
#   SLURM_CLUSTER_PORT  slurmctld's port (default 6817); slurmd listens on the next one
#   SLURM_CLUSTER_MIN_JOB_AGE  seconds a finished job at least stays in `squeue -t all` and `scontrol show
#                       job` (MinJobAge, default 16; purges run every max(10, MinJobAge) s). `sbatch --wait`
#                       polls after 2 s, then multiplies its interval by 4 while it is below MinJobAge/2
#                       and 32: every 8 s at 16 (2, 8, 32, 32, ... s at Slurm's default 300).
# Clients find the cluster through SLURM_CONF: DIR/env holds `SLURM_CONF=DIR/slurm.conf` (KEY=VALUE lines):
#   scripts/slurm-cluster.sh start && export $(cat /tmp/kdistill-slurm/env) && sbatch --wait job.sh
# Slurm 22.05 (Debian 12: apt-get install slurmctld slurmd slurm-client munge). Accounting is off (no sacct).
set -eu
PATH=$PATH:/usr/sbin:/sbin # the daemons, off a user's PATH on Debian

dir=${SLURM_CLUSTER_DIR:-/tmp/kdistill-slurm}
port=${SLURM_CLUSTER_PORT:-6817}
min_job_age=${SLURM_CLUSTER_MIN_JOB_AGE:-16}
me=slurm-cluster.sh

die() { echo "$me: $*" >&2; exit 1; }
skip() { echo "$me: $*" >&2; exit 77; }
pause() { sleep 0.2 2>/dev/null || sleep 1; }

case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
case $dir in *[!A-Za-z0-9._/+-]*) die "SLURM_CLUSTER_DIR: expected a path of letters, digits and ._/+-, found '$dir'" ;; esac
conf=$dir/slurm.conf
SLURM_CONF=$conf
export SLURM_CONF

# alive NAME: the daemon NAME (slurmctld, slurmd, munged) whose pid this script recorded still runs.
alive() {
    pidfile=$dir/$1.pid
    [ -s "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null || echo "$1")" = "$1" ]
}

# answers: slurmctld answers `scontrol ping` and the node is idle (or mixed/allocated: busy but up).
answers() {
    scontrol ping 2>/dev/null | grep -q 'is UP' || return 1
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null) || return 1
    case $state in idle | mix | alloc) return 0 ;; *) return 1 ;; esac
}

# stop_daemon NAME: TERM, up to 10 s, then KILL; removes the pid file.
stop_daemon() {
    if alive "$1"; then
        pid=$(cat "$dir/$1.pid")
        kill "$pid" 2>/dev/null || true
        n=0
        while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do pause; n=$((n + 1)); done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$dir/$1.pid"
}

tails() {
    for f in munge/munged.log slurmctld.log slurmd.log; do
        [ -f "$dir/$f" ] || continue
        echo "--- $dir/$f (last 20 lines)" >&2
        tail -n 20 "$dir/$f" >&2
    done
}

host=$(hostname -s)

# installed: exit 77 unless munge's and Slurm's daemons and clients are there.
installed() {
    missing=""
    for c in munged slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -z "$missing" ] || skip "Slurm is not installed (missing:$missing); apt-get install slurmctld slurmd slurm-client munge"
}

start() {
    installed
    if alive munged && alive slurmctld && alive slurmd && answers; then
        echo "$me: already up in $dir"
        return 0
    fi
    stop_all >/dev/null 2>&1 || true # the remains of a cluster that died
    rm -rf "$dir/state" "$dir/spool" "$dir/run"
    mkdir -p "$dir/state" "$dir/spool" "$dir/run" "$dir/munge"

    # munge: a private daemon, key and socket (the system's /run/munge is left alone).
    user=root
    if id munge >/dev/null 2>&1; then user=munge; fi
    key=$dir/munge/munge.key
    if [ ! -s "$key" ]; then
        rm -f "$key"
        mungekey --create --keyfile="$key" 2>/dev/null || dd if=/dev/urandom of="$key" bs=128 count=1 2>/dev/null
    fi
    chown -R "$user" "$dir/munge"
    chmod 755 "$dir/munge" # munged wants its socket's directory searchable by all
    chmod 600 "$key"
    rm -f "$dir/munge/munge.socket" "$dir/munge/munged.pid" "$dir/munge/munged.log"
    # munged forks; its pid file names the daemon. start-stop-daemon --background closes every descriptor
    # but stdin/out/err first: a daemon must not hold its caller's (Foundation's Process waits for EOF on
    # a socket its child inherits, so it would wait for munged's end).
    m="--socket=$dir/munge/munge.socket --key-file=$key --pid-file=$dir/munge/munged.pid"
    m="$m --log-file=$dir/munge/munged.log --seed-file=$dir/munge/munged.seed"
    [ "$user" != root ] || m="$m --force"
    if command -v start-stop-daemon >/dev/null 2>&1; then
        start-stop-daemon --start --quiet --background --pidfile "$dir/munge/munged.pid" --chuid "$user" \
            --startas "$(command -v munged)" -- $m
    elif [ "$user" = root ]; then munged $m
    elif command -v runuser >/dev/null 2>&1; then runuser -u "$user" -- munged $m
    else su -s /bin/sh "$user" -c "munged $m"
    fi </dev/null >/dev/null 2>&1 || { tails; die "munged did not start"; }
    n=0
    while [ ! -s "$dir/munge/munged.pid" ] && [ $n -lt 50 ]; do pause; n=$((n + 1)); done
    cp "$dir/munge/munged.pid" "$dir/munged.pid" 2>/dev/null || { tails; die "munged wrote no pid file"; }

    # slurm.conf: the node as `slurmd -C` sees it, a little less memory than it reports.
    node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$host/")
    memory=$(printf '%s\n' "$node" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    [ -z "$memory" ] || node=$(printf '%s\n' "$node" | sed "s/RealMemory=[0-9]*/RealMemory=$((memory * 9 / 10))/")
    cat >"$conf" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node cluster in $dir.
ClusterName=kdistill
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
MinJobAge=$min_job_age
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    printf 'SLURM_CONF=%s\n' "$conf" >"$dir/env"

    # -D: in the foreground of a background job, so $! is the daemon; logs on stderr.
    slurmctld -D -f "$conf" </dev/null >"$dir/slurmctld.log" 2>&1 &
    echo $! >"$dir/slurmctld.pid"
    slurmd -D -f "$conf" </dev/null >"$dir/slurmd.log" 2>&1 &
    echo $! >"$dir/slurmd.pid"
    n=0
    until answers; do
        n=$((n + 1))
        if [ $n -ge 150 ] || ! alive slurmctld || ! alive slurmd; then
            tails
            stop_all >/dev/null 2>&1 || true
            die "the cluster did not come up in $dir (node $host, port $port)"
        fi
        pause
    done
    cpus=$(printf '%s\n' "$node" | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')
    echo "$me: up in $dir (node $host, $cpus CPUs, port $port; clients: export SLURM_CONF=$conf)"
}

stop_all() {
    if alive slurmctld; then
        jobs=$(squeue -h -o %A 2>/dev/null || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            n=0
            while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && [ $n -lt 50 ]; do pause; n=$((n + 1)); done
        fi
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    stop_daemon munged
}

# The daemons run as root (slurmd starts each job as its user): as another user, through passwordless sudo.
if [ "$(id -u)" != 0 ]; then
    case ${1:-} in start) installed ;; stop | status) ;; *) echo "usage: $me start|stop|status" >&2; exit 2 ;; esac
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        exec sudo -n env SLURM_CLUSTER_DIR="$dir" SLURM_CLUSTER_PORT="$port" SLURM_CLUSTER_MIN_JOB_AGE="$min_job_age" \
            sh "$0" "$@"
    fi
    case $1 in
        start) skip "needs root or passwordless sudo (slurmd starts jobs as their users)" ;;
        stop) die "needs root or passwordless sudo" ;;
        status) echo "$me: down ($dir; not root)"; exit 3 ;;
    esac
fi

case ${1:-} in
    start) start ;;
    stop)
        stop_all
        echo "$me: stopped ($dir)"
        ;;
    status)
        if alive munged && alive slurmctld && alive slurmd && answers; then
            echo "$me: up in $dir"
            sinfo -h -o '%P %a %D %t %C'
            squeue -h
        else
            echo "$me: down ($dir)"
            exit 3
        fi
        ;;
    *)
        echo "usage: $me start|stop|status" >&2
        exit 2
        ;;
esac
