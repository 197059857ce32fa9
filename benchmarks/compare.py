"""compare.py: prints kdistill's bench figures beside PyTorch's (benchmarks/pytorch_bench.py) with the
ratio of images per second. Usage: python3 benchmarks/compare.py kdistill.jsonl [pytorch.jsonl]"""
import json
import os
import sys


def load(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["workload"]: r for r in (json.loads(line) for line in f if line.strip())}


def main():
    ours = load(sys.argv[1])
    theirs = load(sys.argv[2] if len(sys.argv) > 2 else None)
    print(f"{'workload':<9}{'kdistill img/s':>15}{'GFLOP/s':>9}{'peak MB':>9}{'PyTorch img/s':>15}{'peak MB':>9}{'ratio':>8}")
    for wid in sorted(ours):
        k = ours[wid]
        p = theirs.get(wid)
        ratio = f"{k['images_per_s'] / p['images_per_s']:.2f}x" if p else "-"
        pt = f"{p['images_per_s']:.1f}" if p else "-"
        pm = f"{p['peak_rss_mb']:.0f}" if p else "-"
        print(f"{wid:<9}{k['images_per_s']:>15.1f}{k['gflops']:>9.1f}{k['peak_rss_mb']:>9.0f}{pt:>15}{pm:>9}{ratio:>8}")


if __name__ == "__main__":
    main()
