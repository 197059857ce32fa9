#!/usr/bin/env python3
"""Golden numbers for KDNN's optimizers, LR schedules and safetensors reader, from PyTorch.

Regenerate (needs torch and safetensors; the Swift tests never need Python):
    python3 scripts/golden/optim_golden.py > Tests/KDNNTests/Fixtures/OptimGolden.swift

Prints a Swift source file with:
- optimizer trajectories: a few parameters, five steps with given gradients (some None, i.e. the
  parameter is skipped that step) and per-step learning rates, for each optimizer/option combination,
  with the parameters PyTorch holds after every step;
- learning-rate sequences of PyTorch schedulers (StepLR/MultiStepLR stepped per epoch,
  CosineAnnealingLR stepped per iteration with T_max = total steps, LinearLR warm-up with
  start_factor 1/W and total_iters W-1 joined by SequentialLR). With warm-up, step/multi-step
  milestones count whole-run epochs (kdistill's choice): those sequences splice the LinearLR values
  for t < W with the MultiStepLR/StepLR values of a run started at epoch 0;
- files written by safetensors.torch.save_file (a Linear+BatchNorm1d state dict with its I64
  num_batches_tracked, and one tensor of every dtype), base64-encoded, with the expected values;
- float32 -> float16 / bfloat16 -> float32 round trips as PyTorch rounds them.
"""
import base64
import math
import os
import struct
import tempfile

import torch
from safetensors.torch import save_file

torch.manual_seed(0)
SHAPES = [[2, 3], [4], [1]]
STEPS = 5
LR_FACTORS = [1.0, 1.0, 0.5, 0.5, 0.25]
# (step, parameter) pairs whose gradient is None: that parameter is skipped that step.
NONE_GRADS = {(0, 1), (1, 2), (3, 2)}


def f32(x):
    return "%.9g" % x


def floats(values):
    return "[" + ", ".join(f32(v) for v in values) + "]"


def optimizer_cases():
    cases = [
        ("sgd", "sgd", dict(lr=0.1)),
        ("sgd_wd", "sgd", dict(lr=0.1, weight_decay=0.01)),
        ("sgd_momentum", "sgd", dict(lr=0.1, momentum=0.9)),
        ("sgd_momentum_wd", "sgd", dict(lr=0.05, momentum=0.9, weight_decay=5e-4)),
        ("sgd_nesterov", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True)),
        ("sgd_nesterov_wd", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)),
        ("adam", "adam", dict(lr=0.01)),
        ("adam_wd", "adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ("adamw", "adamw", dict(lr=0.01)),
        ("adamw_custom", "adamw", dict(lr=0.02, betas=(0.85, 0.995), eps=1e-7, weight_decay=0.3)),
    ]
    gen = torch.Generator().manual_seed(1234)
    out = []
    for name, kind, opts in cases:
        params = [torch.randn(s, generator=gen).requires_grad_() for s in SHAPES]
        initial = [p.detach().flatten().tolist() for p in params]
        opt_cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
        opt = opt_cls(params, **opts)
        lrs, grads, after = [], [], []
        for s in range(STEPS):
            lr = opts["lr"] * LR_FACTORS[s]
            opt.param_groups[0]["lr"] = lr
            step_grads = []
            for i, p in enumerate(params):
                if (s, i) in NONE_GRADS:
                    p.grad = None
                    step_grads.append(None)
                else:
                    g = torch.randn(p.shape, generator=gen) * 2.0
                    p.grad = g
                    step_grads.append(g.flatten().tolist())
            opt.step()
            lrs.append(lr)
            grads.append(step_grads)
            after.append([p.detach().flatten().tolist() for p in params])
        betas = opts.get("betas", (0.9, 0.999))
        out.append(dict(name=name, kind=kind, lr=opts["lr"], momentum=opts.get("momentum", 0.0),
                        nesterov=opts.get("nesterov", False),
                        weight_decay=opts.get("weight_decay", 0.01 if kind == "adamw" else 0.0),
                        beta1=betas[0], beta2=betas[1], eps=opts.get("eps", 1e-8),
                        initial=initial, lrs=lrs, grads=grads, after=after))
    return out


def lr_sequence(make, steps_per_epoch, epochs, per_epoch, base=1.0):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    lrs = []
    for e in range(epochs):
        for _ in range(steps_per_epoch):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if not per_epoch:
                sched.step()
        if per_epoch:
            sched.step()
    return lrs


def warmup_steps(warmup_epochs, steps_per_epoch):
    return max(1, int(math.floor(warmup_epochs * steps_per_epoch + 0.5)))


def schedule_cases():
    S, E = 5, 6
    T = S * E
    L = torch.optim.lr_scheduler
    cases = []

    def add(swift_kind, base, lrs, warmup=0.0):
        cases.append((swift_kind, base, S, E, warmup, lrs))

    add(".constant", 0.1, lr_sequence(lambda o: L.LambdaLR(o, lambda s: 1.0), S, E, False, 0.1))
    add(".step(everyEpochs: 2, gamma: 0.1)", 0.1, lr_sequence(lambda o: L.StepLR(o, 2, 0.1), S, E, True, 0.1))
    add(".multiStep(milestones: [2, 4], gamma: 0.2)", 0.1,
        lr_sequence(lambda o: L.MultiStepLR(o, [2, 4], 0.2), S, E, True, 0.1))
    add(".cosine(minLR: 0)", 0.05, lr_sequence(lambda o: L.CosineAnnealingLR(o, T_max=T), S, E, False, 0.05))
    add(".cosine(minLR: 0.001)", 0.05,
        lr_sequence(lambda o: L.CosineAnnealingLR(o, T_max=T, eta_min=0.001), S, E, False, 0.05))
    for warm_epochs, eta_min in [(1.0, 0.0), (0.5, 0.0), (1.4, 0.002)]:
        W = warmup_steps(warm_epochs, S)

        def make(o, W=W, eta_min=eta_min):
            warm = L.LinearLR(o, start_factor=1.0 / W, end_factor=1.0, total_iters=W - 1)
            cos = L.CosineAnnealingLR(o, T_max=T - W, eta_min=eta_min)
            return L.SequentialLR(o, [warm, cos], milestones=[W])
        add(".cosine(minLR: %s)" % eta_min, 0.1, lr_sequence(make, S, E, False, 0.1), warm_epochs)
    for swift_kind, make_main in [(".multiStep(milestones: [2, 4], gamma: 0.1)", lambda o: L.MultiStepLR(o, [2, 4], 0.1)),
                                  (".step(everyEpochs: 3, gamma: 0.5)", lambda o: L.StepLR(o, 3, 0.5))]:
        W = warmup_steps(1.0, S)
        warm = lr_sequence(lambda o: L.LinearLR(o, start_factor=1.0 / W, end_factor=1.0, total_iters=W - 1),
                           S, E, False, 0.1)
        main = lr_sequence(make_main, S, E, True, 0.1)
        add(swift_kind, 0.1, warm[:W] + main[W:], 1.0)
    return cases


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.bn = torch.nn.BatchNorm1d(2)


def saved_bytes(tensors, metadata=None):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.safetensors")
        save_file(tensors, path, metadata=metadata)
        with open(path, "rb") as f:
            return f.read()


def safetensors_fixtures():
    net = Net()
    net.train()
    for _ in range(7):
        net.bn(torch.randn(4, 2))  # updates running stats; num_batches_tracked = 7
    sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
    state_file = saved_bytes(sd, metadata={"format": "pt"})
    state_expected = [(k, list(v.shape), [float(x) for x in v.flatten().tolist()]) for k, v in sd.items()]

    dtype_tensors = {
        "f64": torch.tensor([1.5, -2.25, 1e-3], dtype=torch.float64),
        "f16": torch.tensor([0.1, -3.5, 65504.0, 6e-8, 1.0], dtype=torch.float16),
        "bf16": torch.tensor([0.1, -3.5, 1e30], dtype=torch.bfloat16),
        "i64": torch.tensor([7, -3, 123456], dtype=torch.int64),
        "i32": torch.tensor([[1, -2], [3, 4]], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }
    dtype_file = saved_bytes(dtype_tensors, metadata={"note": "every dtype", "quote": 'say "hi"\n'})
    dtype_expected = [(k, list(v.shape), [float(x) for x in v.float().flatten().tolist()])
                      for k, v in dtype_tensors.items()]
    return state_file, state_expected, dtype_file, dtype_expected


def rounding_cases():
    xs = [0.1, -3.14159265, 65504.0, 65519.0, 65520.0, 1e5, 6.1e-5, 6.0e-8, 2.98023224e-8, 2.98023225e-8,
          1e-10, 1.0009765625, 1.00048828125, 1.00146484375, -0.0, 3.4e38, 1.17549435e-38, 2.5e-40, 0.333333343]
    x = torch.tensor(xs, dtype=torch.float32)
    return (x.tolist(), x.to(torch.float16).float().tolist(), x.to(torch.bfloat16).float().tolist())


def swift_float(v):
    if math.isinf(v):
        return "Float.infinity" if v > 0 else "-Float.infinity"
    if v != 0 and abs(v) < 1.5e-38:  # near or below FLT_MIN: exact bits (a decimal literal would warn)
        return "Float(bitPattern: 0x%08x)" % struct.unpack("<I", struct.pack("<f", v))[0]
    return f32(v)


def main():
    print("// OptimGolden: reference numbers from PyTorch %s for the optimizer, schedule and safetensors" % torch.__version__)
    print("// tests. GENERATED by scripts/golden/optim_golden.py; do not edit. Regenerate with")
    print("// `python3 scripts/golden/optim_golden.py > Tests/KDNNTests/Fixtures/OptimGolden.swift`.")
    print("import KDNN\n")
    print("/// One optimizer trajectory: initial parameters, per-step lr and gradients (nil: skipped), and the")
    print("/// parameters after each step.")
    print("struct OptimGoldenCase {")
    for field in ["name: String", "kind: String", "lr: Float", "momentum: Double", "nesterov: Bool",
                  "weightDecay: Double", "beta1: Double", "beta2: Double", "eps: Double", "shapes: [[Int]]",
                  "initial: [[Float]]", "lrs: [Float]", "grads: [[[Float]?]]", "after: [[[Float]]]"]:
        print("    let %s" % field)
    print("}\n")
    print("/// A schedule and PyTorch's learning rate at every step.")
    print("struct ScheduleGoldenCase {\n    let schedule: LRSchedule\n    let lrs: [Double]\n}\n")
    print("/// The reference numbers.")
    print("enum OptimGolden {")
    print("    static let optimizers: [OptimGoldenCase] = [")
    for c in optimizer_cases():
        print("        OptimGoldenCase(")
        print('            name: "%s", kind: "%s", lr: %s, momentum: %r, nesterov: %s,' % (
            c["name"], c["kind"], c["lr"], c["momentum"], "true" if c["nesterov"] else "false"))
        print("            weightDecay: %r, beta1: %r, beta2: %r, eps: %r," % (
            c["weight_decay"], c["beta1"], c["beta2"], c["eps"]))
        print("            shapes: %s," % SHAPES)
        print("            initial: [%s]," % ", ".join(floats(p) for p in c["initial"]))
        print("            lrs: %s," % floats(c["lrs"]))
        print("            grads: [")
        for g in c["grads"]:
            print("                [%s]," % ", ".join("nil" if x is None else floats(x) for x in g))
        print("            ],")
        print("            after: [")
        for a in c["after"]:
            print("                [%s]," % ", ".join(floats(x) for x in a))
        print("            ]),")
    print("    ]\n")
    print("    static let schedules: [ScheduleGoldenCase] = [")
    for kind, base, s, e, warm, lrs in schedule_cases():
        print("        ScheduleGoldenCase(")
        print("            schedule: LRSchedule(baseLR: %r, kind: %s, stepsPerEpoch: %d, epochs: %d, warmupEpochs: %r)," % (
            base, kind, s, e, warm))
        print("            lrs: [%s]), " % ", ".join("%.17g" % v for v in lrs))
    print("    ]\n")
    state_file, state_expected, dtype_file, dtype_expected = safetensors_fixtures()
    for label, data, expected in [("torchStateDict", state_file, state_expected), ("torchDTypes", dtype_file, dtype_expected)]:
        print("    /// Written by safetensors.torch.save_file.")
        print('    static let %sBase64 = "%s"' % (label, base64.b64encode(data).decode()))
        print("    /// (name, shape, values as Float), in the order of the dict saved (the file orders them its own way).")
        print("    static let %sExpected: [(name: String, shape: [Int], values: [Float])] = [" % label)
        for name, shape, values in expected:
            print('        ("%s", %s, [%s]),' % (name, shape, ", ".join(swift_float(v) for v in values)))
        print("    ]\n")
    xs, half, bf = rounding_cases()
    print("    /// Float32 inputs and their values after a float16 / bfloat16 round trip in PyTorch.")
    print("    static let roundingInputs: [Float] = [%s]" % ", ".join(swift_float(v) for v in xs))
    print("    static let halfRoundTrip: [Float] = [%s]" % ", ".join(swift_float(v) for v in half))
    print("    static let bfloat16RoundTrip: [Float] = [%s]" % ", ".join(swift_float(v) for v in bf))
    print("}")


if __name__ == "__main__":
    main()
