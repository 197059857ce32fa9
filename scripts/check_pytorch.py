"""check_pytorch.py: checkpoints move both ways between kdistill and PyTorch with the same predictions.

1. A kdistill checkpoint loads into the PyTorch model of scripts/torch_models.py with a strict
   load_state_dict, and PyTorch's logits on the test set match `kdistill eval --predictions`.
2. A PyTorch state_dict saved with safetensors.torch.save_file (no kdistill metadata) evaluates in
   kdistill with `--model`, again with matching logits.

usage: python3 scripts/check_pytorch.py CHECKPOINT [--data-dir DIR] [--limit N]
Needs torch, safetensors and numpy (pip install torch safetensors numpy); kdistill itself never does.
"""
import argparse
import csv
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import build  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
BIN = os.environ.get("KDISTILL", os.path.join(ROOT, ".build", "release", "kdistill"))


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load_split(directory, split):
    prefix = "train" if split == "train" else "t10k"
    def find(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                return path
        raise SystemExit(f"check_pytorch: {os.path.join(directory, name)}[.gz] not found")
    images = read_idx(find(f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255.0
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    return images[:, None, :, :], labels


def kdistill_logits(args):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "predictions.csv")
        subprocess.run([BIN, "eval", *args, "--predictions", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            rows = list(csv.DictReader(f))
    order = np.array([int(r["index"]) for r in rows])
    logits = np.array([[float(r[k]) for k in r if k.startswith("logit_")] for r in rows], dtype=np.float32)
    result = np.zeros_like(logits)
    result[order] = logits
    return result


def torch_logits(model, images, mean, std):
    x = torch.from_numpy((images - np.array(mean, np.float32)[None, :, None, None]) / np.array(std, np.float32)[None, :, None, None])
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)]).numpy()


def compare(name, ours, theirs):
    agree = float((ours.argmax(1) == theirs.argmax(1)).mean())
    worst = float(np.abs(ours - theirs).max())
    print(f"{name}: predictions agree on {agree * 100:.2f}% of {len(ours)} images, largest logit difference {worst:.2e}")
    return agree >= 0.999 and worst < 1e-3 * max(1.0, float(np.abs(theirs).max()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    torch.set_num_threads(2)
    with safe_open(args.checkpoint, "pt") as f:
        meta = f.metadata() or {}
    if meta.get("format") != "kdistill.v1":
        raise SystemExit(f"check_pytorch: {args.checkpoint} has no kdistill metadata")
    c, h, w = json.loads(meta["input_shape"])
    classes, name = int(meta["num_classes"]), meta["model"]
    norm = json.loads(meta["normalization"])
    directory = args.data_dir or next(d for d in (os.path.join(ROOT, "data", meta["dataset"]), "/usr/share/datasets/fashion-mnist")
                                      if os.path.isdir(d))
    images, _ = load_split(directory, "test")

    # 1. kdistill → PyTorch.
    model = build(name, c, classes, h).eval()
    model.load_state_dict(load_file(args.checkpoint), strict=True)
    ok1 = compare("kdistill checkpoint in PyTorch", kdistill_logits([args.checkpoint, "--data-dir", directory]),
                  torch_logits(model, images, norm["mean"], norm["std"]))

    # 2. PyTorch → kdistill: the same weights, re-saved by PyTorch without kdistill metadata.
    train, _ = load_split(directory, "train")
    mean, std = [float(train.mean())], [float(train.std())]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pytorch.safetensors")
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)
        ours = kdistill_logits([path, "--model", name, "--data", meta["dataset"], "--data-dir", directory])
    ok2 = compare("PyTorch save_file in kdistill", ours, torch_logits(model, images, mean, std))
    sys.exit(0 if ok1 and ok2 else 1)


if __name__ == "__main__":
    main()
