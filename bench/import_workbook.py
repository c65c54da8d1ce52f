"""Benchmark: importing one commune's full self-assessment workbook.

Prints the time of the import (the service call the page and `python -m cchc assessment import`
use: open, check every cell, compare with the saved form, write in one transaction) against a
bare `openpyxl.load_workbook` of the same file, measured in the same run. Target: at most 3×.

Run: python bench/import_workbook.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CCHC_BCRYPT_ROUNDS", "4")

from openpyxl import load_workbook  # noqa: E402

from cchc.core import assessment as rules  # noqa: E402
from cchc.core.permissions import CLI_USER  # noqa: E402
from cchc.db.storage import Storage  # noqa: E402
from cchc.files import assessment_workbook as excel_io
from cchc.services import assessment as svc  # noqa: E402
from cchc.services import seed  # noqa: E402

YEAR, UNIT = 2022, "18139"


def filled_workbook(db: Storage, lose: int) -> bytes:
    """The unit's workbook with every leaf scored (`lose` steps under the maximum), explained and
    referenced, as an officer fills it."""
    _, data = svc.workbook(db, CLI_USER, YEAR, UNIT)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[excel_io.SHEET]
    col = excel_io.COL
    leaves = {leaf.code: leaf for leaf in rules.scored_leaves(svc.open_form(db, CLI_USER, YEAR, UNIT).criteria)}
    for r in range(excel_io.FIRST_ROW, ws.max_row + 1):
        leaf = leaves.get(ws.cell(r, col["code"]).value)
        if leaf:
            ws.cell(r, col["points"]).value = float(max(leaf.max_points - lose * leaf.step, 0))
            ws.cell(r, col["docs"]).value = f"{r}/KH-UBND | 05/01/{YEAR} | Kế hoạch thực hiện nhiệm vụ năm {YEAR}"
            ws.cell(r, col["explanation"]).value = "Đã thực hiện theo kế hoạch; chi tiết trong báo cáo kèm theo."
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed(fn, repeat: int, after=None) -> tuple[list[float], list[float]]:
    """Seconds of each run of `fn`, and of `after()` run after each, outside the first timing."""
    times, after_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if after is not None:
            start = time.perf_counter()
            after()
            after_times.append(time.perf_counter() - start)
    return times, after_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CCHC_TODAY"] = "2022-11-05"           # before the deadline: the form is open
        db = Storage(Path(tmp) / "bench.duckdb")
        db.migrate()
        seed.initialize(db, demo=False)
        workbooks = [filled_workbook(db, 0), filled_workbook(db, 1)]
        data = workbooks[0]
        baseline, _ = timed(lambda: load_workbook(io.BytesIO(data)), args.repeat)
        cs = svc.open_form(db, CLI_USER, YEAR, UNIT).criteria
        parse, _ = timed(lambda: excel_io.parse_workbook(data, cs, UNIT, YEAR), args.repeat)
        # Alternate two workbooks so that every import really writes every leaf.
        turn = iter(range(10 ** 6))
        # What the officer waits for is the import; the unit's index figures are recomputed after
        # it (the upkeep thread, or the next read of results): timed apart, not overlapping it.
        imports, upkeep = timed(lambda: svc.import_workbook(db, CLI_USER, YEAR, UNIT, workbooks[next(turn) % 2]),
                                args.repeat, after=db.keep_pending)
        leaves = len(rules.scored_leaves(cs))
        db.close()
    base = statistics.median(baseline)
    print(f"one commune's workbook: {len(data) / 1024:.0f} KB, {leaves} scored leaves; {args.repeat} runs each")
    print(f"bare openpyxl load        median {base * 1000:7.1f} ms")
    print(f"parse + check every cell  median {statistics.median(parse) * 1000:7.1f} ms   {statistics.median(parse) / base:.2f}× bare")
    print(f"full import (service)     median {statistics.median(imports) * 1000:7.1f} ms   {statistics.median(imports) / base:.2f}× bare")
    both = statistics.median([a + b for a, b in zip(imports, upkeep)])
    print(f"then the unit's index figures     {statistics.median(upkeep) * 1000:7.1f} ms   "
          "(recomputed after the import: upkeep thread or next read of results)")
    print(f"import and recompute together     {both * 1000:7.1f} ms   {both / base:.2f}× bare "
          "(what the server spends; the officer waits for the import only)")
    print("target: full import at most 3× the bare load")


if __name__ == "__main__":
    main()
