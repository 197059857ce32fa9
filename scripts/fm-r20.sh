#!/bin/sh
# fm-r20.sh: the FM-R20 method comparison of the README (docs/benchmarks.md protocol on Fashion-MNIST):
# teachers, from-scratch baselines and every method for the lenet5 and resnet8 students, one run each
# (finished runs are skipped, interrupted ones resumed), then `kdistill report` over all of them; the
# runs' JSON records are kept in REPORT_DIR/records so the report can be rebuilt without the runs, and
# REPORT_DIR/lenet5 and REPORT_DIR/resnet8 get a report of their own.
#
# usage: scripts/fm-r20.sh [-t THREADS] [-s "STUDENTS"] [-m "METHODS"] [-o REPORT_DIR]   (hours on 2 cores;
#        rerun to resume). METHODS are config names in the order to run them (default: all, scratch first).
# Copies started side by side share the work: fm-r20.sh -t 1 & fm-r20.sh -t 1
set -eu
cd "$(dirname "$0")/.."
BIN=${KDISTILL:-.build/release/kdistill}
threads=$(nproc 2>/dev/null || echo 2) out=report/fm-r20 students="lenet5 resnet8" methods= only=
# The report's grouping: the method options that make two runs different methods are keys of their own.
by=model,method,method.logit_standardization,method.variant,optimizer.lr
while getopts t:s:m:o: opt; do
    case $opt in t) threads=$OPTARG ;; s) students=$OPTARG ;; m) methods=$OPTARG only=1 ;; o) out=$OPTARG ;; *) echo "usage: fm-r20.sh [-t THREADS] [-s STUDENTS] [-m METHODS] [-o REPORT_DIR]" >&2; exit 2 ;; esac
done

. scripts/lib/runs.sh

run "$threads" train-teacher configs/fashion-mnist/teacher-resnet20.json
run "$threads" train-teacher configs/fashion-mnist/teacher-resnet14.json
for student in $students; do
    [ -n "$methods" ] || methods=$(cd configs/fashion-mnist/$student && ls scratch*.json; ls *.json | grep -v '^scratch')
    for name in $methods; do
        config=configs/fashion-mnist/$student/${name%.json}.json
        [ -f "$config" ] || continue
        case $name in scratch*) run "$threads" train-teacher "$config" ;; *) run "$threads" distill "$config" ;; esac
    done
    [ -n "$only" ] || methods=
done
KDISTILL=$BIN scripts/keep-records.sh "$out/records" runs/teacher-resnet20 runs/fm-r20
records=$out/records/runs
"$BIN" report "$records/teacher-resnet20" "$records/fm-r20/lenet5" "$records/fm-r20/resnet8" --by "$by" --out "$out"
for student in lenet5 resnet8; do # one page per student, for plots with one scale
    [ ! -d "$records/fm-r20/$student" ] || "$BIN" report "$records/fm-r20/$student" --by "$by" --out "$out/$student"
done
