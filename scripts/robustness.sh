#!/bin/sh
# robustness.sh: experiment E5 of beyond.md 2.8 on Fashion-MNIST (5,000 validation images, FM-R20 optimiser):
# a robust resnet8 teacher (Madry training, PGD-3 at eps 0.1), and five lenet5 students: (i) labels only,
# (ii) kd from the robust teacher on clean images, (iii) ard, (iv) rslad, (v) PGD-10 adversarial training
# without a teacher; each run attacks its best checkpoint when it ends (FGSM and PGD-20 at eps 0.05, 0.1,
# 0.2; every mnist-c corruption at every severity), then `kdistill report --robustness` over them all.
#
# usage: scripts/robustness.sh [-t THREADS] [-o REPORT_DIR]   (hours on 2 cores; rerun to resume)
# Copies started side by side share the work: robustness.sh -t 1 & robustness.sh -t 1 (the students that
# need the teacher wait for a later pass while it trains).
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/robustness
while getopts t:o: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; *) echo "usage: robustness.sh [-t THREADS] [-o REPORT_DIR]" >&2; exit 2 ;; esac
done
configs=configs/fashion-mnist/robust root=runs/robust

run "$threads" train-teacher $configs/teacher-resnet8-pgd.json
run "$threads" train-teacher $configs/ce-lenet5.json
run "$threads" train-teacher $configs/pgd-at-lenet5.json
if finished $root/teacher-resnet8-pgd; then
    for method in kd ard rslad; do run "$threads" distill $configs/$method-lenet5.json; done
else
    echo "$0: the teacher is not finished yet; rerun for kd, ard and rslad" >&2
    exit 0
fi
KDISTILL=$BIN scripts/keep-records.sh "$out/records" $root
"$BIN" report "$out/records/$root"/* --by model,student.name,method --robustness --out "$out"
