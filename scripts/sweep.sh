#!/bin/sh
# sweep.sh: a grid of kdistill runs over any config keys (and seeds), each run by run-one.sh in its
# own directory named from its overrides. Finished runs are skipped, so an interrupted sweep is
# started again with the same command; -j N runs N at a time with the cores split between them.
# Copies started side by side share the grid (run-one.sh skips a run another copy holds).
#
# usage: scripts/sweep.sh [-j N] [-o ROOT] [-c COMMAND] [-s KEY=VALUE]... [-l] [-n] CONFIG AXIS...
#   AXIS          KEY=V1,V2,...: one axis of the grid (method=kd,rkd  optimizer.lr=0.05,0.1  seed=0,1,2);
#                 values are split on commas unless the value starts with [ or { (JSON), and may not
#                 contain spaces; `method=` switches methods like `kdistill distill --method`
#   -j N          N runs at a time, each with --threads $((cores / N)) (at least 1); default 1
#   -o ROOT       directory of the sweep's runs (default: runs/sweep)
#   -c COMMAND    distill (default) or train-teacher
#   -s KEY=VALUE  override for every run, not part of the directory names (repeatable)
#   -t THREADS    threads per run instead of cores / N
#   -l            list the runs, one line of KEY=VALUE overrides each, and exit (GNU parallel, Slurm)
#   -n            print each run's command instead of running it
# example: scripts/sweep.sh -j 2 -o runs/methods configs/fashion-mnist/kd-lenet5.json method=kd,rkd,sp seed=0,1,2
# then:    kdistill report runs/methods
set -eu
set -f

jobs=1 root=runs/sweep command=distill threads="" list="" dry="" fixed=""
die() { echo "sweep.sh: $*" >&2; exit 2; }
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

while getopts j:o:c:s:t:ln opt; do
    case $opt in
        j) jobs=$OPTARG ;;
        o) root=$OPTARG ;;
        c) command=$OPTARG ;;
        s) fixed="$fixed -s $(quote "$OPTARG")" ;;
        t) threads=$OPTARG ;;
        l) list=1 ;;
        n) dry=1 ;;
        *) die "usage: sweep.sh [-j N] [-o ROOT] [-c COMMAND] [-s KEY=VALUE]... [-t THREADS] [-l] [-n] CONFIG AXIS..." ;;
    esac
done
shift $((OPTIND - 1))
case $jobs in ''|*[!0-9]*|0) die "-j: expected a positive integer, found '$jobs'" ;; esac
[ $# -ge 2 ] || die "expected CONFIG and at least one AXIS (e.g. seed=0,1,2)"
config=$1
shift

# The grid: one line per run, its overrides separated by spaces (the last axis varies fastest).
lines=""
first=1
for axis in "$@"; do
    key=${axis%%=*}
    values=${axis#*=}
    [ "$key" != "$axis" ] && [ -n "$key" ] || die "expected an axis KEY=V1,V2,..., found '$axis'"
    case $values in
        \[*|\{*) items=$values ;;
        *) items=$(printf '%s' "$values" | tr ',' ' ') ;;
    esac
    [ -n "$items" ] || die "axis $key has no values"
    next=""
    if [ -n "$first" ]; then
        for v in $items; do next="$next$key=$v
"; done
    else
        while IFS= read -r line; do
            [ -n "$line" ] || continue
            for v in $items; do next="$next$line $key=$v
"; done
        done <<LINES
$lines
LINES
    fi
    lines=$next
    first=""
done
if [ -n "$list" ]; then
    printf '%s' "$lines"
    exit 0
fi
total=$(printf '%s' "$lines" | grep -c '' || true)

if [ -z "$threads" ]; then
    cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    threads=$((cores / jobs))
    [ "$threads" -ge 1 ] || threads=1
fi
runone="$(quote "$(dirname "$0")/run-one.sh") -o $(quote "$root") -c $(quote "$command") -t $(quote "$threads")$fixed"
[ -z "$dry" ] || runone="$runone -n"
echo "sweep: $total runs in $root, $jobs at a time with $threads threads each" >&2

# Worker w runs lines w, w + N, w + 2N, ... one after the other. A TERM is passed on once to the
# running kdistill, which saves a resumable state; the worker then stops.
worker() {
    w=$1 i=0 failed=0 child="" stop=""
    trap 'if [ -z "$stop" ]; then stop=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true; fi' TERM
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        if [ $((i % jobs)) -eq "$w" ] && [ -z "$stop" ]; then
            eval "$runone $(quote "$config")"' $line &'
            child=$!
            status=0
            wait "$child" || status=$?
            while kill -0 "$child" 2>/dev/null; do status=0; wait "$child" || status=$?; done
            child=""
            case $status in
                0) ;;
                129|130|131|143) stop=1; echo "stopped: $line (exit $status; run the sweep again to resume)" >&2 ;;
                *) failed=$((failed + 1)); echo "failed: $line (exit $status; see its kdistill.log)" >&2 ;;
            esac
        fi
        i=$((i + 1))
    done <<LINES
$lines
LINES
    [ -z "$stop" ] || exit 130
    [ "$failed" -eq 0 ] || exit 1
    exit 0
}

pids="" w=0
while [ "$w" -lt "$jobs" ]; do
    worker "$w" &
    pids="$pids $!"
    w=$((w + 1))
done
stopping=""
on_signal() {
    if [ -z "$stopping" ]; then
        stopping=$1
        echo "sweep: stopping (finished runs are kept; run the same command again to continue)" >&2
        for q in $pids; do kill -TERM "$q" 2>/dev/null || true; done
    fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
result=0
for p in $pids; do
    status=0
    wait "$p" || status=$?
    while kill -0 "$p" 2>/dev/null; do status=0; wait "$p" || status=$?; done
    [ "$status" -eq 0 ] || result=1
done
[ -z "$stopping" ] || exit "$stopping"
if [ "$result" -ne 0 ]; then echo "sweep: some runs failed or stopped" >&2; exit 1; fi
echo "sweep: done; kdistill report $root" >&2
