#!/usr/bin/env bash
# Checks that what `rungs run` writes opens as numbers in pandas and in a spreadsheet
# (LibreOffice Calc, headless): see scripts/spreadsheet_check.py for the list of checks.
#
# Installs LibreOffice Calc (Debian's libreoffice-calc-nogui), pandas and openpyxl if missing,
# checks the checker on its own fixtures, then runs
#   rungs run SCENARIO --runs RUNS --per-run --out DIR
# and checks every CSV in DIR.
# Environment: SCENARIO (default scenarios/dprk-kursk.toml), RUNS (default 2000),
# RUNGS (default ${CARGO_TARGET_DIR:-target}/release/rungs; built if missing).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCENARIO=${SCENARIO:-scenarios/dprk-kursk.toml}
RUNS=${RUNS:-2000}
RUNGS=${RUNGS:-${CARGO_TARGET_DIR:-$ROOT/target}/release/rungs}
case $RUNGS in /*) ;; *) RUNGS=$ROOT/$RUNGS ;; esac

log() { printf '[spreadsheet-check %(%H:%M:%S)T] %s\n' -1 "$*"; }

t0=$SECONDS
if ! command -v soffice >/dev/null; then
    log "installing LibreOffice Calc (headless)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
if ! python3 -c 'import pandas, openpyxl' 2>/dev/null; then
    log "installing pandas and openpyxl"
    # A Debian-managed Python refuses plain pip installs (PEP 668); this machine's is ours.
    python3 -m pip install -q --disable-pip-version-check pandas openpyxl ||
        python3 -m pip install -q --disable-pip-version-check --break-system-packages \
            pandas openpyxl
fi
log "install: $((SECONDS - t0)) s"

t0=$SECONDS
python3 scripts/spreadsheet_check.py --self-test
log "self-test on fixtures: $((SECONDS - t0)) s"

if [[ ! -x $RUNGS ]]; then
    log "building $RUNGS"
    cargo build --release --quiet
fi
OUT=$(mktemp -d /tmp/rungs-sheet.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

t0=$SECONDS
"$RUNGS" run "$SCENARIO" --runs "$RUNS" --per-run --quiet --out "$OUT/run"
log "rungs run $SCENARIO --runs $RUNS --per-run: $((SECONDS - t0)) s"

t0=$SECONDS
python3 scripts/spreadsheet_check.py "$OUT/run"
log "pandas + LibreOffice checks: $((SECONDS - t0)) s"

# Labels a spreadsheet would run as formulas (OWASP's CSV injection cases): rungs writes them
# as text, and LibreOffice must import not one of them as a formula.
cat >"$OUT/formulas.toml" <<'TOML'
[scenario]
name = "=cmd|' /C calc'!A0"
horizon = 10
[[steps]]
id = "a"
label = "=1+1"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "b"
label = "=HYPERLINK(\"http://example.invalid\",\"click\")"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "c"
label = "=WEBSERVICE(\"http://example.invalid\")"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "d"
label = "+SUM(1,2)"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "e"
label = "@SUM(1,2)"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "f"
label = "-2+3"
rung = 1
probability = 0.5
delay = 1
[[steps]]
id = "g"
label = "\t=1+1"
rung = 1
probability = 0.5
delay = 1
TOML
t0=$SECONDS
"$RUNGS" run "$OUT/formulas.toml" --runs 200 --per-run --quiet --out "$OUT/formulas"
python3 scripts/spreadsheet_check.py --formulas "$OUT/formulas"
log "formula neutralisation in LibreOffice: $((SECONDS - t0)) s"
