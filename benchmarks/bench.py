"""bench.py: `make bench`: times kdistill and PyTorch alternately, workload by workload, for several rounds,
each engine in a fresh process per workload, writes every run to benchmarks/results/bench-<time>.jsonl and
prints the Markdown speed table (benchmarks/table.py) with the median per-round ratio and its min-max.

Usage: python3 benchmarks/bench.py [--kdistill .build/release/kdistill] [--rounds 3] [--threads 2]
       [--workloads W1,W3|all] [--steps 10] [--warmup 3] [--compile] [--no-pytorch] [--out FILE]
Needs only the Python standard library; without PyTorch it times kdistill alone.
"""
import argparse
import ctypes
import datetime
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import table  # noqa: E402

WORKLOADS = ["W1", "W2", "W3", "W4", "W5"]
CONV_WORKLOADS = {"W2", "W3", "W4", "W5"}
NO_TORCH_STATUS = 3  # pytorch_bench.py's exit status when torch does not import


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


BUILD_FLAGS = {"DYNAMIC_ARCH", "NO_AFFINITY", "NO_LAPACK", "NO_LAPACKE", "USE64BITINT", "NO_CBLAS", "SMP", "USE_OPENMP"}


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def openblas_info(executable):
    """The OpenBLAS that `executable` links, as its own openblas_get_config() says: version, the kernels
    (core) it picked for this CPU at load time, threading, and the raw config; None if not found."""
    try:
        out = subprocess.run(["ldd", executable], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(libopenblas[^\s]*)\s*=>\s*(\S+)", out)
    if not m:
        return None
    path = os.path.realpath(m.group(2))
    threading = "pthread" if "pthread" in path else "openmp" if "openmp" in path else None
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
    except (OSError, AttributeError):
        return {"version": os.path.basename(path), "core": None, "threading": threading, "config": None}
    words = config.split()
    version = words[1] if len(words) > 1 and words[0] == "OpenBLAS" else None
    cores = [w for w in words[2:] if w not in BUILD_FLAGS and not w.startswith("MAX_THREADS")]
    return {"version": version, "core": cores[-1] if cores else None, "threading": threading, "config": config}


def command_output(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return r.stdout.strip() if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def run_child(cmd, timeout):
    """Runs one benchmark process; returns (its JSON record or None, an error line or None)."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    except OSError as e:
        return None, f"could not start {cmd[0]}: {e}"
    record = last_json_line(p.stdout) if p.returncode == 0 else None
    if record is None:
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        return None, f"exit status {p.returncode}: {lines[-1] if lines else 'no output'}"
    return record, None


def plan(workloads, rounds, with_torch, compiled):
    """The runs in order: (round, workload, engine, variant). Within a round the engines alternate
    workload by workload; the order of the runs of one workload is reversed every other round."""
    runs = []
    for n in range(rounds):
        for wid in workloads:
            group = [("kdistill", "kdistill")]
            if with_torch:
                group.append(("pytorch", "default"))
                if wid in CONV_WORKLOADS:
                    group.append(("pytorch", "channels_last"))
                if compiled:
                    group.append(("pytorch", "compile"))
            if n % 2 == 1:
                group.reverse()
            runs += [(n + 1, wid, engine, variant) for engine, variant in group]
    return runs


def command(args, wid, engine, variant):
    if engine == "kdistill":
        return [args.kdistill, "bench", "--workload", wid, "--json", "--threads", str(args.threads),
                "--steps", str(args.steps), "--warmup", str(args.warmup)]
    cmd = [args.python, args.pytorch_script, "--workload", wid, "--threads", str(args.threads),
           "--steps", str(args.steps), "--warmup", str(max(args.warmup, 1) if variant == "compile" else args.warmup)]
    if variant == "channels_last" or (variant == "compile" and wid in CONV_WORKLOADS):
        cmd += ["--layout", "channels_last"]
    if variant == "compile":
        cmd.append("--compile")
    return cmd


def torch_info(args):
    """PyTorch's versions from a fresh process, or None when it is not installed (or was not asked for)."""
    if args.no_pytorch:
        return None, "--no-pytorch"
    try:
        p = subprocess.run([args.python, args.pytorch_script, "--info", "--threads", str(args.threads)],
                           capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as e:
        return None, str(e)
    if p.returncode == NO_TORCH_STATUS:
        return None, "PyTorch is not installed"
    info = last_json_line(p.stdout) if p.returncode == 0 else None
    if info is None:
        lines = p.stderr.strip().splitlines()
        return None, f"pytorch_bench.py --info failed: {lines[-1] if lines else p.returncode}"
    return info, None


def parse(argv):
    ap = argparse.ArgumentParser(description="kdistill against PyTorch, interleaved over rounds (make bench)")
    ap.add_argument("--kdistill", default=".build/release/kdistill", help="the kdistill binary")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (at least 3 for a table to publish)")
    ap.add_argument("--threads", type=int, default=2, help="threads for each engine")
    ap.add_argument("--workloads", default="all", help="comma-separated ids (W1..W5) or all")
    ap.add_argument("--steps", type=int, default=10, help="timed steps per run (median taken)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up steps per run")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile (about 50 s of compiling per model)")
    ap.add_argument("--no-pytorch", action="store_true", help="time kdistill only")
    ap.add_argument("--out", help="JSONL file for the raw records (default benchmarks/results/bench-<UTC time>.jsonl)")
    ap.add_argument("--python", default=sys.executable, help="the Python that runs pytorch_bench.py")
    ap.add_argument("--pytorch-script", default=os.path.join(HERE, "pytorch_bench.py"), help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one run is abandoned")
    args = ap.parse_args(argv)
    args.workloads = WORKLOADS if args.workloads == "all" else [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown or not args.workloads:
        ap.error(f"--workloads: expected ids among {', '.join(WORKLOADS)} or all, found '{','.join(unknown)}'")
    if args.rounds < 1 or args.threads < 1 or args.steps < 1 or args.warmup < 0:
        ap.error("--rounds, --threads and --steps must be at least 1, --warmup at least 0")
    if not os.access(args.kdistill, os.X_OK):
        ap.error(f"--kdistill: expected an executable, found '{args.kdistill}' (run `swift build -c release`)")
    return args


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    info, why_not = torch_info(args)
    if info is None:
        print(f"bench: {why_not}: kdistill figures only", file=sys.stderr)
    if args.compile and info is None:
        print("bench: --compile ignored without PyTorch", file=sys.stderr)
    out = args.out or os.path.join(HERE, "results", f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.jsonl")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    meta = {"kind": "meta", "date": started.strftime("%Y-%m-%d"), "started": started.isoformat(timespec="seconds"),
            "cpu": cpu_model(), "logical_cpus": os.cpu_count(), "threads": args.threads, "rounds": args.rounds,
            "steps": args.steps, "warmup": args.warmup, "workloads": args.workloads, "compile": bool(args.compile and info),
            "openblas": openblas_info(args.kdistill), "avx2": "avx2" in cpu_flags(),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE") or None, "torch": info,
            "kdistill": (command_output([args.kdistill, "--version"]) or "").replace("kdistill ", "", 1) or None,
            "commit": command_output(["git", "-C", HERE, "rev-parse", "--short", "HEAD"])}
    runs = []
    failed_kdistill = False
    schedule = plan(args.workloads, args.rounds, info is not None, args.compile and info is not None)
    with open(out, "w") as f:
        f.write(json.dumps(meta) + "\n")
        f.flush()
        for i, (n, wid, engine, variant) in enumerate(schedule):
            cmd = command(args, wid, engine, variant)
            load = os.getloadavg()[0]
            t0 = time.time()
            record, error = run_child(cmd, args.timeout)
            record = dict(record or {}, kind="run", round=n, position=i, workload=wid, engine=engine, variant=variant,
                          loadavg=round(load, 2), wall_s=round(time.time() - t0, 1))
            if error:
                record["error"] = error
            runs.append(record)
            f.write(json.dumps(record) + "\n")
            f.flush()
            what = f"{record['images_per_s']:.1f} img/s" if error is None else f"FAILED ({error})"
            print(f"bench: round {n}/{args.rounds} {wid} {engine}"
                  f"{'' if engine == 'kdistill' else ' ' + variant}: {what}", file=sys.stderr, flush=True)
            if error and engine == "kdistill":
                failed_kdistill = True
                break
    print(table.markdown(meta, runs))
    print(f"bench: records in {os.path.relpath(out)}", file=sys.stderr)
    if failed_kdistill:
        print("bench: kdistill failed; the table is incomplete", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
