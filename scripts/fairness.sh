#!/bin/sh
# fairness.sh: experiment E6 of beyond.md 3.5 (Lukasik et al.'s "Teacher's pet" question) on Fashion-MNIST
# with 5,000 validation images: for imbalance ratios 1 (the balanced control) and 100 (data.imbalance, label
# order: 5,500 T-shirts ... 55 ankle boots) and seeds 0-2, a resnet20 teacher on the long-tailed subset
# (FM-R20 optimiser), and three lenet5 students on the same subset: one-hot labels (S_ce), kd from that
# teacher (S_kd) and kd with class_adaptive (S_adaptive, r_c from the teacher's validation accuracy); then
# `kdistill report --fairness` per ratio (per-class accuracy against n_train_c, d_c, harmed classes, rho).
# Validation and test stay balanced; each seed draws its own subset (data.imbalance.seed is the run's).
#
# usage: scripts/fairness.sh [-t THREADS] [-o REPORT_DIR] [-r "RATIOS"] [-s "SEEDS"]   (rerun to resume; ratio
# 100 first: its teachers train on 13,646 images, the control's on 55,000)
# Copies started side by side share the work: fairness.sh -t 1 & fairness.sh -t 1
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/fairness ratios="100 1" seeds="0 1 2"
while getopts t:o:r:s: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; r) ratios=$OPTARG ;; s) seeds=$OPTARG ;;
        *) echo "usage: fairness.sh [-t THREADS] [-o REPORT_DIR] [-r RATIOS] [-s SEEDS]" >&2; exit 2 ;; esac
done
configs=configs/fashion-mnist/fairness root=runs/fairness

for ratio in $ratios; do
    for seed in $seeds; do
        at=$root/ratio-$ratio/seed$seed
        set_common="--set seed=$seed --set data.imbalance.ratio=$ratio"
        teacher=$at/teacher-resnet20/best.safetensors
        # shellcheck disable=SC2086 # set_common is a list of words
        {
            run "$threads" train-teacher $configs/teacher-resnet20.json $set_common --set output.dir=$at/teacher-resnet20
            run "$threads" train-teacher $configs/ce-lenet5.json $set_common --set output.dir=$at/ce
            run "$threads" distill $configs/kd-lenet5.json $set_common --set teacher=$teacher --set output.dir=$at/kd
            run "$threads" distill $configs/kd-adaptive-lenet5.json $set_common --set teacher=$teacher \
                --set output.dir=$at/kd-adaptive
        }
    done
done
KDISTILL=$BIN scripts/keep-records.sh "$out/records" $root
# One report per ratio over its seeds: the teacher, S_ce, S_kd and S_adaptive of each seed directory.
for ratio in $ratios; do
    "$BIN" report "$out/records/$root/ratio-$ratio"/*/* --by model,student.name,method,method.class_adaptive.rule --fairness \
        --out "$out/ratio-$ratio"
done
