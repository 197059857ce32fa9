#!/bin/sh
# fm-r20.sh: the FM-R20 method comparison of the README (docs/benchmarks.md protocol on Fashion-MNIST):
# teachers, from-scratch baselines and every method for the lenet5 and resnet8 students, one run each
# (finished runs are skipped, interrupted ones resumed), then `kdistill report` over all of them; the
# runs' JSON records are kept in REPORT_DIR/records so the report can be rebuilt without the runs, and
# REPORT_DIR/lenet5 and REPORT_DIR/resnet8 get a report of their own.
#
# usage: scripts/fm-r20.sh [-t THREADS] [-s "STUDENTS"] [-m "METHODS"] [-o REPORT_DIR]   (hours on 2 cores;
#        rerun to resume). METHODS are config names in the order to run them (default: all, scratch first).
# Copies started side by side share the work: fm-r20.sh -t 1 & fm-r20.sh -t 1
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
threads=$(nproc 2>/dev/null || echo 2) out=report/fm-r20 students="lenet5 resnet8" methods= only=
# The report's grouping: the method options that make two runs different methods are keys of their own.
by=model,method,method.logit_standardization,method.variant,optimizer.lr
while getopts t:s:m:o: opt; do
    case $opt in t) threads=$OPTARG ;; s) students=$OPTARG ;; m) methods=$OPTARG only=1 ;; o) out=$OPTARG ;; *) echo "usage: fm-r20.sh [-t THREADS] [-s STUDENTS] [-m METHODS] [-o REPORT_DIR]" >&2; exit 2 ;; esac
done

# finished DIR: whether `kdistill status` says the run in DIR is over (completed or diverged).
finished() {
    case $("$BIN" status "$1") in completed | diverged) return 0 ;; *) return 1 ;; esac
}

# run COMMAND CONFIG: runs it unless its output directory (as `kdistill validate` resolves it) holds a
# finished run. An flock on DIR/.fm-r20.lock, held by the run's process until it ends (the kernel drops
# it if the process dies), lets several copies of this script share the list: each takes the next free run.
run() {
    # A config this binary cannot read (say, a method added after it was built) is reported and skipped,
    # so one bad file does not end the whole sweep.
    if ! dir=$("$BIN" validate "$2" --get output.dir); then echo "fm-r20: $2 does not validate, skipped" >&2; return 0; fi
    if finished "$dir"; then echo "fm-r20: $dir finished, skipped" >&2; return 0; fi
    mkdir -p "$dir"
    exec 9>"$dir/.fm-r20.lock"
    if ! flock -n 9; then
        echo "fm-r20: $dir running in another copy, skipped" >&2
        exec 9>&-
        return 0
    fi
    if finished "$dir"; then # finished by another copy between the first look and the lock
        exec 9>&-
        return 0
    fi
    echo "fm-r20: $1 $2" >&2
    "$BIN" --threads "$threads" "$1" "$2" --resume >> "$dir/kdistill.out" 2>> "$dir/kdistill.log" || echo "fm-r20: $2 failed (exit $?): see $dir/kdistill.log" >&2
    exec 9>&-
}

run train-teacher configs/fashion-mnist/teacher-resnet20.json
run train-teacher configs/fashion-mnist/teacher-resnet14.json
for student in $students; do
    [ -n "$methods" ] || methods=$(cd configs/fashion-mnist/$student && ls scratch*.json; ls *.json | grep -v '^scratch')
    for name in $methods; do
        config=configs/fashion-mnist/$student/${name%.json}.json
        [ -f "$config" ] || continue
        case $name in scratch*) run train-teacher "$config" ;; *) run distill "$config" ;; esac
    done
    [ -n "$only" ] || methods=
done
KDISTILL=$BIN scripts/keep-records.sh "$out/records" runs/teacher-resnet20 runs/fm-r20
records=$out/records/runs
"$BIN" report "$records/teacher-resnet20" "$records/fm-r20/lenet5" "$records/fm-r20/resnet8" --by "$by" --out "$out"
for student in lenet5 resnet8; do # one page per student, for plots with one scale
    [ ! -d "$records/fm-r20/$student" ] || "$BIN" report "$records/fm-r20/$student" --by "$by" --out "$out/$student"
done
