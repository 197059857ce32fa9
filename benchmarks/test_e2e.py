"""test_e2e.py: tests of the `make bench-e2e` table (e2e.py) on hand-made round records, so they need neither
PyTorch nor a kdistill build. Run: python3 -m unittest discover -s benchmarks -p 'test_*.py'"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402


class TableTests(unittest.TestCase):
    def test_medians_ratios_and_missing_engine(self):
        rounds = [
            {"kdistill": [{"what": "kd", "seconds": 10.0, "test_acc": 0.9},
                          {"what": "total", "seconds": 12.0}],
             "pytorch": [{"what": "kd", "seconds": 30.0, "test_acc": 0.89},
                         {"what": "teacher pass (final)", "seconds": 4.0},
                         {"what": "total", "seconds": 40.0}]},
            {"kdistill": [{"what": "kd", "seconds": 20.0, "test_acc": 0.9},
                          {"what": "total", "seconds": 24.0}],
             "pytorch": None},
        ]
        lines = e2e.table(rounds, ["kd"]).splitlines()
        kd = next(line for line in lines if line.startswith("| kd |"))
        # kdistill's median of 10 and 20 is 15; PyTorch ran once (30 s): 2.00x.
        self.assertEqual(kd, "| kd | 15.0 | 30.0 | 2.00x | 90.00 | 89.00 |")
        teacher = next(line for line in lines if line.startswith("| teacher pass (final)"))
        self.assertIn("in the runs", teacher)  # kdistill's teacher pass is inside its first run
        self.assertIn("| total | 18.0 | 40.0 | 2.22x |", e2e.table(rounds, ["kd"]))


if __name__ == "__main__":
    unittest.main()
