#!/bin/sh
# run-one.sh: one run of a sweep: `kdistill COMMAND CONFIG` with the run's KEY=VALUE overrides, in a
# directory under ROOT named from those overrides. A finished run is skipped; an interrupted one is
# resumed. The same command serves sweep.sh, GNU parallel and Slurm array tasks (see the README).
#
# usage: scripts/run-one.sh [-o ROOT] [-c COMMAND] [-t THREADS] [-s KEY=VALUE]... [-n] CONFIG [KEY=VALUE]...
#   -o ROOT       the sweep's directory (default: runs/sweep)
#   -c COMMAND    distill (default) or train-teacher
#   -t THREADS    kdistill --threads
#   -s KEY=VALUE  an override of every run that does not name directories (repeatable)
#   -n            print the command instead of running it
#   KEY=VALUE     the run's overrides (`--set KEY=VALUE`; `method=NAME` is `--method NAME`), naming its
#                 directory: method=kd seed=1 -> ROOT/method-kd__seed-1
# A run is finished when `kdistill status ROOT/NAME` says completed or diverged (a cohort member or
# pipeline run that diverged counts): diverged runs are not retried. A run in progress holds an flock on
# ROOT/NAME/.run.lock (kdistill inherits it; the kernel drops it when the process ends), so copies of a
# sweep started side by side skip each other's runs and share the grid. kdistill's output is
# appended to ROOT/NAME/kdistill.log. KDISTILL names the binary (default: kdistill on PATH, else
# .build/release/kdistill of this checkout).
set -eu
set -f

root=runs/sweep command=distill threads="" fixed="" dry=""
die() { echo "run-one.sh: $*" >&2; exit 2; }
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

while getopts o:c:t:s:n opt; do
    case $opt in
        o) root=$OPTARG ;;
        c) command=$OPTARG ;;
        t) threads=$OPTARG ;;
        s) case $OPTARG in *=*) fixed="$fixed --set $(quote "$OPTARG")" ;; *) die "-s: expected KEY=VALUE, found '$OPTARG'" ;; esac ;;
        n) dry=1 ;;
        *) die "usage: run-one.sh [-o ROOT] [-c COMMAND] [-t THREADS] [-s KEY=VALUE]... [-n] CONFIG [KEY=VALUE]..." ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "missing CONFIG"
config=$1
shift

# The directory name: KEY=VALUE pairs joined by __, '=' as '-', other unsafe characters as '_'.
name="" args=""
for kv in "$@"; do
    case $kv in *=*) ;; *) die "expected KEY=VALUE, found '$kv'" ;; esac
    piece=$(printf '%s' "$kv" | sed 's/=/-/; s/[^A-Za-z0-9._-]/_/g')
    name="${name:+${name}__}$piece"
    case ${kv%%=*} in
        method) args="$args --method $(quote "${kv#*=}")" ;;
        *) args="$args --set $(quote "$kv")" ;;
    esac
done
[ -n "$name" ] || name=default
if [ ${#name} -gt 200 ]; then
    name="$(printf '%s' "$name" | cut -c1-180)__$(printf '%s' "$name" | cksum | cut -d' ' -f1)"
fi
dir="$root/$name"

bin=${KDISTILL:-}
if [ -z "$bin" ]; then
    if command -v kdistill >/dev/null 2>&1; then bin=kdistill
    else bin="$(dirname "$0")/../.build/release/kdistill"; [ -n "$dry" ] || [ -x "$bin" ] || die "no kdistill on PATH and no $bin; set KDISTILL"
    fi
fi
# `kdistill status` holds the rule (a dry run without a binary cannot ask it, and lists every run).
if [ -z "$dry" ] || [ -x "$bin" ] || command -v "$bin" >/dev/null 2>&1; then
    status=$("$bin" status "$dir")
    case $status in completed | diverged) echo "skip $dir ($status)"; exit 0 ;; esac
fi

cmd="$(quote "$bin") $(quote "$command") $(quote "$config")$args$fixed --set $(quote "output.dir=$dir") --resume"
[ -z "$threads" ] || cmd="$cmd --threads $(quote "$threads")"
if [ -n "$dry" ]; then
    echo "$cmd"
    exit 0
fi
mkdir -p "$dir"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir/.run.lock"
    flock -n 9 || { echo "skip $dir (running in another copy)"; exit 0; }
    case $("$bin" status "$dir") in completed | diverged) echo "skip $dir (finished by another copy)"; exit 0 ;; esac
fi
echo "run $dir"
# exec: signals sent to this process reach kdistill, which saves a resumable state and exits 128+N.
eval "exec $cmd" >>"$dir/kdistill.log" 2>&1
