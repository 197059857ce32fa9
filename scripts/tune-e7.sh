#!/bin/sh
# tune-e7.sh: experiment E7 (beyond.md 4.9): `kdistill tune` of KD for lenet5 from the FM-R20 resnet20 teacher
# (T, loss weights, lr and the teacher's kept epoch; 5,000 validation images), ASHA with 27 trials over 1, 3,
# 9 epochs against plain random search given the same budget (63 epochs, the synchronous count, and 79, what
# asynchronous promotion spent here); each study's choice is retrained and tested once (--final). -e slurm
# runs the ASHA study through Slurm (runs/tune/e7-asha-slurm; with -j 1 -t 1 it decides exactly as locally).
# The studies' tables, plots and final summaries are copied to REPORT_DIR (default docs/tune-e7).
#
# usage: scripts/tune-e7.sh [-t THREADS] [-e local|slurm] [-j JOBS] [-o REPORT_DIR]
# Needs runs/teacher-resnet20 with its kept epochs (scripts/fm-r20.sh trains it with keep_every 1).
# Rerunning continues the studies where they stopped. KDISTILL names the binary.
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
threads=$(nproc 2>/dev/null || echo 2) executor=local jobs=1 out=docs/tune-e7
while getopts t:e:j:o: opt; do
    case $opt in t) threads=$OPTARG ;; e) executor=$OPTARG ;; j) jobs=$OPTARG ;; o) out=$OPTARG ;;
        *) echo "usage: tune-e7.sh [-t THREADS] [-e local|slurm] [-j JOBS] [-o REPORT_DIR]" >&2; exit 2 ;; esac
done
base=configs/fashion-mnist/tune/kd-lenet5.json space=configs/fashion-mnist/tune/kd-lenet5.space.json

study() {  # study NAME ARGS...: the study, its final run (test set once), its files copied to the report
    name=$1
    shift
    dir=runs/tune/$name
    echo "$0: tune $base --out $dir $*" >&2
    "$BIN" --threads "$threads" tune "$base" --space "$space" --out "$dir" "$@" 2>> "$dir.log"
    "$BIN" --threads "$threads" tune "$base" --space "$space" --out "$dir" "$@" --final --json > "$dir.json" 2>> "$dir.log"
    mkdir -p "$out/$name"
    for f in study.json leaderboard.md leaderboard.csv curves.svg index.html best.json final/summary.json; do
        [ -f "$dir/$f" ] && cp "$dir/$f" "$out/$name/$(echo "$f" | tr / -)"
    done
    cp "$dir.json" "$out/$name/result.json"
}

mkdir -p runs/tune
if [ "$executor" = slurm ]; then
    study e7-asha-slurm --executor slurm -j "$jobs"
else
    study e7-asha
    study e7-random --scheduler none --budget-epochs 63
    study e7-random-79 --scheduler none --budget-epochs 79
fi
