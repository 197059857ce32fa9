#!/bin/sh
# views.sh: experiment E8 of beyond.md 5.2 (cross-view distillation) on Fashion-MNIST with 5,000 validation
# images. The FM-R20 resnet20 teacher (configs/fashion-mnist/teacher-resnet20.json, trained first if absent)
# reads the full 28x28 image; for each student view (the 7x7 and 14x14 thumbnails, the top half, the image
# under Gaussian noise of sigma 0.5) and seed: the student from scratch on its view and the student distilled
# from that teacher (kd, T 4, ce 0.1, kd 0.9, teacher cached: one cache entry serves every view, since the
# teacher reads the same images); resnet8 for the views below 16x16, lenet5 for the noisy image. Then
# `kdistill report` by view, model and method, with the teacher's own run as a row.
# -p adds the privileged-information baseline (Lopez-Paz et al. 2016, generalized distillation) on the 7x7
# thumbnail: (1 - lambda) CE + lambda T^2 KL for lambda in 0, 0.25, 0.5, 0.75, 1 (one config each under
# configs/fashion-mnist/views/privileged/) and T in 1, 2, 5, 10, 20, 50 (scripts/sweep.sh's method.T axis;
# lambda 0 is CE alone, once), reported by lambda and T, and the (lambda, T) with the best mean validation
# accuracy over the seeds written to REPORT_DIR/privileged/choice.txt (their choice: on validation).
#
# usage: scripts/views.sh [-t THREADS] [-o REPORT_DIR] [-v "VIEWS"] [-s "SEEDS"] [-p]   (rerun to resume;
#        about an hour on 2 cores without -p, estimated; -p adds 25 resnet8 runs on 7x7 per seed)
# Copies started side by side share the work: views.sh -t 1 & views.sh -t 1
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/views views="thumb7 thumb14 top-half noisy" seeds="0 1" privileged=
while getopts t:o:v:s:p opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; v) views=$OPTARG ;; s) seeds=$OPTARG ;; p) privileged=1 ;;
        *) echo "usage: views.sh [-t THREADS] [-o REPORT_DIR] [-v VIEWS] [-s SEEDS] [-p]" >&2; exit 2 ;; esac
done
configs=configs/fashion-mnist/views root=runs/views

run "$threads" train-teacher configs/fashion-mnist/teacher-resnet20.json
if ! finished runs/teacher-resnet20; then
    echo "$0: the teacher runs/teacher-resnet20 is not finished yet; rerun for the students" >&2
    exit 0
fi
for view in $views; do
    for seed in $seeds; do
        at=$root/$view/seed$seed
        run "$threads" train-teacher $configs/scratch-$view.json --set seed="$seed" --set output.dir=$at/scratch
        run "$threads" distill $configs/kd-$view.json --set seed="$seed" --set output.dir=$at/kd
    done
done
if [ -n "$privileged" ]; then
    seedlist=$(echo $seeds | tr ' ' ',')
    for lambda in 0 0.25 0.5 0.75 1; do
        temperatures=1,2,5,10,20,50
        [ "$lambda" != 0 ] || temperatures=1 # CE alone: T does not enter the loss
        KDISTILL=$BIN scripts/sweep.sh -t "$threads" -o $root/privileged/lambda-$lambda \
            $configs/privileged/kd-thumb7-lambda$lambda.json method.T=$temperatures seed="$seedlist"
    done
fi

KDISTILL=$BIN scripts/keep-records.sh "$out/records" runs/teacher-resnet20 $root
records=$out/records
dirs=$records/runs/teacher-resnet20
for view in $views; do [ ! -d "$records/$root/$view" ] || dirs="$dirs $records/$root/$view/*/*"; done
# shellcheck disable=SC2086 # dirs is a list of words and patterns
"$BIN" report $dirs --by data.student_view,model,method --out "$out"
if [ -n "$privileged" ] && [ -d "$records/$root/privileged" ]; then
    "$BIN" report "$records/$root"/privileged/*/* --by method.kd_weight,method.T --out "$out/privileged"
    # Lopez-Paz et al. choose (lambda, T) on validation: the best mean of best_val_acc over the seeds.
    for summary in "$records/$root"/privileged/lambda-*/*/summary.json; do
        [ -f "$summary" ] || continue
        lambda=${summary#"$records/$root"/privileged/lambda-}
        lambda=${lambda%%/*}
        t=$(basename "$(dirname "$summary")")
        t=${t#method.T-}
        t=${t%%__*}
        acc=$(sed -n 's/^ *"best_val_acc": \([0-9.eE+-]*\),*$/\1/p' "$summary")
        [ -z "$acc" ] || echo "$lambda $t $acc"
    done | awk '{ k = $1 " " $2; s[k] += $3; n[k]++ } END { for (k in s) print s[k] / n[k], k, n[k] }' | sort -rn | head -1 |
        awk '{ printf "chosen on validation: lambda %s, T %s (mean best val_acc %.4f over %d seeds)\n", $2, $3, $1, $4 }' |
        tee "$out/privileged/choice.txt"
fi
