"""test_bench.py: tests of the `make bench` harness (bench.py, table.py) with stand-in engines, so they need
neither PyTorch nor a kdistill build. Run: python3 -m unittest discover -s benchmarks -p 'test_*.py'"""
import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import table  # noqa: E402

# A stand-in for `kdistill bench --workload W --json`: images/s from $STUB_KD_RATES (one per call, in order).
FAKE_KDISTILL = """
import json, os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("kdistill 0.0-stub"); sys.exit(0)
counter = os.environ["STUB_DIR"] + "/kd-calls"
calls = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(calls + 1))
with open(os.environ["STUB_DIR"] + "/log", "a") as log:
    log.write("kdistill " + " ".join(args) + "\\n")
rates = [float(r) for r in os.environ.get("STUB_KD_RATES", "100").split(",")]
w = args[args.index("--workload") + 1]
print(json.dumps({"workload": w, "title": w + " step", "images_per_s": rates[calls % len(rates)], "gflops": 2.0,
                  "peak_rss_mb": 50.0, "images_per_step": 128, "flops_per_step": 2e9, "engine": "kdistill"}))
"""

# A stand-in for pytorch_bench.py: $STUB_NO_TORCH makes it exit as if torch were absent, $STUB_COMPILE_FAILS
# makes --compile fail; images/s from $STUB_PT_RATES_<layout> (one per call of that layout).
FAKE_PYTORCH = """
import json, os, sys
args = sys.argv[1:]
if os.environ.get("STUB_NO_TORCH"):
    print("no torch", file=sys.stderr); sys.exit(3)
if "--info" in args:
    print(json.dumps({"torch": "9.9-stub", "mkl": "2024.2-Product", "onednn": "v3.1"})); sys.exit(0)
layout = args[args.index("--layout") + 1] if "--layout" in args else "default"
with open(os.environ["STUB_DIR"] + "/log", "a") as log:
    log.write("pytorch " + " ".join(args) + "\\n")
if "--compile" in args:
    if os.environ.get("STUB_COMPILE_FAILS"):
        print("inductor: no compiler", file=sys.stderr); sys.exit(1)
    layout = "compile"
counter = os.environ["STUB_DIR"] + "/pt-" + layout
calls = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(calls + 1))
rates = [float(r) for r in os.environ.get("STUB_PT_RATES_" + layout, "50").split(",")]
w = args[args.index("--workload") + 1]
print(json.dumps({"workload": w, "images_per_s": rates[calls % len(rates)], "peak_rss_mb": 700.0,
                  "images_per_step": 128, "engine": "pytorch"}))
"""


def run_record(n, wid, engine, variant, rate, **extra):
    r = {"kind": "run", "round": n, "workload": wid, "engine": engine, "variant": variant, "images_per_s": rate,
         "peak_rss_mb": 10.0, "images_per_step": 128, "title": f"{wid} step"}
    if engine == "kdistill":
        r.update(gflops=1.0, flops_per_step=128e9)
    r.update(extra)
    return r


class PlanTests(unittest.TestCase):
    def test_engines_alternate_per_workload_and_the_order_flips_each_round(self):
        p = bench.plan(["W1", "W3"], 2, with_torch=True, compiled=False)
        self.assertEqual(p, [
            (1, "W1", "kdistill", "kdistill"), (1, "W1", "pytorch", "default"),
            (1, "W3", "kdistill", "kdistill"), (1, "W3", "pytorch", "default"), (1, "W3", "pytorch", "channels_last"),
            (2, "W1", "pytorch", "default"), (2, "W1", "kdistill", "kdistill"),
            (2, "W3", "pytorch", "channels_last"), (2, "W3", "pytorch", "default"), (2, "W3", "kdistill", "kdistill"),
        ])

    def test_without_pytorch_only_kdistill_runs(self):
        p = bench.plan(["W2", "W5"], 3, with_torch=False, compiled=True)
        self.assertEqual({e for _, _, e, _ in p}, {"kdistill"})
        self.assertEqual(len(p), 6)

    def test_compile_runs_channels_last_for_conv_workloads_only(self):
        class A:
            kdistill, python, pytorch_script, threads, steps, warmup = "kd", "py", "pb.py", 2, 10, 0
        self.assertIn("channels_last", bench.command(A, "W3", "pytorch", "compile"))
        self.assertNotIn("channels_last", bench.command(A, "W1", "pytorch", "compile"))
        cmd = bench.command(A, "W3", "pytorch", "compile")
        self.assertEqual(cmd[cmd.index("--warmup") + 1], "1")  # the first warm-up step compiles
        self.assertNotIn("--layout", bench.command(A, "W3", "pytorch", "default"))


class TableTests(unittest.TestCase):
    def test_ratio_is_per_round_against_the_faster_layout(self):
        # Per round (kdistill, default, channels_last): (100, 50, 80) -> 1.25, (200, 100, 40) -> 2.0,
        # (150, 60, 50) -> 2.5: median 2.0. The ratio of the medians would be 150/80 or 150/60 instead.
        runs = []
        for n, (kd, d, cl) in enumerate([(100, 50, 80), (200, 100, 40), (150, 60, 50)], start=1):
            runs += [run_record(n, "W3", "kdistill", "kdistill", kd), run_record(n, "W3", "pytorch", "default", d),
                     run_record(n, "W3", "pytorch", "channels_last", cl)]
        row = table.summarize(runs)[0]
        self.assertAlmostEqual(row["ratio"], 2.0)
        self.assertAlmostEqual(row["ratio_min"], 1.25)
        self.assertAlmostEqual(row["ratio_max"], 2.5)
        self.assertEqual(row["kdistill"], 150)
        self.assertEqual(row["pytorch"], {"default": 60, "channels_last": 50})
        self.assertEqual(row["best"], 80)  # median of the per-round best: 80, 100, 60
        self.assertEqual(row["best_layout"], "default")  # faster in rounds 2 and 3
        self.assertAlmostEqual(row["best_gflops"], 80.0)  # 1e9 FLOPs per image
        self.assertIn("| 2.00x (1.25–2.50) |", table.markdown({"rounds": 3}, runs))

    def test_a_failed_variant_is_shown_and_left_out_of_the_ratio(self):
        runs = [run_record(1, "W2", "kdistill", "kdistill", 100), run_record(1, "W2", "pytorch", "default", 50),
                {"kind": "run", "round": 1, "workload": "W2", "engine": "pytorch", "variant": "channels_last",
                 "error": "exit status 1"},
                {"kind": "run", "round": 1, "workload": "W2", "engine": "pytorch", "variant": "compile",
                 "error": "exit status 1"}]
        text = table.markdown({"rounds": 1}, runs)
        row = [line for line in text.splitlines() if line.startswith("| W2")][0]
        self.assertEqual(row.count("failed"), 2)
        self.assertIn("2.00x (2.00–2.00)", row)
        self.assertIn("smoke test", text)

    def test_kdistill_only_table_has_no_pytorch_columns(self):
        runs = [run_record(n, "W1", "kdistill", "kdistill", r) for n, r in ((1, 10), (2, 30), (3, 20))]
        text = table.markdown({"rounds": 3}, runs)
        self.assertIn("PyTorch not installed", text)
        self.assertNotIn("channels_last", text.splitlines()[2])
        self.assertIn("| W1 W1 step | 20.0 | 1.0 | 10.0 |", text)


class DriverTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kdistill-bench-test-")
        self.kd = self.script("kdistill", FAKE_KDISTILL)
        self.pt = self.script("pytorch_bench.py", FAKE_PYTORCH)
        self.env = dict(os.environ)
        os.environ["STUB_DIR"] = self.dir

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.env)

    def script(self, name, body):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f"#!{sys.executable}\n" + textwrap.dedent(body))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def run_bench(self, *extra):
        out = os.path.join(self.dir, "results", "r.jsonl")
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr):
            status = bench.main(["--kdistill", self.kd, "--pytorch-script", self.pt, "--out", out, *extra])
        with open(out) as f:
            records = [json.loads(line) for line in f]
        return status, stdout.getvalue(), records

    def test_interleaved_rounds_write_every_run_and_the_table(self):
        os.environ.update(STUB_KD_RATES="100,300,200", STUB_PT_RATES_default="50,100",
                          STUB_PT_RATES_channels_last="100,100")
        status, text, records = self.run_bench("--rounds", "3", "--workloads", "W3")
        self.assertEqual(status, 0)
        meta, runs = records[0], records[1:]
        self.assertEqual(meta["kind"], "meta")
        self.assertEqual(meta["torch"]["torch"], "9.9-stub")
        self.assertEqual(meta["kdistill"], "0.0-stub")
        self.assertEqual([(r["round"], r["engine"], r["variant"]) for r in runs], [
            (1, "kdistill", "kdistill"), (1, "pytorch", "default"), (1, "pytorch", "channels_last"),
            (2, "pytorch", "channels_last"), (2, "pytorch", "default"), (2, "kdistill", "kdistill"),
            (3, "kdistill", "kdistill"), (3, "pytorch", "default"), (3, "pytorch", "channels_last")])
        # Per-round ratios 100/100, 300/100, 200/100 (round 3's default is 50): median 2.0, 1.0–3.0.
        self.assertIn("2.00x (1.00–3.00)", text)
        self.assertIn("PyTorch 9.9-stub (MKL 2024.2, oneDNN v3.1)", text)
        with open(os.path.join(self.dir, "log")) as f:
            log = f.read().splitlines()
        self.assertEqual(len(log), 9)  # one fresh process per run
        self.assertTrue(all("--threads 2" in line for line in log))

    def test_without_pytorch_it_times_kdistill_alone(self):
        os.environ["STUB_NO_TORCH"] = "1"
        status, text, records = self.run_bench("--rounds", "3", "--workloads", "W1,W2", "--compile")
        self.assertEqual(status, 0)
        self.assertEqual({r["engine"] for r in records[1:]}, {"kdistill"})
        self.assertEqual(len(records), 1 + 6)
        self.assertIsNone(records[0]["torch"])
        self.assertIn("PyTorch not installed", text)

    def test_a_failing_compile_is_recorded_and_the_bench_goes_on(self):
        os.environ["STUB_COMPILE_FAILS"] = "1"
        status, text, records = self.run_bench("--rounds", "1", "--workloads", "W2", "--compile")
        self.assertEqual(status, 0)
        compiled = [r for r in records[1:] if r.get("variant") == "compile"]
        self.assertEqual(len(compiled), 1)
        self.assertIn("inductor: no compiler", compiled[0]["error"])
        self.assertIn("torch.compile img/s", text)

    def test_a_failing_kdistill_stops_with_status_1(self):
        self.kd = self.script("kdistill", "import sys\nprint('boom', file=sys.stderr)\nsys.exit(2)\n")
        status, _, records = self.run_bench("--rounds", "2", "--workloads", "W1")
        self.assertEqual(status, 1)
        self.assertEqual(len(records), 2)
        self.assertIn("boom", records[1]["error"])


if __name__ == "__main__":
    unittest.main()
