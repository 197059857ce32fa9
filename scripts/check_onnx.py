"""check_onnx.py: an ONNX file written by `kdistill export` gives, under onnxruntime, the logits that
`kdistill eval --predictions` gives for its checkpoint, image by image, on the test set.

usage: python3 scripts/check_onnx.py MODEL.onnx [CHECKPOINT] [--data-dir DIR] [--limit N]
CHECKPOINT defaults to the file's `source_checkpoint` metadata. The graph reads pixels/255 (its own
normalisation inside) and returns logits. An int8 QDQ graph (`kdistill export` of a `kdistill quantize`
checkpoint) is compared with the int8 checkpoint's eval, within a looser bound. Needs onnxruntime and numpy (pip install onnxruntime numpy);
kdistill itself never does.
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
import onnxruntime as ort

ROOT = os.path.join(os.path.dirname(__file__), "..")
BIN = os.environ.get("KDISTILL", os.path.join(ROOT, ".build", "release", "kdistill"))


def find(directory, *names):
    for name in names:
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                return path
    raise SystemExit(f"check_onnx: none of {names} (or .gz) in {directory}")


def read_bytes(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def test_images(dataset, directory):
    """The test split as float32 pixels/255, [N, C, H, W], in file order (kdistill's eval index)."""
    if dataset in ("mnist", "fashion-mnist"):
        data = read_bytes(find(directory, "t10k-images-idx3-ubyte"))
        n, h, w = struct.unpack(">III", data[4:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w).astype(np.float32) / 255.0
    if dataset == "cifar10":
        base = os.path.join(directory, "cifar-10-batches-bin") if os.path.isdir(os.path.join(directory, "cifar-10-batches-bin")) else directory
        records = np.frombuffer(read_bytes(find(base, "test_batch.bin")), np.uint8).reshape(-1, 3073)
        return records[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    if dataset == "cifar100":
        base = os.path.join(directory, "cifar-100-binary") if os.path.isdir(os.path.join(directory, "cifar-100-binary")) else directory
        records = np.frombuffer(read_bytes(find(base, "test.bin")), np.uint8).reshape(-1, 3074)
        return records[:, 2:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    raise SystemExit(f"check_onnx: unknown dataset '{dataset}'")


def kdistill_logits(checkpoint, directory, limit):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "predictions.csv")
        args = [BIN, "eval", checkpoint, "--data-dir", directory, "--predictions", out]
        if limit:
            args += ["--limit", str(limit)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            rows = list(csv.DictReader(f))
    index = np.array([int(r["index"]) for r in rows])
    logits = np.array([[float(r[k]) for k in r if k.startswith("logit_")] for r in rows], dtype=np.float32)
    return index, logits


def onnx_logits(session, images):
    """Runs the graph in chunks; a fixed batch dimension gets chunks of exactly that size (the last padded)."""
    declared = session.get_inputs()[0].shape[0]
    step = declared if isinstance(declared, int) and declared > 0 else 500
    name = session.get_inputs()[0].name
    out = []
    for i in range(0, len(images), step):
        chunk = images[i:i + step]
        padded = np.concatenate([chunk, np.zeros((step - len(chunk),) + chunk.shape[1:], np.float32)]) if len(chunk) < step else chunk
        out.append(session.run(None, {name: padded})[0][:len(chunk)])
    return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("checkpoint", nargs="?")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    checkpoint = args.checkpoint or meta.get("source_checkpoint")
    if not checkpoint or not os.path.exists(checkpoint):
        raise SystemExit(f"check_onnx: give the checkpoint ({checkpoint or 'none'} in the metadata is not there)")
    dataset = meta["dataset"]
    directory = args.data_dir or next(
        (d for d in (os.path.join(ROOT, "data", dataset), "/usr/share/datasets/fashion-mnist")
         if os.path.isdir(d) and (dataset == "fashion-mnist" or "fashion" not in d)), None)
    if directory is None:
        raise SystemExit(f"check_onnx: no data directory for {dataset}; give --data-dir")
    classes = json.loads(meta["class_names"])
    index, ours = kdistill_logits(checkpoint, directory, args.limit)
    theirs = onnx_logits(session, test_images(dataset, directory)[index])
    agree = float((ours.argmax(1) == theirs.argmax(1)).mean())
    worst = float(np.abs(ours - theirs).max())
    print(f"{args.model} ({meta.get('model')}, {len(classes)} classes) under onnxruntime "
          f"{ort.__version__}: predictions agree with kdistill eval on {agree * 100:.2f}% of {len(ours)} test images, "
          f"largest logit difference {worst:.2e}")
    # An int8 QDQ graph: onnxruntime's fused int8 kernels requantize with their own fixed-point rounding, so a
    # value on a rounding boundary may land one step away from kdistill's: a looser bound, still near-total agreement.
    quantized = "kdistill.quantized" in meta
    bound, needed = (2e-2, 0.99) if quantized else (1e-3, 0.999)
    sys.exit(0 if agree >= needed and worst < bound * max(1.0, float(np.abs(ours).max())) else 1)


if __name__ == "__main__":
    main()
