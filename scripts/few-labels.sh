#!/bin/sh
# few-labels.sh: the few-label comparison of the README (beyond.md 1.5, issue 12) on Fashion-MNIST with
# 5,000 validation images: for 1% and 10% of the remaining 55,000 labelled (class-balanced, seeded) and
# seeds 0 and 1, a resnet20 teacher and a lenet5 on the labels alone, kd from that teacher on every image,
# noisy-student (lenet5 generations from the lenet5 on the labels) and mean-teacher; lenet5 on every label
# for reference; then `kdistill report` (grouped by labelled fraction and method) in REPORT_DIR.
# mean-teacher draws 32 labelled images into every batch of 128 (per_batch, as the authors' 31 of 128),
# so its ce is not a few images in each batch and its consistency weight w_max = 100 · 32/128 = 25.
# Runs on the labelled images alone see fewer images per epoch, so they get more epochs: the teacher 1/f
# (the 430 steps of one FM-R20 epoch at either fraction), the lenet5 three times as many.
#
# usage: scripts/few-labels.sh [-t THREADS] [-o REPORT_DIR] [-l "FRACTIONS"] [-s "SEEDS"]   (rerun to resume)
# Copies started side by side share the work: few-labels.sh -t 1 & few-labels.sh -t 1
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/few-labels fractions="0.01 0.1" seeds="0 1"
while getopts t:o:l:s: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; l) fractions=$OPTARG ;; s) seeds=$OPTARG ;;
        *) echo "usage: few-labels.sh [-t THREADS] [-o REPORT_DIR] [-l FRACTIONS] [-s SEEDS]" >&2; exit 2 ;; esac
done
configs=configs/fashion-mnist/few-labels root=runs/few-labels

for seed in $seeds; do
    run "$threads" train-teacher $configs/full-lenet5.json --set seed="$seed" --set output.dir=$root/labels-1/seed"$seed"/full
    for f in $fractions; do
        at=$root/labels-$f/seed$seed
        set_common="--set seed=$seed --set data.labeled=$f"
        teacher_epochs=$(awk "BEGIN { print int(1 / $f + 0.5) }")
        # shellcheck disable=SC2086 # set_common is a list of words
        {
            run "$threads" train-teacher $configs/teacher-resnet20.json $set_common --set epochs="$teacher_epochs" \
                --set output.dir=$at/teacher-resnet20
            run "$threads" train-teacher $configs/scratch-lenet5.json $set_common --set epochs=$((3 * teacher_epochs)) \
                --set output.dir=$at/scratch
            run "$threads" distill $configs/kd-lenet5.json $set_common --set teacher=$at/teacher-resnet20/best.safetensors \
                --set output.dir=$at/kd
            run "$threads" distill $configs/noisy-student-lenet5.json $set_common --set teacher=$at/scratch/best.safetensors \
                --set output.dir=$at/noisy-student
            if [ -f $configs/mean-teacher-lenet5.json ]; then
                run "$threads" distill $configs/mean-teacher-lenet5.json $set_common --set data.labeled.per_batch=32 \
                    --set output.dir=$at/mean-teacher
            fi
        }
    done
done
KDISTILL=$BIN scripts/keep-records.sh "$out/records" $root
# The runs of each fraction and seed are one directory's children; the report averages the seeds.
"$BIN" report "$out/records/$root"/*/* --by data.labeled.fraction,model,method --out "$out"
