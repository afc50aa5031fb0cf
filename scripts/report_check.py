#!/usr/bin/env python3
"""Checks what `rungs report DIR` wrote, as a browser and a spreadsheet see it.

    report_check.py DOM DIR CHART...   DOM is the page as chromium-headless-shell --dump-dom
                                       rendered it; DIR the folder; CHART the data-chart
                                       names the page must show, in order (a name ending in
                                       `*` matches any suffix, and may repeat)

Checks:
- the rendered page has every chart named, each an <svg class="chart"> with drawn shapes
  (paths, rects, circles) and text;
- nothing in the rendered DOM points off the page: every src/href/xlink:href/action/srcset/
  poster/data attribute is an in-page anchor (#...), there is no <script>, <link>, <iframe>,
  <object>, <embed>, no url(...) or @import in any style, and no on* event attribute;
- every tooltip that quotes a CSV row (`FILE row N: col=value, ...`) quotes cells that are
  in DIR/FILE at row N, verbatim;
- DIR/report.xlsx opens in openpyxl: the `charts` sheet first with at least one chart, a
  sheet per CSV of the folder (runs.csv aside) with the same header, numbers as numbers in
  every numeric column, the header row frozen; a percentage axis drawing values above 0.8
  ends at 100% (left automatic, spreadsheets run it to 120%);
- LibreOffice (headless) opens the workbook too: converted to xlsx again, the charts are
  still there (LibreOffice drew them from their ranges).

Exit status 0 when everything holds, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import csv
import html.parser
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OFF_PAGE_ATTRS = {"src", "href", "xlink:href", "action", "srcset", "poster", "data", "formaction"}
BANNED_TAGS = {"script", "link", "iframe", "object", "embed", "img", "video", "audio", "base"}
TIP = re.compile(r"^([a-z_]+\.csv) row (\d+): (.*)$", re.S)


class Dom(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.charts: list[str] = []
        self.shapes: list[int] = []
        self.texts: list[int] = []
        self.depth_in_chart = 0
        self.in_title = False
        self.title = ""
        self.titles: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BANNED_TAGS:
            self.problems.append(f"rendered page has a <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name in OFF_PAGE_ATTRS and not value.startswith("#"):
                self.problems.append(f"<{tag} {name}={value!r}> points off the page")
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler {name}")
            if name == "style" and ("url(" in value or "@import" in value):
                self.problems.append(f"<{tag}> style loads something: {value!r}")
        a = dict(attrs)
        if tag == "svg" and "chart" in (a.get("class") or "").split():
            self.charts.append(a.get("data-chart") or "")
            self.shapes.append(0)
            self.texts.append(0)
            self.depth_in_chart = 1
        elif self.depth_in_chart:
            self.depth_in_chart += 1
            if tag in ("path", "rect", "circle", "line"):
                self.shapes[-1] += 1
            if tag == "text":
                self.texts[-1] += 1
        if tag == "title":
            self.in_title = True
            self.title = ""

    def handle_endtag(self, tag):
        if self.depth_in_chart:
            self.depth_in_chart -= 1
        if tag == "title":
            self.in_title = False
            self.titles.append(self.title)
        if tag == "style":
            pass

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.lasttag == "style" and ("url(" in data or "@import" in data):
            self.problems.append("a <style> loads something (url( or @import)")


def chart_names_match(got: list[str], want: list[str]) -> bool:
    i = 0
    for w in want:
        if w.endswith("*"):
            n = 0
            while i < len(got) and got[i].startswith(w[:-1]):
                i += 1
                n += 1
            if n == 0:
                return False
        else:
            if i >= len(got) or got[i] != w:
                return False
            i += 1
    return i == len(got)


def unguard(s: str) -> str:
    return s[1:] if s.startswith("'") and s[1:2] in ("=", "+", "-", "@", "\t", "\r") else s


def check_tips(dom: Dom, folder: Path, problems: list[str]) -> int:
    cache: dict[str, list[list[str]]] = {}
    n = 0
    for t in dom.titles:
        m = TIP.match(t)
        if not m:
            continue
        file, row, rest = m.group(1), int(m.group(2)), m.group(3)
        if file not in cache:
            with open(folder / file, newline="", encoding="utf-8") as f:
                cache[file] = list(csv.reader(f))
        rows = cache[file]
        if row - 1 >= len(rows):
            problems.append(f"tooltip quotes {file} row {row}, which does not exist")
            continue
        header, cells = rows[0], rows[row - 1]
        # Split on ", col=" boundaries, column names known from the header.
        cols = "|".join(re.escape(h) for h in sorted(header, key=len, reverse=True))
        parts = re.split(rf"(?:^|, )({cols})=", rest)
        for k in range(1, len(parts) - 1, 2):
            col, value = parts[k], parts[k + 1]
            want = unguard(cells[header.index(col)])
            # A trailing unit (" days") may follow the last value.
            if value != want and not value.startswith(want + " "):
                problems.append(f"tooltip {t!r}: {col}={value!r}, but {file} row {row} has {want!r}")
        n += 1
    return n


def check_percent_axes(path: Path, wb, problems: list[str]) -> None:
    """A chart whose value axis is a percentage and draws a value above 0.8 ends it at 1."""
    for i, chart in enumerate(wb["charts"]._charts, start=1):
        axis = chart.y_axis  # the value axis, for bar and scatter charts alike
        if not (axis.numFmt and axis.numFmt.formatCode == "0%"):
            continue
        top = float("-inf")
        for s in chart.series:
            ref = (s.val or s.yVal).numRef.f  # chart_data!$B$3:$B$5
            sheet, cells = ref.split("!")
            for row in wb[sheet][cells.replace("$", "")]:
                for c in row:
                    if isinstance(c.value, (int, float)):
                        top = max(top, c.value)
        if top > 0.8 and axis.scaling.max != 1.0:
            problems.append(f"{path}: chart {i} draws {top} on a % axis ending at {axis.scaling.max} (auto runs past 100%)")


def check_xlsx(folder: Path, problems: list[str]) -> None:
    import openpyxl

    path = folder / "report.xlsx"
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    if not names or names[0] != "charts":
        problems.append(f"{path}: the first sheet is not `charts`: {names}")
        return
    n_charts = len(wb["charts"]._charts)
    if n_charts == 0:
        problems.append(f"{path}: the charts sheet has no chart")
    csvs = sorted(p.name for p in folder.glob("*.csv") if p.name != "runs.csv")
    for name in csvs:
        sheet = name[:-4][:31]
        if sheet not in names:
            problems.append(f"{path}: no sheet {sheet} for {name}")
            continue
        ws = wb[sheet]
        with open(folder / name, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header = [c.value for c in ws[1]]
        if header != rows[0]:
            problems.append(f"{path}:{sheet}: header {header} is not {rows[0]}")
        if ws.freeze_panes != "A2":
            problems.append(f"{path}:{sheet}: header not frozen ({ws.freeze_panes})")
        if ws.column_dimensions["A"].width in (None, 0):
            problems.append(f"{path}:{sheet}: columns not sized")
        # Numbers as numbers: a cell whose CSV text is a plain number is a number, equal.
        for r, row in enumerate(rows[1:200], start=2):
            for c, text in enumerate(row, start=1):
                if not re.fullmatch(r"-?\d+(\.\d+)?", text):
                    continue
                if rows[0][c - 1] in ("step", "label", "actor", "kind", "outcome", "path", "parameter", "id", "variable"):
                    continue
                v = ws.cell(row=r, column=c).value
                if not isinstance(v, (int, float)) or abs(v - float(text)) > 1e-12 * max(1.0, abs(float(text))):
                    problems.append(f"{path}:{sheet}!R{r}C{c}: {v!r}, the CSV has {text}")
                    break
    check_percent_axes(path, wb, problems)
    print(f"  openpyxl: {len(names)} sheets, {n_charts} native charts")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        problems.append("LibreOffice (soffice) is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        r = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(path)],
            capture_output=True, text=True, timeout=300,
        )
        out = Path(tmp) / "report.xlsx"
        if r.returncode != 0 or not out.exists():
            problems.append(f"LibreOffice could not open {path}: {r.stderr.strip()[:300]}")
            return
        back = openpyxl.load_workbook(out)
        n_back = sum(len(back[s]._charts) for s in back.sheetnames)
        if n_back < n_charts:
            problems.append(f"LibreOffice kept {n_back} of the {n_charts} charts of {path}")
        print(f"  LibreOffice: opened, {n_back} charts after its round trip")


def self_test() -> None:
    """The checker catches what it is for: an off-page image, a script, a handler, a
    tooltip whose number is not the CSV's."""
    bad = Dom()
    bad.feed('<p><img src="http://example.invalid/x.png"><script>1</script>'
             '<a href="https://example.invalid">x</a><b onclick="x()">y</b></p>')
    assert len(bad.problems) >= 4, bad.problems
    good = Dom()
    good.feed('<nav><a href="#outcomes">x</a></nav><svg class="chart" data-chart="c">'
              '<title>t</title><rect/><rect/><path/><text>a</text><text>b</text></svg>')
    assert good.problems == [] and good.charts == ["c"], good.problems
    assert chart_names_match(["heat-a", "heat-b"], ["heat-*"])
    assert not chart_names_match(["outcomes"], ["outcomes", "timeline"])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "outcomes.csv").write_text("outcome,probability\nwar,0.25\n")
        for tip, n_problems in (("outcomes.csv row 2: outcome=war, probability=0.25", 0),
                                ("outcomes.csv row 2: outcome=war, probability=0.26", 1)):
            d = Dom()
            d.titles = [tip]
            found: list[str] = []
            check_tips(d, Path(tmp), found)
            assert len(found) == n_problems, (tip, found)


def main() -> int:
    self_test()
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    dom_path, folder, want = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    problems: list[str] = []
    dom = Dom()
    dom.feed(dom_path.read_text(encoding="utf-8"))
    problems += dom.problems
    if not chart_names_match(dom.charts, want):
        problems.append(f"charts after rendering: {dom.charts}, expected {want}")
    for name, shapes, texts in zip(dom.charts, dom.shapes, dom.texts):
        if shapes < 3 or texts < 2:
            problems.append(f"chart {name} is empty after rendering ({shapes} shapes, {texts} texts)")
    n = check_tips(dom, folder, problems)
    if n == 0:
        problems.append("no tooltip quotes a CSV row")
    print(f"  page: {len(dom.charts)} charts, {n} tooltips checked against the CSVs")
    check_xlsx(folder, problems)
    for p in problems:
        print(f"PROBLEM: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
