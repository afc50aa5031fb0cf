#!/usr/bin/env bash
# Renders what `rungs report` writes in a real browser and opens the workbooks in openpyxl
# and LibreOffice: see scripts/report_check.py for the list of checks.
#
# Installs Debian's chromium-headless-shell, LibreOffice Calc (libreoffice-calc-nogui) and
# openpyxl if missing, then for each kind of output folder (a run, a 1-D sweep, a 2-D grid,
# a Latin hypercube, epistemic points, tornado + importance, a comparison) runs rungs, then
# `rungs report`, renders report.html with --dump-dom and --screenshot, and checks the
# rendered page and report.xlsx.
# Environment: SCENARIO (default scenarios/dprk-kursk.toml), RUNS (default 2000),
# RUNGS (default ${CARGO_TARGET_DIR:-target}/release/rungs; built if missing),
# SHOTS (a folder to keep the screenshots in; default: none kept).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCENARIO=${SCENARIO:-scenarios/dprk-kursk.toml}
RUNS=${RUNS:-2000}
RUNGS=${RUNGS:-${CARGO_TARGET_DIR:-$ROOT/target}/release/rungs}
case $RUNGS in /*) ;; *) RUNGS=$ROOT/$RUNGS ;; esac

log() { printf '[report-check %(%H:%M:%S)T] %s\n' -1 "$*"; }

t0=$SECONDS
missing=()
command -v chromium-headless-shell >/dev/null || missing+=(chromium-headless-shell)
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
fi
if ! python3 -c 'import openpyxl' 2>/dev/null; then
    log "installing openpyxl"
    python3 -m pip install -q --disable-pip-version-check openpyxl ||
        python3 -m pip install -q --disable-pip-version-check --break-system-packages openpyxl
fi
log "install: $((SECONDS - t0)) s"

if [[ ! -x $RUNGS ]]; then
    log "building $RUNGS"
    cargo build --release --quiet
fi
OUT=$(mktemp -d /tmp/rungs-report.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# A browser that renders the page from disk, offline: no network, no first-run services.
render() { # render NAME: DOM and screenshot of $OUT/NAME/report.html
    local dir=$OUT/$1
    chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars \
        --no-first-run --disable-background-networking --disable-component-update \
        --run-all-compositor-stages-before-draw --virtual-time-budget=2000 \
        --dump-dom "file://$dir/report.html" >"$dir/dom.html" 2>/dev/null
    chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars \
        --no-first-run --disable-background-networking --disable-component-update \
        --window-size=1000,"${2:-3000}" --screenshot="$OUT/$1.png" \
        "file://$dir/report.html" >/dev/null 2>&1
    [[ -s $OUT/$1.png ]] || { log "no screenshot of $1"; return 1; }
    if [[ -n ${SHOTS:-} ]]; then mkdir -p "$SHOTS" && cp "$OUT/$1.png" "$SHOTS/"; fi
}

check() { # check NAME CHART...: report, render, check
    local name=$1
    shift
    local t=$SECONDS
    "$RUNGS" report "$OUT/$name" --quiet
    local ms
    render "$name" "${HEIGHT:-3000}"
    # The DOM and the screenshot are ours, not rungs': keep them out of the folder checked.
    mv "$OUT/$name/dom.html" "$OUT/$name.dom.html"
    python3 scripts/report_check.py "$OUT/$name.dom.html" "$OUT/$name" "$@"
    ms=$(stat -c %s "$OUT/$name/report.html")
    log "$name: ok ($((SECONDS - t)) s; report.html $((ms / 1024)) kB, report.xlsx $(($(stat -c %s "$OUT/$name/report.xlsx") / 1024)) kB)"
}

S=$SCENARIO
"$RUNGS" run "$S" --runs "$RUNS" --quiet --out "$OUT/run"
check run outcomes 'timeline*' rungs ladder paths times

"$RUNGS" sweep "$S" --vary p_nato_sanction=0..0.99:12 --runs 300 --quiet --out "$OUT/sweep"
check sweep sweep-outcomes sweep-steps

"$RUNGS" sweep "$S" --vary rotation_size=2000,5000,10000 --vary p_nato_sanction=0.1..0.5:3 \
    --runs 300 --quiet --out "$OUT/grid"
check grid 'heat-*'

"$RUNGS" sweep "$S" --lhs 8 --vary p_nato_sanction=0..0.5 --vary rotation_size=2000..20000 \
    --runs 200 --quiet --out "$OUT/lhs"
check lhs 'scatter-*'

"$RUNGS" sweep "$S" --epistemic 8 --runs 200 --quiet --out "$OUT/epistemic"
check epistemic spread-outcomes spread-steps

"$RUNGS" sweep "$S" --tornado --importance --runs 300 --quiet --out "$OUT/sensitivity"
check sensitivity tornado 'importance-*'

# B: NATO is more willing to sanction its volunteers' units (a what-if: the chance is still
# uncertain, beta(30, 1) with mean 0.97, so a [[correlations]] entry on it stays valid; a fixed
# value would be refused there). With a scenario without that parameter B is A, and a
# comparison of identical files draws no chart.
sed -E 's/^p_nato_sanction *=.*/p_nato_sanction = { dist = "beta", alpha = 30, beta = 1 }/' "$S" >"$OUT/b.toml"
"$RUNGS" compare "$S" "$OUT/b.toml" --runs 2000 --quiet --out "$OUT/compare"
if cmp -s "$S" "$OUT/b.toml"; then
    check compare
else
    check compare compare-outcomes compare-steps
fi

log "all report checks passed"
