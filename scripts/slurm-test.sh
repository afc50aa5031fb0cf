#!/usr/bin/env bash
# Tests the shipped Slurm example against a real single-node Slurm started on this machine.
#
# 1. Installs munge and Slurm from Debian's packages (if missing) and starts munged, slurmctld
#    and slurmd with a private configuration in a temporary folder: this host is the only
#    node, no cgroups (proctrack/linuxproc, task/none), no accounting, everything on loopback.
# 2. Smoke test of the scheduler itself: a 4-task array of `hostname` and a job that depends
#    on it.
# 3. The real thing: examples/slurm/rungs-array.sbatch as a 4-shard job array, then
#    examples/slurm/rungs-merge.sbatch depending on it; every CSV of the merged result must be
#    byte-identical to an unsharded `rungs run` of the same scenario, seed and run count.
#
# Needs root (it installs packages and runs the daemons as root) and the release binary
# (target/release/rungs, built by `cargo test --release`; built here if missing).
# Environment: SCENARIO (default scenarios/dprk-kursk.toml), RUNS (default 20000),
# SHARDS (default 4), RUNGS (default ${CARGO_TARGET_DIR:-target}/release/rungs),
# KEEP=1 keeps the work folder,
# SMOKE_ONLY=1 stops after the scheduler's smoke test (no rungs needed).
# On failure it prints the Slurm and job logs and exits non-zero. It always stops the
# daemons it started (by their pid files) and nothing else.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCENARIO=${SCENARIO:-scenarios/dprk-kursk.toml}
RUNS=${RUNS:-20000}
SHARDS=${SHARDS:-4}
RUNGS=${RUNGS:-${CARGO_TARGET_DIR:-$ROOT/target}/release/rungs}
# A bound on every wait, so that a stuck scheduler fails the test instead of hanging CI.
JOB_TIMEOUT=${JOB_TIMEOUT:-600}

log() { printf '[slurm-test %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() {
    log "FAIL: $*"
    exit 1
}

if [[ $(id -u) != 0 ]]; then
    die "must run as root (installs packages, runs slurmctld/slurmd as root)"
fi
SMOKE_ONLY=${SMOKE_ONLY:-0}
if [[ $SMOKE_ONLY != 1 ]]; then
    [[ -f $SCENARIO ]] || die "scenario $SCENARIO not found (set SCENARIO=...)"
    case $RUNGS in /*) ;; *) RUNGS=$ROOT/$RUNGS ;; esac
    if [[ ! -x $RUNGS ]]; then
        log "building $RUNGS (cargo build --release)"
        cargo build --release --quiet
    fi
fi

# ---------------------------------------------------------------- install
t0=$SECONDS
need=()
for cmd in munged slurmctld slurmd sbatch; do
    command -v "$cmd" >/dev/null || need+=("$cmd")
done
if ((${#need[@]})); then
    log "installing munge and Slurm (missing: ${need[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends munge slurmctld slurmd slurm-client >/dev/null
fi
log "install: $((SECONDS - t0)) s ($(slurmctld -V))"

# ---------------------------------------------------------------- start
W=$(mktemp -d /tmp/rungs-slurm.XXXXXX)
chmod 700 "$W"
mkdir -p "$W"/munge "$W"/state "$W"/spool "$W"/log "$W"/jobs
HOST=$(hostname -s)
export SLURM_CONF=$W/slurm.conf

dump_logs() {
    for f in "$W"/log/* "$W"/jobs/*.out; do
        [[ -f $f ]] || continue
        echo "===== $f (last 60 lines)"
        tail -n 60 "$f"
    done
    if command -v squeue >/dev/null && [[ -f $W/slurmctld.pid ]]; then
        echo "===== squeue"
        squeue -a 2>&1 || true
        echo "===== sinfo"
        sinfo -N -l 2>&1 || true
    fi
}

stop_pidfile() {
    local f=$1
    [[ -f $f ]] || return 0
    local pid
    pid=$(cat "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    if ((rc != 0)); then
        log "FAILED (exit $rc); logs follow"
        dump_logs
    fi
    stop_pidfile "$W/slurmd.pid"
    stop_pidfile "$W/slurmctld.pid"
    stop_pidfile "$W/munge/munged.pid"
    if [[ ${KEEP:-0} == 1 ]]; then
        log "kept $W"
    else
        rm -rf "$W"
    fi
    exit "$rc"
}
trap cleanup EXIT

t0=$SECONDS
# munged insists that its key is owned by the user it runs as, with no access for others;
# a private copy keeps /etc/munge untouched.
if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 status=none
else
    cp /etc/munge/munge.key "$W/munge/munge.key"
fi
chmod 600 "$W/munge/munge.key"
MUNGE_SOCKET=$W/munge/munge.socket
munged --force --key-file="$W/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$W/munge/munged.pid" --log-file="$W/log/munged.log" \
    --seed-file="$W/munge/munged.seed"

# A real node description (CPUs, memory) from slurmd itself, so that the node registers.
NODE=$(slurmd -C | head -n 1 | sed -e "s/^NodeName=[^ ]*/NodeName=$HOST/")
# The scheduler keeps what it needs only in memory; leave 1 GiB below the reported memory.
cat >"$SLURM_CONF" <<EOF
ClusterName=rungsci
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# A job whose dependency can never be satisfied (a failed shard) is cancelled, not left
# pending forever.
DependencyParameters=kill_invalid_depend
MinJobAge=3600
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

deadline=$((SECONDS + 60))
until [[ $(sinfo -h -n "$HOST" -o %T 2>/dev/null || true) == idle ]]; do
    ((SECONDS < deadline)) || die "node $HOST did not become idle within 60 s"
    sleep 0.5
done
log "Slurm up: $((SECONDS - t0)) s (node $HOST idle)"

# ---------------------------------------------------------------- helpers
# job_state ID: the state of one job (or of one array task, ID_K).
job_state() {
    scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2
}

# wait_jobs ID...: waits until none of the jobs (arrays included) is pending or running.
wait_jobs() {
    local deadline=$((SECONDS + JOB_TIMEOUT))
    while squeue -h -j "$(
        IFS=,
        echo "$*"
    )" -t PENDING,RUNNING,CONFIGURING,COMPLETING 2>/dev/null | grep -q .; do
        ((SECONDS < deadline)) || die "jobs $* still running after $JOB_TIMEOUT s"
        sleep 1
    done
}

# expect_completed ID: every task of the job (or array) ended COMPLETED with exit 0.
expect_completed() {
    local lines bad
    lines=$(scontrol show job -o "$1")
    bad=$(grep -v 'JobState=COMPLETED' <<<"$lines" || true)
    if [[ -n $bad ]]; then
        echo "$bad"
        die "job $1 did not complete"
    fi
    if grep -v 'ExitCode=0:0' <<<"$lines" | grep -q .; then
        die "job $1 has a non-zero exit code"
    fi
}

# ---------------------------------------------------------------- smoke test
t0=$SECONDS
cd "$W/jobs"
# shellcheck disable=SC2016 # expanded by the job's shell, not this one
arr=$(sbatch --parsable --array=0-$((SHARDS - 1)) --output="$W/jobs/smoke-%A_%a.out" \
    --wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT on $(hostname)"')
dep=$(sbatch --parsable --dependency=afterok:"$arr" --output="$W/jobs/smoke-after.out" \
    --wrap 'cat smoke-*_*.out | sort')
wait_jobs "$arr" "$dep"
expect_completed "$arr"
expect_completed "$dep"
[[ $(wc -l <"$W/jobs/smoke-after.out") == "$SHARDS" ]] || die "smoke: dependent job saw $(wc -l <"$W/jobs/smoke-after.out") array outputs, expected $SHARDS"
log "smoke test (array of $SHARDS + dependent job): $((SECONDS - t0)) s"
cd "$ROOT"
if [[ $SMOKE_ONLY == 1 ]]; then
    log "OK: smoke test only (SMOKE_ONLY=1)"
    exit 0
fi

# ---------------------------------------------------------------- rungs on Slurm
t0=$SECONDS
REF=$W/ref
"$RUNGS" run "$SCENARIO" --runs "$RUNS" --quiet --out "$REF"
log "unsharded reference ($RUNS runs): $((SECONDS - t0)) s"

t0=$SECONDS
PARTS=$W/parts
MERGED=$W/merged
export RUNGS
arr=$(sbatch --parsable --chdir="$ROOT" --array=0-$((SHARDS - 1)) \
    --output="$W/jobs/shard-%A_%a.out" \
    examples/slurm/rungs-array.sbatch "$SCENARIO" "$RUNS" "$PARTS")
merge=$(sbatch --parsable --chdir="$ROOT" --dependency=afterok:"$arr" \
    --output="$W/jobs/merge-%j.out" \
    examples/slurm/rungs-merge.sbatch "$PARTS" "$MERGED")
log "submitted array $arr and merge $merge"
wait_jobs "$arr" "$merge"
expect_completed "$arr"
expect_completed "$merge"
log "array of $SHARDS shards + merge on Slurm: $((SECONDS - t0)) s"

# ---------------------------------------------------------------- compare
for k in $(seq 0 $((SHARDS - 1))); do
    [[ -s $PARTS/shard-$k-of-$SHARDS.json ]] || die "missing partial $PARTS/shard-$k-of-$SHARDS.json"
done
n=0
for ref in "$REF"/*.csv; do
    name=$(basename "$ref")
    # runs.csv exists only with --per-run, which shards do not write.
    [[ $name == runs.csv ]] && continue
    [[ -f $MERGED/$name ]] || die "merged output lacks $name"
    if ! cmp -s "$ref" "$MERGED/$name"; then
        diff <(head -n 20 "$ref") <(head -n 20 "$MERGED/$name") || true
        die "$name differs between the unsharded run and the merge of $SHARDS Slurm shards"
    fi
    n=$((n + 1))
done
((n > 0)) || die "the reference run wrote no CSV"
for merged in "$MERGED"/*.csv; do
    [[ -f $REF/$(basename "$merged") ]] || die "merge wrote $(basename "$merged"), which the unsharded run did not"
done
# And merge must refuse a set with a gap (shard 1 missing), writing nothing.
if "$RUNGS" merge "$PARTS"/shard-0-of-"$SHARDS".json "$PARTS"/shard-[2-9]*-of-"$SHARDS".json \
    --out "$W/gap" 2>"$W/log/merge-gap.err"; then
    die "rungs merge accepted partials with shard 1 missing"
fi
[[ ! -e $W/gap ]] || die "rungs merge refused a gap but wrote $W/gap"
log "merge refuses a missing shard: $(head -n 1 "$W/log/merge-gap.err")"
log "OK: $n CSV files byte-identical (unsharded vs. $SHARDS Slurm shards merged)"
