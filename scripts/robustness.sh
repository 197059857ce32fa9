#!/bin/sh
# robustness.sh: experiment E5 of beyond.md 2.8 on Fashion-MNIST (5,000 validation images, FM-R20 optimiser):
# a robust resnet8 teacher (Madry training, PGD-3 at eps 0.1), and five lenet5 students: (i) labels only,
# (ii) kd from the robust teacher on clean images, (iii) ard, (iv) rslad, (v) PGD-10 adversarial training
# without a teacher; each run attacks its best checkpoint when it ends (FGSM and PGD-20 at eps 0.05, 0.1,
# 0.2; every mnist-c corruption at every severity), then `kdistill report --robustness` over them all.
#
# -s "SEEDS" runs the students for each seed (default 0; seed 0 in runs/robust/NAME, seed s in
# runs/robust/seedS/NAME), all from the one teacher; the report groups them over seeds.
#
# usage: scripts/robustness.sh [-t THREADS] [-o REPORT_DIR] [-s "SEEDS"]   (hours on 2 cores; rerun to resume)
# Copies started side by side share the work: robustness.sh -t 1 & robustness.sh -t 1 (the students that
# need the teacher wait for a later pass while it trains).
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/robustness seeds=0
while getopts t:o:s: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; s) seeds=$OPTARG ;;
        *) echo "usage: robustness.sh [-t THREADS] [-o REPORT_DIR] [-s SEEDS]" >&2; exit 2 ;; esac
done
configs=configs/fashion-mnist/robust root=runs/robust

# at SEED NAME: the directory of student NAME's run of SEED.
at() { if [ "$1" = 0 ]; then echo "$root/$2"; else echo "$root/seed$1/$2"; fi; }

run "$threads" train-teacher $configs/teacher-resnet8-pgd.json
for seed in $seeds; do
    for name in ce pgd-at; do
        run "$threads" train-teacher $configs/$name-lenet5.json --set seed="$seed" --set output.dir="$(at "$seed" $name)"
    done
done
if ! finished $root/teacher-resnet8-pgd; then
    echo "$0: the teacher is not finished yet; rerun for kd, ard and rslad" >&2
    exit 0
fi
for seed in $seeds; do
    for method in kd ard rslad; do
        run "$threads" distill $configs/$method-lenet5.json --set seed="$seed" --set output.dir="$(at "$seed" $method)"
    done
done
KDISTILL=$BIN scripts/keep-records.sh "$out/records" $root
dirs=$out/records/$root/teacher-resnet8-pgd
for seed in $seeds; do
    for name in ce pgd-at kd ard rslad; do
        [ ! -d "$out/records/$(at "$seed" $name)" ] || dirs="$dirs $out/records/$(at "$seed" $name)"
    done
done
# shellcheck disable=SC2086 # dirs is a list of words
"$BIN" report $dirs --by model,student.name,method --robustness --out "$out"
