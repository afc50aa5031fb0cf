#!/usr/bin/env python3
"""Checks that the CSV files of `rungs run` read as they should in pandas and in a spreadsheet.

    spreadsheet_check.py DIR           check every CSV in DIR (an output folder of rungs run)
    spreadsheet_check.py --formulas DIR  LibreOffice must import no cell of DIR's CSVs as a
                                       formula (labels such as `=1+1` are neutralised)
    spreadsheet_check.py --self-test   check the checker on hand-made good and bad folders

For every CSV in DIR:
- pandas.read_csv reads it; the column names are snake_case and are those of the spec
  (docs/outputs.md, spec cli-and-outputs.md), in order;
- every numeric column has a numeric dtype in pandas, and every numeric cell is a plain
  decimal number as text (no exponent, no NaN/inf, no thousands separator) or empty;
- probabilities lie in [0, 1] with ci_low <= probability <= ci_high;
- the `words` cells (steps.csv, outcomes.csv, conditional.csv) are the ICD 203 term of the
  row's probability, by rungs' rule (docs/outputs.md, Words);
- cross-file: timeline.csv and runs.csv name exactly the step and branch ids of steps.csv,
  runs.csv the parameters of parameters.csv; conditional.csv's `given` are step and branch
  ids, its `step` ids or outcome labels as its `kind` says.
Then LibreOffice (headless) converts each CSV to xlsx and the xlsx back to CSV: openpyxl
must find numbers (not text) in every non-empty numeric cell and the original strings in the
text cells, the same number of rows and columns, and the CSV that comes back must hold the
same values (up to the digits a spreadsheet displays).

Exit status 0 when everything holds, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SNAKE = re.compile(r"^[a-z_][a-z0-9_]*$")
# A plain decimal number as rungs writes it: what every spreadsheet locale-independently
# reads as a number once `.` is the decimal point.
PLAIN_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")

QUANTS = ["time_p05", "time_p25", "time_p50", "time_p75", "time_p95"]
# Repeat counts of steps that can repeat (empty for the others).
COUNTS = ["count_mean", "count_sd", "count_p05", "count_p25", "count_p50", "count_p75",
          "count_p95", "count_max"]
# file -> (columns in order, the text columns among them); every other column is numeric.
FIXED = {
    "steps.csv": (
        ["step", "label", "actor", "rung", "kind", "runs", "happened", "probability",
         "ci_low", "ci_high", "time_mean", "time_sd", *QUANTS, *COUNTS, "words"],
        {"step", "label", "actor", "kind", "words"},
    ),
    "outcomes.csv": (
        ["outcome", "runs", "count", "probability", "ci_low", "ci_high", "time_mean",
         "time_p50", "words"],
        {"outcome", "words"},
    ),
    "conditional.csv": (
        ["given", "step", "kind", "given_runs", "happened", "probability", "ci_low",
         "ci_high", "overall", "lift", "before", "words"],
        {"given", "step", "kind", "words"},
    ),
    "rungs.csv": (["actor", "rung", "p_reached", "p_max"], {"actor"}),
    "state.csv": (
        ["actor", "variable", "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max"],
        {"actor", "variable"},
    ),
    "parameters.csv": (
        ["parameter", "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max"],
        {"parameter"},
    ),
    "paths.csv": (["rank", "path", "outcome", "count", "probability"], {"path", "outcome"}),
}
PROBABILITY_COLUMNS = {"probability", "ci_low", "ci_high", "p_reached", "p_max", "overall",
                       "before"}
# ICD 203's terms, least likely first, with the upper end of each range.
ICD_203 = [("almost no chance", 0.05), ("very unlikely", 0.20), ("unlikely", 0.45),
           ("roughly even chance", 0.55), ("likely", 0.80), ("very likely", 0.95),
           ("almost certain", 1.0)]


def icd_203_term(p: float) -> str:
    """rungs' rule: a boundary goes to the term nearer even chance; below 1% and above 99%
    get the end terms."""
    if p < 0.5:
        lows = [0.0, 0.05, 0.20, 0.45]
        return [t for (t, _), lo in zip(ICD_203, lows) if p >= lo][-1]
    return next(t for t, hi in ICD_203 if p <= hi)


class Checker:
    """Collects problems instead of stopping at the first, so one run shows them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def unique(names: list[str]) -> list[str]:
    """rungs' rule for equal column names: a later duplicate gets the first free `_k`."""
    taken, used, out = set(names), set(), []
    for name in names:
        candidate, k = name, 2
        while candidate in used or (candidate != name and candidate in taken):
            candidate, k = f"{name}_{k}", k + 1
        used.add(candidate)
        out.append(candidate)
    return out


def expected_columns(name: str, header: list[str], ids: list[str] | None,
                     params: list[str] | None, finals: list[str] | None = None,
                     repeating: list[str] | None = None) -> tuple[list[str] | None, set[str]]:
    """The columns a file must have (None: not known) and its text columns. runs.csv has,
    after the step times, `<actor>_<variable>_final` per state variable (`finals`, from
    state.csv) and `<id>_count` per step that can repeat (`repeating`, from steps.csv)."""
    if name in FIXED:
        cols, text = FIXED[name]
        return cols, text
    if name == "timeline.csv":
        return (["time", *ids] if ids is not None else None), set()
    if name == "runs.csv":
        if ids is None or params is None or finals is None or repeating is None:
            return None, {"outcome"}
        return unique(["run", *params, "outcome", "end_time", "max_rung",
                       *[f"{i}_time" for i in ids], *finals,
                       *[f"{i}_count" for i in repeating]]), {"outcome"}
    return None, set()


def read_raw(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def check_csv(c: Checker, path: Path, ids: list[str] | None, params: list[str] | None,
              finals: list[str] | None = None, repeating: list[str] | None = None):
    """pandas and text-level checks of one CSV. Returns (DataFrame, text columns) or None."""
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    name = path.name
    try:
        df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except Exception as e:  # pandas raises many types; any of them is a failure here
        c.fail(name, f"pandas.read_csv fails: {e}")
        return None
    header, rows = read_raw(path)
    if list(df.columns) != header:
        c.fail(name, f"pandas sees columns {list(df.columns)}, the file has {header}")
    for col in header:
        if not SNAKE.match(col):
            c.fail(name, f"column name {col!r} is not snake_case")
    if len(set(header)) != len(header):
        c.fail(name, "duplicate column names")
    expect, text_cols = expected_columns(name, header, ids, params, finals, repeating)
    if expect is not None and header != expect:
        c.fail(name, f"columns {header}\n    expected {expect}")
    if name not in FIXED and name not in ("timeline.csv", "runs.csv"):
        c.fail(name, "not a file of the spec")
    if len(df) == 0:
        c.fail(name, "no rows")
    for k, row in enumerate(rows, start=2):
        if len(row) != len(header):
            c.fail(name, f"line {k} has {len(row)} fields, the header {len(header)}")
    for j, col in enumerate(header):
        if col in text_cols:
            continue
        if not is_numeric_dtype(df[col]):
            c.fail(name, f"numeric column {col} has dtype {df[col].dtype} in pandas")
        for k, row in enumerate(rows, start=2):
            if j < len(row) and row[j] != "" and not PLAIN_NUMBER.match(row[j]):
                c.fail(name, f"line {k}, {col}: {row[j]!r} is not a plain decimal number")
                break
        if col in PROBABILITY_COLUMNS and is_numeric_dtype(df[col]):
            bad = df[(df[col] < 0) | (df[col] > 1)]
            if len(bad):
                c.fail(name, f"{col} outside [0, 1] in {len(bad)} rows")
    if {"probability", "ci_low", "ci_high"} <= set(header) and all(
        is_numeric_dtype(df[x]) for x in ("probability", "ci_low", "ci_high")
    ):
        bad = df[(df.ci_low > df.probability) | (df.probability > df.ci_high)]
        if len(bad):
            c.fail(name, f"probability outside [ci_low, ci_high] in {len(bad)} rows")
    if "words" in header and "probability" in header:
        w, pr = header.index("words"), header.index("probability")
        for k, row in enumerate(rows, start=2):
            if len(row) != len(header) or not (row[pr] == "" or PLAIN_NUMBER.match(row[pr])):
                continue  # reported above
            want = "" if row[pr] == "" else icd_203_term(float(row[pr]))
            if row[w] != want:
                c.fail(name, f"line {k}: words {row[w]!r} for probability {row[pr]}, "
                       f"ICD 203 says {want!r}")
                break
    return df, text_cols


def soffice() -> str | None:
    for exe in ("soffice", "libreoffice"):
        p = shutil.which(exe)
        if p:
            return p
    return None


def convert(office: str, profile: Path, files: list[Path], to: str, outdir: Path,
            infilter: str | None = None) -> None:
    """One LibreOffice process converts all files (its start-up costs seconds)."""
    cmd = [office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", to, "--outdir", str(outdir), *map(str, files)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}")


def close(a: float, b: float) -> bool:
    # LibreOffice writes numbers back "as shown" in the General format: about 15
    # significant digits for the values here, so compare to 1e-9 relative.
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def check_spreadsheet(c: Checker, files: dict[Path, tuple]) -> None:
    import openpyxl
    import pandas as pd

    office = soffice()
    if office is None:
        c.fail("libreoffice", "soffice not found (apt-get install libreoffice-calc-nogui)")
        return
    with tempfile.TemporaryDirectory(prefix="rungs-sheet-") as tmp:
        tmp = Path(tmp)
        xdir, cdir = tmp / "xlsx", tmp / "back"
        xdir.mkdir()
        cdir.mkdir()
        paths = list(files)
        # Comma, double quote, UTF-8 (76), from line 1, default column types, English (US)
        # so that `.` is the decimal point whatever the machine's locale.
        convert(office, tmp / "profile", paths, "xlsx", xdir, infilter="CSV:44,34,76,1,,1033")
        xlsx = [xdir / (p.stem + ".xlsx") for p in paths]
        for p, x in zip(paths, xlsx):
            if not x.exists():
                c.fail(p.name, "LibreOffice wrote no xlsx")
        convert(office, tmp / "profile", [x for x in xlsx if x.exists()],
                "csv:Text - txt - csv (StarCalc):44,34,76,1", cdir)
        for p, x in zip(paths, xlsx):
            if not x.exists():
                continue
            df, text_cols = files[p]
            header, rows = read_raw(p)
            ws = openpyxl.load_workbook(x, read_only=True).active
            cells = [list(r) for r in ws.iter_rows(values_only=True)]
            # openpyxl may report trailing empty cells/rows; trim them like a user would see.
            while cells and all(v is None for v in cells[-1]):
                cells.pop()
            ncols = max((len(r) for r in cells), default=0)
            if len(cells) != len(rows) + 1 or ncols != len(header):
                c.fail(p.name, f"xlsx has {len(cells)} rows x {ncols} columns, "
                       f"the CSV {len(rows) + 1} x {len(header)}")
                continue
            if [str(v) for v in cells[0]] != header:
                c.fail(p.name, f"xlsx header {cells[0]} != {header}")
            texts_as_numbers = numbers_as_text = 0
            for k, (row, srow) in enumerate(zip(cells[1:], rows), start=2):
                for j, col in enumerate(header):
                    v = row[j] if j < len(row) else None
                    raw = srow[j] if j < len(srow) else ""
                    if col in text_cols:
                        if raw != "" and (not isinstance(v, str) or v != raw):
                            texts_as_numbers += 1
                            if texts_as_numbers <= 3:
                                c.fail(p.name, f"row {k}, {col}: text {raw!r} became {v!r}")
                    elif raw != "":
                        if isinstance(v, bool) or not isinstance(v, (int, float)):
                            numbers_as_text += 1
                            if numbers_as_text <= 3:
                                c.fail(p.name, f"row {k}, {col}: {raw!r} is {type(v).__name__} "
                                       f"{v!r} in the spreadsheet, not a number")
                        elif not close(float(v), float(raw)):
                            c.fail(p.name, f"row {k}, {col}: {raw} became {v}")
                    elif v not in (None, ""):
                        c.fail(p.name, f"row {k}, {col}: empty cell became {v!r}")
            back = cdir / p.name
            if not back.exists():
                c.fail(p.name, "LibreOffice did not convert the xlsx back to CSV")
                continue
            try:
                df2 = pd.read_csv(back, keep_default_na=False, na_values=[""])
            except Exception as e:
                c.fail(p.name, f"the CSV LibreOffice wrote back does not read: {e}")
                continue
            if df2.shape != df.shape or list(df2.columns) != list(df.columns):
                c.fail(p.name, f"back from xlsx: shape {df2.shape}, columns differ or "
                       f"shape != {df.shape}")
                continue
            for col in df.columns:
                if col in text_cols:
                    a, b = df[col].fillna("").astype(str), df2[col].fillna("").astype(str)
                    if not a.equals(b):
                        c.fail(p.name, f"back from xlsx: text column {col} changed")
                    continue
                for k, (a, b) in enumerate(zip(df[col], df2[col]), start=2):
                    if pd.isna(a) and pd.isna(b):
                        continue
                    try:
                        same = not (pd.isna(a) or pd.isna(b)) and close(float(a), float(b))
                    except (TypeError, ValueError):
                        same = False
                    if not same:
                        c.fail(p.name, f"back from xlsx: row {k}, {col}: {a!r} became {b!r}")
                        break


def check_no_formulas(d: Path) -> list[str]:
    """LibreOffice imports every CSV of `d` (as a user opening it would) without a single
    formula cell: text such as `=1+1` or `=HYPERLINK(...)` must arrive as text."""
    import openpyxl

    c = Checker()
    office = soffice()
    if office is None:
        return ["libreoffice: soffice not found (apt-get install libreoffice-calc-nogui)"]
    paths = sorted(d.glob("*.csv"))
    with tempfile.TemporaryDirectory(prefix="rungs-formulas-") as tmp:
        tmp = Path(tmp)
        convert(office, tmp / "profile", paths, "xlsx", tmp, infilter="CSV:44,34,76,1,,1033")
        for p in paths:
            x = tmp / (p.stem + ".xlsx")
            if not x.exists():
                c.fail(p.name, "LibreOffice wrote no xlsx")
                continue
            # Not read-only and not data_only: formulas come back as `=...` with type "f".
            ws = openpyxl.load_workbook(x).active
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        c.fail(p.name, f"{cell.coordinate}: imported as the formula "
                               f"{cell.value!r}")
    return c.problems


def check_dir(d: Path, spreadsheet: bool = True) -> list[str]:
    c = Checker()
    csvs = sorted(d.glob("*.csv"))
    if not csvs:
        return [f"{d}: no CSV files"]
    for required in ("steps.csv", "outcomes.csv", "rungs.csv", "timeline.csv", "paths.csv"):
        if not (d / required).exists():
            c.fail(required, "missing")
    ids = params = finals = repeating = None
    if (d / "steps.csv").exists():
        header, rows = read_raw(d / "steps.csv")
        ids = [r[0] for r in rows if r]
        if "count_mean" in header:
            at = header.index("count_mean")
            repeating = [r[0] for r in rows if len(r) > at and r[at] != ""]
    if (d / "state.csv").exists():
        _, rows = read_raw(d / "state.csv")
        finals = [f"{r[0]}_{r[1]}_final" for r in rows if len(r) > 1]
    if (d / "parameters.csv").exists():
        _, rows = read_raw(d / "parameters.csv")
        params = [r[0] for r in rows if r]
    if (d / "conditional.csv").exists() and ids is not None:
        _, rows = read_raw(d / "conditional.csv")
        outcomes = [r[0] for r in read_raw(d / "outcomes.csv")[1] if r]
        for k, r in enumerate(rows, start=2):
            if len(r) < 3:
                continue
            names = outcomes if r[2] == "outcome" else ids
            if r[0] not in ids or r[1] not in names or r[0] == r[1] and r[2] != "outcome":
                c.fail("conditional.csv", f"line {k}: ({r[0]}, {r[1]}, {r[2]}) is not a "
                       "pair of a step or branch and another step, branch or outcome")
                break
    files = {}
    for p in csvs:
        r = check_csv(c, p, ids, params, finals, repeating)
        if r is not None:
            files[p] = r
    if spreadsheet and files:
        check_spreadsheet(c, files)
    return c.problems


def write_fixture(d: Path, bad: str | None = None) -> None:
    """A small output folder as the spec describes it; `bad` breaks it in one way."""
    d.mkdir(parents=True, exist_ok=True)
    steps = [
        "step,label,actor,rung,kind,runs,happened,probability,ci_low,ci_high,time_mean,"
        "time_sd,time_p05,time_p25,time_p50,time_p75,time_p95,count_mean,count_sd,count_p05,"
        "count_p25,count_p50,count_p75,count_p95,count_max,words",
        'deploy,"Troops ""deploy"", fast",dprk,1,step,2000,1000,0.5,0.478,0.522,'
        "14.25,3.5,8,11,14,17,21,,,,,,,,,roughly even chance",
        "strike,Strike,ua,2,step,2000,0,0,0,0.0019,,,,,,,,0,0,0,0,0,0,0,0,almost no chance",
        "strike_hit,Hit,ua,4,branch,2000,0,0,0,0.0019,,,,,,,,0,0,0,0,0,0,0,0,"
        "almost no chance",
    ]
    if bad == "exponent":
        steps[1] = steps[1].replace("0.478", "4.78e-1")
    if bad == "column":
        steps[0] = steps[0].replace("time_p95", "timeP95")
    if bad == "text_number":
        steps[1] = steps[1].replace(",0.5,", ",n/a,")
    if bad == "words":
        steps[1] = steps[1].replace("roughly even chance", "likely")
    conditional = [
        "given,step,kind,given_runs,happened,probability,ci_low,ci_high,overall,lift,before,"
        "words",
        "deploy,strike,step,1000,0,0,0,0.0038,0,,,almost no chance",
        "deploy,war,outcome,1000,500,0.5,0.469,0.531,0.25,2,1,roughly even chance",
    ]
    if bad == "pair":
        conditional[1] = conditional[1].replace("deploy,strike,step", "deploy,war,step")
    files = {
        "steps.csv": steps,
        "outcomes.csv": [
            "outcome,runs,count,probability,ci_low,ci_high,time_mean,time_p50,words",
            "horizon,2000,1500,0.75,0.7307,0.7683,365,365,likely",
            "war,2000,500,0.25,0.2317,0.2693,120.5,118,unlikely",
        ],
        "conditional.csv": conditional,
        "rungs.csv": ["actor,rung,p_reached,p_max", "all,0,1,0.5", "all,1,0.5,0.5",
                      "dprk,0,1,0.5", "dprk,1,0.5,0.5"],
        "state.csv": ["actor,variable,mean,sd,min,p05,p25,p50,p75,p95,max",
                      "ru,casualties,81234.5,1000.25,79000,80000,80500,81200,81900,82500,"
                      "84000"],
        "parameters.csv": ["parameter,mean,sd,min,p05,p25,p50,p75,p95,max",
                           "dprk_troops,10000,0,10000,10000,10000,10000,10000,10000,10000",
                           "ammo_failure,0.8000123456789,0.12,0.2,0.55,0.7,0.82,0.9,0.96,0.999"],
        "timeline.csv": ["time,deploy,strike,strike_hit", "0,0,0,0", "1,0.0125,0,0",
                         "2,0.5,0,0"],
        "paths.csv": ["rank,path,outcome,count,probability", "1,,horizon,1000,0.5",
                      "2,deploy,horizon,500,0.25", "3,deploy > strike,war,500,0.25"],
        "runs.csv": ["run,dprk_troops,ammo_failure,outcome,end_time,max_rung,deploy_time,"
                     "strike_time,strike_hit_time,ru_casualties_final,strike_count,"
                     "strike_hit_count",
                     "0,10000,0.81,horizon,365,1,12.5,,,80000,0,0",
                     "1,10000,0.77,war,40,0,,,,81000,0,0"],
    }
    for name, lines in files.items():
        (d / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def self_test() -> int:
    failures = 0
    with tempfile.TemporaryDirectory(prefix="rungs-sheet-fixture-") as tmp:
        good = Path(tmp) / "good"
        write_fixture(good)
        problems = check_dir(good)
        if problems:
            failures += 1
            print("self-test: the good fixture fails:\n  " + "\n  ".join(problems))
        for bad in ("exponent", "column", "text_number", "words", "pair"):
            d = Path(tmp) / bad
            write_fixture(d, bad)
            problems = check_dir(d, spreadsheet=False)
            if not problems:
                failures += 1
                print(f"self-test: the {bad} fixture passes but must fail")
        # The formula check must be able to fail: a raw `=1+1` label is a live formula.
        live = Path(tmp) / "live"
        live.mkdir()
        (live / "steps.csv").write_text("step,label\na,=1+1\nb,'=1+1\n", encoding="utf-8")
        problems = check_no_formulas(live)
        if len(problems) != 1 or "B2" not in problems[0]:
            failures += 1
            print(f"self-test: a raw =1+1 must be the one formula found, got {problems}")
    print(f"spreadsheet_check self-test: {7 - failures} passed, {failures} failed")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) == 2 and argv[0] == "--formulas":
        problems = check_no_formulas(Path(argv[1]))
        for p in problems:
            print(f"FAIL {p}")
        if problems:
            return 1
        print(f"formula check: LibreOffice imported no formula from the CSVs of {argv[1]}")
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d = Path(argv[0])
    problems = check_dir(d)
    for p in problems:
        print(f"FAIL {p}")
    n = len(list(d.glob("*.csv")))
    if problems:
        print(f"spreadsheet check: {len(problems)} problems in {n} CSV files of {d}")
        return 1
    print(f"spreadsheet check: {n} CSV files of {d} read as numbers in pandas and LibreOffice")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")  # no display needed
    sys.exit(main(sys.argv[1:]))
