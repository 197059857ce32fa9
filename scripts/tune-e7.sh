#!/bin/sh
# tune-e7.sh: experiment E7 (beyond.md 4.9): `kdistill tune` of KD for lenet5 from the FM-R20 resnet20 teacher
# (T, loss weights, lr and the teacher's kept epoch; 5,000 validation images), ASHA with 27 trials over 1, 3,
# 9 epochs against plain random search given the same 63-epoch budget; each study's choice is retrained and
# tested once (--final). -e slurm runs the ASHA study through Slurm too (into runs/tune/e7-asha-slurm).
#
# usage: scripts/tune-e7.sh [-t THREADS] [-e local|slurm] [-j JOBS]
# Needs runs/teacher-resnet20 with its kept epochs (scripts/fm-r20.sh trains it with keep_every 1).
# Rerunning continues the studies where they stopped. KDISTILL names the binary.
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
threads=$(nproc 2>/dev/null || echo 2) executor=local jobs=1
while getopts t:e:j: opt; do
    case $opt in t) threads=$OPTARG ;; e) executor=$OPTARG ;; j) jobs=$OPTARG ;;
        *) echo "usage: tune-e7.sh [-t THREADS] [-e local|slurm] [-j JOBS]" >&2; exit 2 ;; esac
done
base=configs/fashion-mnist/tune/kd-lenet5.json space=configs/fashion-mnist/tune/kd-lenet5.space.json

study() {  # study OUT ARGS...: the study, then its final run (test set once)
    out=$1
    shift
    echo "$0: tune $base --out $out $*" >&2
    "$BIN" --threads "$threads" tune "$base" --space "$space" --out "$out" "$@" 2>> "$out.log"
    "$BIN" --threads "$threads" tune "$base" --space "$space" --out "$out" "$@" --final --json > "$out.json" 2>> "$out.log"
}

mkdir -p runs/tune
if [ "$executor" = slurm ]; then
    study runs/tune/e7-asha-slurm --executor slurm -j "$jobs"
else
    study runs/tune/e7-asha
    study runs/tune/e7-random --scheduler none --budget-epochs 63
fi
