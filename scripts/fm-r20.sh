#!/bin/sh
# fm-r20.sh: the FM-R20 method comparison of the README (benchmarks.md protocol on Fashion-MNIST):
# teachers, from-scratch baselines and every method for the lenet5 and resnet8 students, one run each
# (finished runs are skipped, interrupted ones resumed), then `kdistill report` over all of them.
#
# usage: scripts/fm-r20.sh [-t THREADS] [-o REPORT_DIR]     (several hours on 2 cores; rerun to resume)
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
threads=$(nproc 2>/dev/null || echo 2) out=report/fm-r20
while getopts t:o: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; *) echo "usage: fm-r20.sh [-t THREADS] [-o REPORT_DIR]" >&2; exit 2 ;; esac
done

# run COMMAND CONFIG: runs it unless its output directory holds a finished summary.json.
run() {
    dir=$(sed -n 's/.*"dir": *"\([^"]*\)".*/\1/p' "$2" | head -1)
    [ -n "$dir" ] || dir=runs/$(basename "$2" .json)
    if [ -f "$dir/summary.json" ] && grep -Eq '"status": *"(completed|diverged)"' "$dir/summary.json"; then
        echo "fm-r20: $dir finished, skipped" >&2
        return 0
    fi
    mkdir -p "$dir"
    echo "fm-r20: $1 $2" >&2
    "$BIN" --threads "$threads" "$1" "$2" --resume >> "$dir/kdistill.out" 2>> "$dir/kdistill.log" || echo "fm-r20: $2 failed (exit $?): see $dir/kdistill.log" >&2
}

run train-teacher configs/fashion-mnist/teacher-resnet20.json
run train-teacher configs/fashion-mnist/teacher-resnet14.json
for student in lenet5 resnet8; do
    for config in configs/fashion-mnist/$student/scratch*.json; do run train-teacher "$config"; done
    for config in configs/fashion-mnist/$student/*.json; do
        case $config in */scratch*) continue ;; esac
        run distill "$config"
    done
done
"$BIN" report runs/teacher-resnet20 runs/teacher-resnet14 runs/fm-r20/lenet5 runs/fm-r20/resnet8 --out "$out"
