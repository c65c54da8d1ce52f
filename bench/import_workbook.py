"""Benchmark: importing one commune's full self-assessment workbook.

Times the import the page and `python -m cchc assessment import` run (the service call: open the
file safely, check every cell, compare with what is saved, write what changed and its audit rows
in one transaction) against a bare `openpyxl.load_workbook` of the same file, in the same run.
Target: the import at most 2× the bare load. Each figure is the best of --repeat rounds, the
steps taking turns within a round (the machine may be shared; the best run is the one least
disturbed). Ends with one JSON line of the figures.

Run: python bench/import_workbook.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
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
from cchc.files import assessment_workbook as excel_io  # noqa: E402
from cchc.services import assessment as svc  # noqa: E402
from cchc.services import seed  # noqa: E402

YEAR, UNIT = 2022, "18139"
TARGET = 2.0


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


def best_ms(steps: dict, repeat: int) -> dict[str, float]:
    """The fastest of `repeat` runs of each step (name -> fn(i)), in milliseconds. The steps take
    turns within each round, so that a busy moment of a shared machine slows all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(repeat):
        for name, fn in steps.items():
            start = time.perf_counter()
            fn(i)
            times[name].append(time.perf_counter() - start)
    return {name: min(t) * 1000 for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CCHC_TODAY"] = "2022-11-05"           # before the deadline: the form is open
        db = Storage(Path(tmp) / "bench.duckdb")
        db.migrate()
        seed.initialize(db, demo=False)
        workbooks = [filled_workbook(db, 0), filled_workbook(db, 1)]
        cs = svc.open_form(db, CLI_USER, YEAR, UNIT).criteria
        leaves = len(rules.scored_leaves(cs))
        # The two workbooks alternate, so that every import really changes (and logs) every leaf.
        changed = []
        best = best_ms({"bare": lambda i: load_workbook(io.BytesIO(workbooks[i % 2])),
                        "parse": lambda i: excel_io.parse_workbook(workbooks[i % 2], cs, UNIT, YEAR),
                        "import": lambda i: changed.append(svc.import_workbook(db, CLI_USER, YEAR, UNIT,
                                                                               workbooks[i % 2]))}, args.repeat)
        bare, parse, full = best["bare"], best["parse"], best["import"]
        saved = svc.open_form(db, CLI_USER, YEAR, UNIT).scores
        expected = excel_io.parse_workbook(workbooks[(args.repeat - 1) % 2], cs, UNIT, YEAR).scores
        db.close()
    assert changed[1:] == [leaves] * (args.repeat - 1), changed          # every import wrote every leaf
    assert {c: saved[c] for c in expected} == expected                    # and what was saved is the file
    figures = {"workbook_kb": round(len(workbooks[0]) / 1024), "scored_leaves": leaves, "runs": args.repeat,
               "bare_load_ms": round(bare, 2), "parse_ms": round(parse, 2), "import_ms": round(full, 2),
               "parse_x_bare": round(parse / bare, 2), "import_x_bare": round(full / bare, 2), "target_x": TARGET}
    print(f"one commune's workbook: {figures['workbook_kb']} KB, {leaves} scored leaves; best of {args.repeat} runs each")
    print(f"bare openpyxl load        {bare:7.1f} ms")
    print(f"parse + check every cell  {parse:7.1f} ms   {parse / bare:.2f}× bare")
    print(f"full import (service)     {full:7.1f} ms   {full / bare:.2f}× bare   (target: at most {TARGET:g}×)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
