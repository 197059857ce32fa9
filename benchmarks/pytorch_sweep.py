"""pytorch_sweep.py: the FM-R20 lenet5 sweep of `make bench-e2e` in PyTorch, as a careful CPU user writes it:
channels_last, the teacher's training-set outputs (logits and the taps the methods read) computed once per
teacher and reused by every run, as torchdistill's cache does; evaluation on the test set after each epoch,
as kdistill's runs do. Methods and weights are those of configs/fashion-mnist/lenet5/*.json (kdistill's
losses: docs/methods.md): kd, at+kd, rkd, sp, fitnet (two-stage), eskd (epoch-3 teacher, KD for 7 epochs).

usage: python3 benchmarks/pytorch_sweep.py --teacher T.safetensors --early-teacher E.safetensors
       [--data-dir /usr/share/datasets/fashion-mnist] [--threads 2] [--methods kd,at+kd,...] [--epochs 10]
       [--limit N] [--out FILE.json]
Prints one JSON line per run (and the teacher passes): wall seconds and final test accuracy.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from check_pytorch import load_split  # noqa: E402
from torch_models import build  # noqa: E402

METHODS = ["kd", "at+kd", "rkd", "sp", "fitnet", "eskd"]
LR, MOMENTUM, WD, BATCH = 0.01, 0.9, 5e-4, 128


def lenet5_taps(model, x):
    """The lenet5 student's logits and taps (docs/models.md): conv1, conv2 after pooling, fc1, fc2."""
    c1 = F.max_pool2d(F.relu(model.conv1(x)), 2)
    c2 = F.max_pool2d(F.relu(model.conv2(c1)), 2)
    f1 = F.relu(model.fc1(c2.flatten(1)))
    f2 = F.relu(model.fc2(f1))
    return model.fc3(f2), {"conv1": c1, "conv2": c2, "fc1": f1, "fc2": f2}


def kd_loss(zs, zt, T=4.0):
    return F.kl_div(F.log_softmax(zs / T, 1), F.softmax(zt / T, 1), reduction="batchmean") * T * T


def attention(f):
    return F.normalize(f.pow(2).mean(1).flatten(1), dim=1)


def at_loss(fs, ft):
    if fs.shape[-1] != ft.shape[-1]:  # the larger map is adaptive-average-pooled to the smaller
        size = min(fs.shape[-1], ft.shape[-1])
        fs, ft = F.adaptive_avg_pool2d(fs, size), F.adaptive_avg_pool2d(ft, size)
    return (attention(fs) - attention(ft)).pow(2).mean()


def sp_loss(fs, ft):
    b = fs.shape[0]
    gs = F.normalize(fs.flatten(1) @ fs.flatten(1).t(), dim=1)
    gt = F.normalize(ft.flatten(1) @ ft.flatten(1).t(), dim=1)
    return (gs - gt).pow(2).sum() / (b * b)


def pdist(e):
    d = (e.pow(2).sum(1, keepdim=True) + e.pow(2).sum(1) - 2 * e @ e.t()).clamp(min=1e-12).sqrt()
    d = d.clone()
    d[range(len(e)), range(len(e))] = 0
    return d


def rkd_loss(es, et):
    with torch.no_grad():
        dt = pdist(et)
        dt = dt / dt[dt > 0].mean()
    ds = pdist(es)
    ds = ds / ds[ds > 0].mean()
    distance = F.smooth_l1_loss(ds, dt)
    with torch.no_grad():
        vt = F.normalize(et.unsqueeze(0) - et.unsqueeze(1), p=2, dim=2)
        at = torch.bmm(vt, vt.transpose(1, 2)).view(-1)
    vs = F.normalize(es.unsqueeze(0) - es.unsqueeze(1), p=2, dim=2)
    a_s = torch.bmm(vs, vs.transpose(1, 2)).view(-1)
    return 25 * distance + 50 * F.smooth_l1_loss(a_s, at)


class Teacher:
    """A resnet20 checkpoint's outputs on the training set, computed once (no grad, eval mode)."""

    def __init__(self, path, images, taps):
        model = build("resnet20").to(memory_format=torch.channels_last)
        model.load_state_dict(load_file(path), strict=True)
        model.eval()
        start = time.perf_counter()
        outs = {"logits": []} | {t: [] for t in taps}
        with torch.no_grad():
            for i in range(0, len(images), 1000):
                logits, feats = model(images[i:i + 1000], taps=True)
                outs["logits"].append(logits)
                for t in taps:
                    outs[t].append(feats[t].contiguous())
        self.outputs = {k: torch.cat(v) for k, v in outs.items()}
        self.seconds = time.perf_counter() - start


def train(method, teachers, train_x, train_y, test_x, test_y, epochs, seed):
    torch.manual_seed(seed)
    student = build("lenet5").to(memory_format=torch.channels_last)
    extra = []
    regressor = None
    if method == "fitnet":
        regressor = nn.Linear(120, 64)  # fc1 (120) -> the teacher's pool (64): HintRegressor's linear case
        extra = list(regressor.parameters())
    opt = torch.optim.SGD(list(student.parameters()) + extra, lr=LR, momentum=MOMENTUM, nesterov=True, weight_decay=WD)
    teacher = teachers["early" if method == "eskd" else "final"].outputs
    hint_epochs = max(1, epochs // 3)
    n = len(train_x)
    for epoch in range(epochs):
        for group in opt.param_groups:  # cosine, per epoch, as kdistill's schedule
            group["lr"] = 0.5 * LR * (1 + math.cos(math.pi * epoch / epochs))
        student.train()
        order = torch.randperm(n)
        for i in range(0, n, BATCH):
            idx = order[i:i + BATCH]
            x, y = train_x[idx], train_y[idx]
            zs, fs = lenet5_taps(student, x)
            zt = teacher["logits"][idx]
            if method == "kd" or (method == "eskd" and epoch < 7):
                loss = 0.1 * F.cross_entropy(zs, y) + 0.9 * kd_loss(zs, zt)
            elif method == "eskd":
                loss = F.cross_entropy(zs, y)
            elif method == "at+kd":
                at = at_loss(fs["conv1"], teacher["layer2"][idx]) + at_loss(fs["conv2"], teacher["layer3"][idx])
                loss = 0.1 * F.cross_entropy(zs, y) + 0.9 * kd_loss(zs, zt) + 100 * at
            elif method == "rkd":
                loss = F.cross_entropy(zs, y) + rkd_loss(fs["fc2"], teacher["pool"][idx])
            elif method == "sp":
                loss = F.cross_entropy(zs, y) + 3000 * sp_loss(fs["conv2"], teacher["layer3"][idx])
            elif method == "fitnet" and epoch < hint_epochs:
                loss = 10 * F.mse_loss(regressor(fs["fc1"]), teacher["pool"][idx])
            elif method == "fitnet":
                loss = 0.1 * F.cross_entropy(zs, y) + 0.9 * kd_loss(zs, zt)
            else:
                raise SystemExit(f"pytorch_sweep: unknown method {method}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        student.eval()
        with torch.no_grad():
            correct = sum(int((student(test_x[j:j + 1000]).argmax(1) == test_y[j:j + 1000]).sum())
                          for j in range(0, len(test_x), 1000))
    return correct / len(test_x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--early-teacher", required=True)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (a smoke test)")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    tx, ty = load_split(args.data_dir, "train")
    if args.limit:
        tx, ty = tx[:args.limit], ty[:args.limit]
    vx, vy = load_split(args.data_dir, "test")
    mean, std = float(tx.mean()), float(tx.std())
    def tensor(images):
        return torch.from_numpy((images - mean) / std).contiguous(memory_format=torch.channels_last)
    train_x, test_x = tensor(tx), tensor(vx)
    train_y, test_y = torch.from_numpy(ty), torch.from_numpy(vy)
    methods = args.methods.split(",")
    records = [{"what": "load data", "seconds": time.perf_counter() - start}]
    teachers = {}
    if any(m != "eskd" for m in methods):
        teachers["final"] = Teacher(args.teacher, train_x, ["layer2", "layer3", "pool"])
        records.append({"what": "teacher pass (final)", "seconds": teachers["final"].seconds})
    if "eskd" in methods:
        teachers["early"] = Teacher(args.early_teacher, train_x, [])
        records.append({"what": "teacher pass (epoch 3)", "seconds": teachers["early"].seconds})
    for r in records:
        print(json.dumps(r), flush=True)
    for method in methods:
        t0 = time.perf_counter()
        acc = train(method, teachers, train_x, train_y, test_x, test_y, args.epochs, args.seed)
        record = {"what": method, "seconds": time.perf_counter() - t0, "test_acc": acc}
        records.append(record)
        print(json.dumps(record), flush=True)
    total = time.perf_counter() - start
    records.append({"what": "total", "seconds": total})
    print(json.dumps(records[-1]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"engine": "pytorch", "torch": torch.__version__, "threads": args.threads, "runs": records}, f, indent=1)


if __name__ == "__main__":
    main()
