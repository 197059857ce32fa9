#!/bin/sh
# deploy.sh: issue 16's deployment table on Fashion-MNIST: for the lenet5 and resnet8 students of FM-R20's
# KD config (configs/fashion-mnist/<student>/kd.json; the FM-R20 teacher is trained first if absent), the
# float KD student, its post-training int8 (`kdistill quantize`, min-max on 1,000 training images) and the
# int8 student of quantization-aware KD (the same config with method.quantize int8, quantized from its
# stored ranges); each int8 and float checkpoint exported to ONNX, and checked in onnxruntime by
# scripts/check_onnx.py when python3 can import it. The tool's own outputs go to REPORT_DIR/<student>/.
#
# usage: scripts/deploy.sh [-t THREADS] [-o REPORT_DIR] [-s "STUDENTS"]   (rerun to resume; a resnet8 run is
#        about an hour on one thread)
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
. scripts/lib/runs.sh
threads=$(nproc 2>/dev/null || echo 2) out=report/deploy students="lenet5 resnet8"
while getopts t:o:s: opt; do
    case $opt in t) threads=$OPTARG ;; o) out=$OPTARG ;; s) students=$OPTARG ;;
        *) echo "usage: deploy.sh [-t THREADS] [-o REPORT_DIR] [-s STUDENTS]" >&2; exit 2 ;; esac
done

run "$threads" train-teacher configs/fashion-mnist/teacher-resnet20.json
onnxruntime=
if command -v python3 >/dev/null && python3 -c "import onnxruntime, numpy" 2>/dev/null; then onnxruntime=1; fi
for student in $students; do
    config=configs/fashion-mnist/$student/kd.json
    float=$("$BIN" validate "$config" --get output.dir)
    qat=runs/deploy/$student/qat-kd
    run "$threads" distill "$config"
    run "$threads" distill "$config" --set method.quantize=int8 --set output.dir=$qat
    finished "$float" && finished "$qat" || { echo "$0: $student's runs are not finished; rerun" >&2; continue; }
    mkdir -p "$out/$student" runs/deploy/$student
    # PTQ of the float student; the QAT student from the ranges its training observed.
    "$BIN" --threads "$threads" quantize "$float/latest.safetensors" --calibration 1000 \
        --out runs/deploy/$student/ptq.int8.safetensors > "$out/$student/ptq.txt"
    "$BIN" --threads "$threads" quantize "$qat/latest.safetensors" \
        --out runs/deploy/$student/qat-kd.int8.safetensors > "$out/$student/qat-kd.txt"
    for name in ptq qat-kd; do
        "$BIN" --threads "$threads" eval runs/deploy/$student/$name.int8.safetensors --json > "$out/$student/$name.eval.json"
        "$BIN" export runs/deploy/$student/$name.int8.safetensors --out runs/deploy/$student/$name.int8.onnx \
            > "$out/$student/$name.export.txt"
    done
    "$BIN" export "$float/latest.safetensors" --out runs/deploy/$student/float.onnx > "$out/$student/float.export.txt"
    if [ -n "$onnxruntime" ]; then
        python3 scripts/check_onnx.py runs/deploy/$student/float.onnx "$float/latest.safetensors" \
            > "$out/$student/float.onnxruntime.txt" 2>&1 || true
        for name in ptq qat-kd; do
            python3 scripts/check_onnx.py runs/deploy/$student/$name.int8.onnx runs/deploy/$student/$name.int8.safetensors \
                > "$out/$student/$name.onnxruntime.txt" 2>&1 || true
        done
    fi
    ls -l "$float/latest.safetensors" runs/deploy/$student/*.safetensors runs/deploy/$student/*.onnx > "$out/$student/sizes.txt"
    echo "$0: $student done: $out/$student" >&2
done
