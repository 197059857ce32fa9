#!/bin/sh
# demo.sh: the main job (`make demo`): get Fashion-MNIST, train the FM-R20 resnet20 teacher, distill it
# into lenet5 with Hinton KD (teacher logits cached), and evaluate the student against the teacher.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/kdistill}
THREADS=${THREADS:-$(nproc 2>/dev/null || echo 2)}

echo "== 1/4 data: Fashion-MNIST" >&2
$BIN download fashion-mnist
echo "== 2/4 teacher: resnet20, FM-R20 protocol (10 epochs)" >&2
if [ -f runs/teacher-resnet20/summary.json ] && grep -q '"completed"' runs/teacher-resnet20/summary.json; then
    echo "runs/teacher-resnet20 already trained; delete it to train again" >&2
else
    $BIN --threads "$THREADS" train-teacher configs/fashion-mnist/teacher-resnet20.json --resume
fi
echo "== 3/4 distillation: resnet20 -> lenet5 with KD" >&2
$BIN --threads "$THREADS" distill configs/fashion-mnist/kd-lenet5.json
echo "== 4/4 evaluation: student vs teacher" >&2
$BIN --threads "$THREADS" eval runs/kd-lenet5/best.safetensors --teacher runs/teacher-resnet20/best.safetensors
