#!/bin/sh
# transfer-set.sh: Hinton et al. 2015 §3 on Fashion-MNIST (beyond.md 1.5 E2'; `-d mnist` for MNIST where
# its files are present): an mlp-800-800 distilled at T = 20 with no label term from the FM-R20 resnet20
# on the training images (a) all of them, (b) without class 3, (c) with classes 7 and 8 only, and (d) the
# control: (b)'s images with their labels; then `calibrate-bias` on the validation split for the classes
# (b) and (c) left out or kept, and a Markdown table of test errors before and after (needs jq).
#
# usage: scripts/transfer-set.sh [-t THREADS] [-d DATASET] [-o TABLE.md]   (rerun to resume)
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
command -v jq >/dev/null || { echo "transfer-set.sh: needs jq (apt-get install jq)" >&2; exit 2; }
threads=$(nproc 2>/dev/null || echo 2) dataset=fashion-mnist table=report/transfer-set.md
while getopts t:d:o: opt; do
    case $opt in t) threads=$OPTARG ;; d) dataset=$OPTARG ;; o) table=$OPTARG ;;
        *) echo "usage: transfer-set.sh [-t THREADS] [-d DATASET] [-o TABLE.md]" >&2; exit 2 ;; esac
done
config=configs/fashion-mnist/transfer/kd-mlp-800-800.json root=runs/transfer-set/$dataset
teacher=runs/teacher-resnet20 # the FM-R20 teacher; another dataset gets its own
[ "$dataset" = fashion-mnist ] || teacher=$teacher-$dataset
run "$threads" train-teacher configs/fashion-mnist/teacher-resnet20.json --set data.dataset="$dataset" --set output.dir=$teacher
common="--set data.dataset=$dataset --set teacher=$teacher/latest.safetensors"
# shellcheck disable=SC2086 # common is a list of words
{
    run "$threads" distill $config $common --set 'data.transfer.exclude_classes=[]' --set output.dir=$root/all
    run "$threads" distill $config $common --set output.dir=$root/without-3
    run "$threads" distill $config $common --set 'data.transfer.exclude_classes=[]' \
        --set 'data.transfer.include_classes=[7,8]' --set output.dir=$root/only-7-8
    run "$threads" train-teacher $config $common --set model=mlp-800-800 --set output.dir=$root/control-labels
}
[ -f $root/without-3/bias-corrected.safetensors ] || "$BIN" --threads "$threads" calibrate-bias $root/without-3 --classes 3 >&2
[ -f $root/only-7-8/bias-corrected.safetensors ] || "$BIN" --threads "$threads" calibrate-bias $root/only-7-8 --classes 7,8 >&2

# errors CHECKPOINT CLASSES: "total errors, errors on CLASSES" on the test split (CLASSES: jq array).
errors() {
    "$BIN" --threads "$threads" eval "$1" --json |
        jq -r --argjson c "$2" '[(.images - (.top1 * .images + 0.5 | floor)),
            ([.confusion as $m | $c[] | ($m[.] | add) - $m[.][.]] | add)] | "\(.[0]) | \(.[1])"'
}
delta() { jq -r '.delta | . * 100 | round / 100' "$1/calibration.json"; }
mkdir -p "$(dirname "$table")"
{
    echo "| transfer set ($dataset train, 5,000 held out) | test errors | on the classes named | δ on their bias (validation) | test errors after | on the classes after |"
    echo "|---|---|---|---|---|---|"
    echo "| every image | $(errors $root/all/best.safetensors '[3]') | | | |"
    echo "| without class 3 | $(errors $root/without-3/best.safetensors '[3]') | $(delta $root/without-3) | $(errors $root/without-3/bias-corrected.safetensors '[3]') |"
    echo "| classes 7 and 8 only | $(errors $root/only-7-8/best.safetensors '[7,8]') | $(delta $root/only-7-8) | $(errors $root/only-7-8/bias-corrected.safetensors '[7,8]') |"
    echo "| control: without class 3, trained on its labels | $(errors $root/control-labels/best.safetensors '[3]') | | | |"
} > "$table"
cat "$table"
