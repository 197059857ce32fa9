"""table.py: turns the per-round records of benchmarks/bench.py (JSON Lines) into the Markdown speed table:
per workload the median over rounds of each engine's images/s, and the median (min-max) of the per-round
ratios kdistill / faster PyTorch layout. Usage: python3 benchmarks/table.py benchmarks/results/bench-X.jsonl"""
import json
import statistics
import sys

LAYOUTS = ("default", "channels_last")
# OpenBLAS kernel sets older than AVX2: on a CPU with AVX2 they mean OpenBLAS did not recognise it.
OLD_CORES = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood",
             "Banias", "Opteron", "Barcelona", "Bobcat", "Sandybridge", "Bulldozer", "Piledriver"}


def load(path):
    """(meta record, run records) of a bench JSONL file."""
    meta, runs = {}, []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("kind") == "meta":
                meta = r
            elif r.get("kind") == "run":
                runs.append(r)
    return meta, runs


def fmt_rate(v):
    """Images/s or GFLOP/s as in the README: no decimals from 100 up, one below."""
    if v is None:
        return "–"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs):
    """Per workload (in first-seen order): medians over rounds and the per-round ratios."""
    by_workload = {}
    for r in runs:
        by_workload.setdefault(r["workload"], []).append(r)
    rows = []
    for wid, records in by_workload.items():
        ok = [r for r in records if "images_per_s" in r]
        rounds = sorted({r["round"] for r in records})
        kd = {r["round"]: r for r in ok if r["engine"] == "kdistill"}
        layouts = {lay: {r["round"]: r for r in ok if r["engine"] == "pytorch" and r.get("variant") == lay}
                   for lay in LAYOUTS}
        compiled = [r for r in ok if r["engine"] == "pytorch" and r.get("variant") == "compile"]
        compile_tried = any(r["engine"] == "pytorch" and r.get("variant") == "compile" for r in records)
        pytorch_tried = any(r["engine"] == "pytorch" for r in records)
        flops = next((r["flops_per_step"] / r["images_per_step"] for r in kd.values()), None)
        best, ratios, winners = [], [], []
        for n in rounds:
            candidates = [(layouts[lay][n]["images_per_s"], lay, layouts[lay][n]) for lay in LAYOUTS if n in layouts[lay]]
            if not candidates:
                continue
            rate, lay, record = max(candidates, key=lambda c: c[0])
            best.append((rate, record))
            winners.append(lay)
            if n in kd:
                ratios.append(kd[n]["images_per_s"] / rate)
        title = next((r["title"] for r in kd.values()), wid)
        best_rate = median_or_none([b[0] for b in best])
        winner = None
        if winners:
            counts = {lay: winners.count(lay) for lay in set(winners)}
            top = max(counts.values())
            leaders = [lay for lay, c in counts.items() if c == top]
            winner = leaders[0] if len(leaders) == 1 else "mixed"
        rows.append({
            "workload": wid, "title": title, "rounds": len(rounds),
            "kdistill": median_or_none([r["images_per_s"] for r in kd.values()]),
            "kdistill_gflops": median_or_none([r["gflops"] for r in kd.values()]),
            "kdistill_peak_mb": median_or_none([r["peak_rss_mb"] for r in kd.values()]),
            "pytorch_tried": pytorch_tried,
            "pytorch": {lay: median_or_none([r["images_per_s"] for r in layouts[lay].values()]) for lay in LAYOUTS},
            "pytorch_layout_tried": {lay: any(r["engine"] == "pytorch" and r.get("variant") == lay for r in records)
                                     for lay in LAYOUTS},
            "best": best_rate, "best_layout": winner,
            "best_gflops": best_rate * flops / 1e9 if best_rate is not None and flops is not None else None,
            "best_peak_mb": median_or_none([b[1]["peak_rss_mb"] for b in best]),
            "ratio": median_or_none(ratios), "ratio_min": min(ratios) if ratios else None,
            "ratio_max": max(ratios) if ratios else None, "ratio_rounds": len(ratios),
            "compile_tried": compile_tried, "compile": median_or_none([r["images_per_s"] for r in compiled]),
        })
    return rows


def header(meta, runs):
    """The line that says when, where and with what the table was measured."""
    cpu = meta.get("cpu", "unknown CPU")
    parts = [f"Measured {meta.get('date', '?')} on {cpu} ({meta.get('logical_cpus', '?')} logical CPUs), "
             f"{meta.get('threads', '?')} threads per engine"]
    blas = dict(meta.get("openblas") or {})
    # The kernels kdistill really ran (it restarts itself with OPENBLAS_CORETYPE when OpenBLAS falls back
    # to Prescott), as its runs report them; the library's own load-time choice otherwise.
    used = sorted({r["blas_kernels"] for r in runs if r.get("engine") == "kdistill" and r.get("blas_kernels")})
    if used:
        blas["core"] = "/".join(used)
    details = ", ".join(x for x in (blas.get("threading"), f"{blas['core']} kernels" if blas.get("core") else None) if x)
    parts.append(f"OpenBLAS {blas.get('version') or 'unknown'}" + (f" ({details})" if details else ""))
    torch = meta.get("torch")
    if torch:
        extra = ", ".join(x for x in (f"MKL {torch['mkl'].split('-')[0]}" if torch.get("mkl") else None,
                                      f"oneDNN {torch['onednn']}" if torch.get("onednn") else None) if x)
        parts.append(f"PyTorch {torch['torch']}" + (f" ({extra})" if extra else ""))
    else:
        parts.append("PyTorch not installed: kdistill figures only")
    if meta.get("kdistill"):
        parts.append(f"kdistill {meta['kdistill']}")
    loads = [r["loadavg"] for r in runs if r.get("loadavg") is not None]
    line = "; ".join(parts) + "."
    rounds = meta.get("rounds", "?")
    line += f" {rounds} round{'' if rounds == 1 else 's'}"
    if torch:
        line += ("; in each round the engines alternate workload by workload (the order within a workload flips"
                 " every round), each run a fresh process")
    else:
        line += ", each workload a fresh process"
    if meta.get("openblas_coretype"):
        line += f"; OPENBLAS_CORETYPE={meta['openblas_coretype']} was set"
    if loads:
        line += f"; 1-minute load average {min(loads):.1f}–{max(loads):.1f} at the start of the runs"
    line += "."
    if blas.get("core") in OLD_CORES and meta.get("avx2"):
        line += (f" This OpenBLAS does not recognise the CPU and runs its {blas['core']} kernels although the CPU "
                 "has AVX2 (OPENBLAS_CORETYPE=Haswell or SkylakeX selects faster ones).")
    if isinstance(meta.get("rounds"), int) and meta["rounds"] < 3:
        n = meta["rounds"]
        line += f" Only {n} round{'' if n == 1 else 's'}: a smoke test, not a measurement to publish."
    return line


def markdown(meta, runs):
    """The header line, the table and a footnote, as one string."""
    rows = summarize(runs)
    with_torch = any(r["pytorch_tried"] for r in rows)
    with_compile = any(r["compile_tried"] for r in rows)
    out = [header(meta, runs), ""]
    cols = ["workload", "kdistill img/s", "GFLOP/s", "peak MB"]
    if with_torch:
        cols += ["PyTorch img/s (default)", "PyTorch img/s (channels_last)", "faster PyTorch img/s", "GFLOP/s",
                 "peak MB", "kdistill / faster PyTorch"]
        if with_compile:
            cols.append("torch.compile img/s")
    out.append("| " + " | ".join(cols) + " |")
    out.append("|---|" + "---:|" * (len(cols) - 1))
    for r in rows:
        cells = [f"{r['workload']} {r['title']}", fmt_rate(r["kdistill"]), fmt_rate(r["kdistill_gflops"]),
                 fmt_rate(r["kdistill_peak_mb"])]
        if with_torch:
            for lay in LAYOUTS:
                if r["pytorch"][lay] is not None:
                    cells.append(fmt_rate(r["pytorch"][lay]))
                else:
                    cells.append("failed" if r["pytorch_layout_tried"][lay] else "n/a")
            best = fmt_rate(r["best"]) + (f" ({r['best_layout']})" if r["best_layout"] else "")
            cells += [best if r["best"] is not None else "–", fmt_rate(r["best_gflops"]), fmt_rate(r["best_peak_mb"])]
            if r["ratio"] is not None:
                cells.append(f"{r['ratio']:.2f}x ({r['ratio_min']:.2f}–{r['ratio_max']:.2f})")
            else:
                cells.append("–")
            if with_compile:
                cells.append(fmt_rate(r["compile"]) if r["compile"] is not None else
                             ("failed" if r["compile_tried"] else "–"))
        out.append("| " + " | ".join(cells) + " |")
    steps, warmup = meta.get("steps", "?"), meta.get("warmup", "?")
    out.append("")
    note = (f"img/s: the median over rounds of each run's median of {steps} timed steps after {warmup} warm-up "
            "steps; GFLOP/s from analytic FLOPs (a training step counts 3x the forward); peak MB: the process's "
            "peak resident memory.")
    if with_torch:
        note += (" The ratio is computed per round, kdistill's img/s over the faster PyTorch layout of the same "
                 "round, and given as median (min–max) over rounds; the faster PyTorch column names the layout "
                 "that won most rounds. channels_last applies to the convolutional workloads (W1 is an MLP: n/a).")
        if with_compile:
            note += (" torch.compile wraps the model(s) in the channels_last layout for W2–W5 (default for W1); "
                     "its compile time is excluded; it is not part of the ratio.")
    out.append(note)
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 benchmarks/table.py benchmarks/results/bench-X.jsonl")
    meta, runs = load(sys.argv[1])
    print(markdown(meta, runs))


if __name__ == "__main__":
    main()
