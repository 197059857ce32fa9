#!/bin/sh
# demo.sh: the main job (`make demo`): get Fashion-MNIST, train the FM-R20 resnet20 teacher, distill it
# into lenet5 with Hinton KD (teacher logits cached), and evaluate the student against the teacher.
# Both are evaluated at their last epoch (latest.safetensors): with no validation hold-out, `best` is
# chosen on the test set and would flatter them. Run directories and states come from kdistill itself.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/kdistill}
THREADS=${THREADS:-$(nproc 2>/dev/null || echo 2)}
teacher_config=configs/fashion-mnist/teacher-resnet20.json student_config=configs/fashion-mnist/kd-lenet5.json
teacher=$($BIN validate "$teacher_config" --get output.dir)
student=$($BIN validate "$student_config" --get output.dir)

echo "== 1/4 data: Fashion-MNIST" >&2
$BIN download fashion-mnist
echo "== 2/4 teacher: resnet20, FM-R20 protocol (10 epochs)" >&2
if [ "$($BIN status "$teacher")" = completed ]; then
    echo "$teacher already trained; delete it to train again" >&2
else
    $BIN --threads "$THREADS" train-teacher "$teacher_config" --resume
fi
echo "== 3/4 distillation: resnet20 -> lenet5 with KD" >&2
$BIN --threads "$THREADS" distill "$student_config"
echo "== 4/4 evaluation: student vs teacher (last epochs)" >&2
$BIN --threads "$THREADS" eval "$student/latest.safetensors" --teacher "$teacher/latest.safetensors"
