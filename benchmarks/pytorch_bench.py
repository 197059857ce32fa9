"""pytorch_bench.py: the W1-W5 workloads of shared/docs/benchmarks.md in PyTorch, printed as JSON
lines ({"workload", "images_per_s", ...}) for `make bench` to set beside kdistill's figures."""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from torch_models import build  # noqa: E402


def attention(f):
    a = f.pow(2).mean(1).flatten(1)
    return F.normalize(a, dim=1, eps=1e-12)


def workload(wid, batch):
    torch.manual_seed(0)
    if wid in ("W1", "W2"):
        model = build("mlp-1200-1200" if wid == "W1" else "lenet5", 1, 10, 28)
        x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
    else:
        x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    if wid == "W5":
        model = build("resnet20", 3, 10, 32).eval()
        x = torch.randn(1000, 3, 32, 32)

        def step():
            with torch.no_grad():
                model(x)
        return step, 1000
    if wid == "W4":
        teacher = build("resnet32", 3, 10, 32).eval()
        student = build("resnet8", 3, 10, 32)
        opt = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

        def step():
            with torch.no_grad():
                zt, ft = teacher(x, taps=True)
            zs, fs = student(x, taps=True)
            T = 4.0
            kd = F.kl_div(F.log_softmax(zs / T, 1), F.log_softmax(zt / T, 1), reduction="batchmean", log_target=True) * T * T
            at = sum((attention(fs[k]) - attention(ft[k])).pow(2).mean() for k in ("layer1", "layer2", "layer3"))
            loss = 0.1 * F.cross_entropy(zs, y) + 0.9 * kd + 1000 / 2 * at
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step, batch
    if wid == "W3":
        model = build("resnet20", 3, 10, 32)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step, batch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", default="all")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ids = ["W1", "W2", "W3", "W4", "W5"] if args.workload == "all" else args.workload.split(",")
    for wid in ids:
        step, images = workload(wid, 128)
        for _ in range(args.warmup):
            step()
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"workload": wid, "images_per_s": round(images / med, 1),
                          "median_step_s": round(med, 5), "peak_rss_mb": round(peak_mb, 1),
                          "threads": args.threads, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
