"""e2e.py: `make bench-e2e`: the FM-R20 lenet5 sweep (kd, at+kd, rkd, sp, fitnet, eskd) end to end, in kdistill
(configs/fashion-mnist/lenet5/*.json, a fresh teacher cache, so its first run builds the cache and the others
map it) and in PyTorch (benchmarks/pytorch_sweep.py: channels_last, the teachers' outputs computed once), the
engines alternating round by round. Writes benchmarks/results/e2e-<time>.json and prints a Markdown table:
wall seconds per run and for the sweep (median over rounds), the ratio, and each run's final test accuracy.

usage: python3 benchmarks/e2e.py [--kdistill .build/release/kdistill] [--threads 2] [--rounds 1]
       [--methods kd,at+kd,...] [--no-pytorch]
Needs the FM-R20 teacher runs/teacher-resnet20 (latest and epoch-003 checkpoints: scripts/fm-r20.sh trains
it) and, for the PyTorch side, torch, safetensors and numpy.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
METHODS = ["kd", "at+kd", "rkd", "sp", "fitnet", "eskd"]
TEACHER = "runs/teacher-resnet20/latest.safetensors"
EARLY_TEACHER = "runs/teacher-resnet20/epoch-003.safetensors"
CONFIG_NAMES = {"at+kd": "at-kd"}


def kdistill_sweep(binary, methods, threads, scratch):
    """Runs the sweep's distill commands one after another; seconds and test accuracy per run."""
    env = dict(os.environ, KDISTILL_CACHE=os.path.join(scratch, "cache"))
    records, start = [], time.perf_counter()
    for method in methods:
        config = f"configs/fashion-mnist/lenet5/{CONFIG_NAMES.get(method, method)}.json"
        out = os.path.join(scratch, "runs", method)
        t0 = time.perf_counter()
        done = subprocess.run([binary, "--threads", str(threads), "distill", config, "--set", f"output.dir={out}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"e2e: kdistill distill {config} failed:\n{done.stderr[-2000:]}")
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        records.append({"what": method, "seconds": time.perf_counter() - t0,
                        "test_acc": summary["test_acc"]})
        print(f"e2e: kdistill {method}: {records[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    records.append({"what": "total", "seconds": time.perf_counter() - start})
    return records


def pytorch_sweep(methods, threads, scratch):
    out = os.path.join(scratch, "pytorch.json")
    status = subprocess.run([sys.executable, os.path.join(HERE, "pytorch_sweep.py"), "--teacher", TEACHER,
                             "--early-teacher", EARLY_TEACHER, "--threads", str(threads),
                             "--methods", ",".join(methods), "--out", out], cwd=ROOT).returncode
    if status != 0:
        print("e2e: the PyTorch sweep failed (torch, safetensors and numpy installed?); kdistill alone", file=sys.stderr)
        return None
    with open(out) as f:
        return json.load(f)["runs"]


def table(rounds, methods):
    """The Markdown table: per run and for the sweep, median seconds of each engine and their ratio."""
    def seconds(engine, what):
        values = [r["seconds"] for rnd in rounds for r in rnd.get(engine) or [] if r["what"] == what]
        return statistics.median(values) if values else None

    def accuracy(engine, what):
        values = [r["test_acc"] for rnd in rounds for r in rnd.get(engine) or []
                  if r["what"] == what and r.get("test_acc") is not None]
        return f"{100 * statistics.median(values):.2f}" if values else "—"

    lines = ["| run | kdistill (s) | PyTorch (s) | speed-up | kdistill test acc (%) | PyTorch test acc (%) |",
             "|---|---:|---:|---:|---:|---:|"]
    for what in methods + ["teacher pass (final)", "teacher pass (epoch 3)", "load data", "total"]:
        ours, theirs = seconds("kdistill", what), seconds("pytorch", what)
        if ours is None and theirs is None:
            continue
        ratio = f"{theirs / ours:.2f}x" if ours and theirs else "—"
        fmt = lambda v: f"{v:.1f}" if v is not None else "in the runs"  # noqa: E731
        lines.append(f"| {what} | {fmt(ours)} | {fmt(theirs)} | {ratio} | {accuracy('kdistill', what)} | "
                     f"{accuracy('pytorch', what)} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kdistill", default=os.path.join(ROOT, ".build", "release", "kdistill"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--no-pytorch", action="store_true")
    args = ap.parse_args()
    methods = args.methods.split(",")
    for path in (TEACHER, EARLY_TEACHER):
        if not os.path.exists(os.path.join(ROOT, path)):
            raise SystemExit(f"e2e: {path} not found; train the FM-R20 teacher first (scripts/fm-r20.sh trains it)")
    rounds = []
    for k in range(args.rounds):
        rnd = {}
        order = ["kdistill", "pytorch"] if k % 2 == 0 else ["pytorch", "kdistill"]
        for engine in order:
            if engine == "pytorch" and args.no_pytorch:
                continue
            with tempfile.TemporaryDirectory() as scratch:
                rnd[engine] = (kdistill_sweep(args.kdistill, methods, args.threads, scratch) if engine == "kdistill"
                               else pytorch_sweep(methods, args.threads, scratch))
        rounds.append(rnd)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"e2e-{stamp}.json"), "w") as f:
        json.dump({"threads": args.threads, "methods": methods, "rounds": rounds}, f, indent=1)
    print(table(rounds, methods))


if __name__ == "__main__":
    main()
