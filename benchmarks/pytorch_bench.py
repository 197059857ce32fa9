"""pytorch_bench.py: the W1-W5 workloads of docs/benchmarks.md in PyTorch, one JSON line per workload, in a
chosen memory layout (default or channels_last) and optionally under torch.compile; benchmarks/bench.py
runs it once per workload and variant, each in a fresh process, alternating with kdistill.

Usage: python3 benchmarks/pytorch_bench.py --workload W3 [--layout channels_last] [--compile]
       [--threads N] [--steps N] [--warmup N]
       python3 benchmarks/pytorch_bench.py --info     (versions, as one JSON line)
"""
import argparse
import json
import os
import re
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the driver reads this exit status as "PyTorch is not installed"
    print(f"pytorch_bench.py: PyTorch is not installed ({e})", file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from torch_models import build  # noqa: E402

WORKLOADS = ["W1", "W2", "W3", "W4", "W5"]
# Workloads whose models are convolutional: channels_last applies to them (W1 is an MLP).
CONV_WORKLOADS = {"W2", "W3", "W4", "W5"}
BATCH = 128


def attention(f):
    """Attention map of a feature map [B, C, H, W] -> [B, H*W] (Zagoruyko & Komodakis; RepDistiller's at())."""
    return F.normalize(f.pow(2).mean(1).flatten(1), dim=1, eps=1e-12)


def sgd(model):
    # Same optimiser as kdistill's workloads (Sources/KDTrain/Bench/Workloads.swift).
    return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)


def workload(wid, channels_last, compiled):
    """Builds workload `wid`: returns (step, images per step, title)."""
    torch.manual_seed(0)
    fmt = torch.channels_last if channels_last else torch.contiguous_format

    def prepare(model, x):
        if channels_last:
            model = model.to(memory_format=fmt)
            x = x.contiguous(memory_format=fmt)
        return (torch.compile(model) if compiled else model), x

    if wid in ("W1", "W2", "W3"):
        name, shape = {"W1": ("mlp-1200-1200", (1, 28)), "W2": ("lenet5", (1, 28)), "W3": ("resnet20", (3, 32))}[wid]
        raw = build(name, shape[0], 10, shape[1]).train()
        opt = sgd(raw)
        model, x = prepare(raw, torch.randn(BATCH, shape[0], shape[1], shape[1]))
        y = torch.randint(0, 10, (BATCH,))

        def step():
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step, BATCH, f"{name} training step"
    if wid == "W4":
        # Teacher resnet32 in eval mode without gradients; student resnet8 trained with
        # 0.1*CE + 0.9*KD(T=4) + 1000/2 * sum of AT over layer1..3 (docs/benchmarks.md).
        teacher_raw = build("resnet32", 3, 10, 32).eval()
        for p in teacher_raw.parameters():
            p.requires_grad_(False)
        student_raw = build("resnet8", 3, 10, 32).train()
        opt = sgd(student_raw)
        x = torch.randn(BATCH, 3, 32, 32)
        teacher, _ = prepare(teacher_raw, x)
        student, x = prepare(student_raw, x)
        y = torch.randint(0, 10, (BATCH,))
        T = 4.0

        def step():
            with torch.no_grad():
                zt, ft = teacher(x, taps=True)
            zs, fs = student(x, taps=True)
            ce = F.cross_entropy(zs, y)
            kd = F.kl_div(F.log_softmax(zs / T, 1), F.log_softmax(zt / T, 1), reduction="batchmean", log_target=True) * T * T
            at = sum((attention(fs[k]) - attention(ft[k])).pow(2).mean() for k in ("layer1", "layer2", "layer3"))
            loss = 0.1 * ce + 0.9 * kd + 1000 / 2 * at
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step, BATCH, "resnet32 -> resnet8 distillation step (CE + KD + AT)"
    if wid == "W5":
        model, x = prepare(build("resnet20", 3, 10, 32).eval(), torch.randn(1000, 3, 32, 32))

        def step():
            with torch.inference_mode():
                model(x)
        return step, 1000, "resnet20 inference, batch 1000"
    raise SystemExit(f"--workload: expected one of {', '.join(WORKLOADS)}, found '{wid}'")


def info():
    """Versions of torch and the libraries it computes with."""
    config = torch.__config__.show()

    def find(pattern):
        m = re.search(pattern, config)
        return m.group(1).strip() if m else None
    return {"torch": torch.__version__, "mkl": find(r"Math Kernel Library Version ([^\n]+)"),
            "onednn": find(r"MKL-DNN (v[^\s(]+)") or find(r"oneDNN (v[^\s(]+)"),
            "threads": torch.get_num_threads()}


def time_workload(wid, layout, compiled, steps, warmup):
    """Times one workload: median of `steps` steps after `warmup` (the first warm-up step compiles)."""
    channels_last = layout == "channels_last"
    step, images, title = workload(wid, channels_last, compiled)
    t0 = time.perf_counter()
    for _ in range(warmup):
        step()
    warmup_s = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    record = {"workload": wid, "title": title, "engine": "pytorch", "layout": layout, "compile": compiled,
              "images_per_s": round(images / med, 1), "median_step_s": round(med, 5),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "threads": torch.get_num_threads(), "images_per_step": images, "steps": steps, "warmup": warmup,
              "warmup_s": round(warmup_s, 2), "torch": torch.__version__}
    return record


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="all", help="W1..W5, a comma-separated list, or all")
    ap.add_argument("--layout", choices=["default", "channels_last"], default="default",
                    help="memory format of model and input (channels_last applies to W2..W5; W1 is an MLP)")
    ap.add_argument("--compile", action="store_true", help="wrap the model(s) in torch.compile")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--info", action="store_true", help="print the versions as one JSON line and exit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.info:
        print(json.dumps(info()), flush=True)
        return
    if args.steps < 1 or args.warmup < (1 if args.compile else 0):
        raise SystemExit("--steps must be >= 1 and --warmup >= 0 (>= 1 with --compile, which compiles in warm-up)")
    ids = WORKLOADS if args.workload == "all" else args.workload.split(",")
    for wid in ids:
        if args.layout == "channels_last" and wid not in CONV_WORKLOADS:
            raise SystemExit(f"--layout channels_last: {wid} has no convolutions (channels_last applies to "
                             f"{', '.join(sorted(CONV_WORKLOADS))})")
        print(json.dumps(time_workload(wid, args.layout, args.compile, args.steps, args.warmup)), flush=True)


if __name__ == "__main__":
    main()
