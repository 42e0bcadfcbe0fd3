#!/usr/bin/env bash
# ./parley loadtest compare [--quick] — Parley against the two reference servers, one run, one table.
#
# Runs one after the other on this machine (they share Redis port 26379):
#   Parley (scripts/loadtest.sh, each on a fresh platform with two chat nodes):
#     fixed    fanout at a fixed offered rate: one sender per group, COMPARE_RATE msg/s each, over
#              COMPARE_GROUPS groups of COMPARE_CLIENTS/COMPARE_GROUPS members
#     ladder   saturation over COMPARE_STEPS (stops at the first step with p99 > 100 ms or any loss)
#     direct   1:1, COMPARE_DIRECT_CLIENTS clients x COMPARE_DIRECT_RATE msg/s
#     direct-1k  1:1 at COMPARE_DIRECT_1K_RATE msg/s in total (COMPARE_DIRECT_CLIENTS clients x the total / clients
#              msg/s each, e.g. 2,000 x 0.5): the durable `sent` p50 / p99 at a moderate load, a row of its own
#     idle     COMPARE_IDLE_CLIENTS authenticated idle connections on one node
#     fixed-ack-per-message   the fixed-rate fanout again with --ack per-message (skipped if the generator has no --ack)
#   the floor (PARLEY_PEERS_DIR/floor/run.sh, compiled with cc; a few seconds): the CPU µs one process spends handing
#     one pre-encoded COMPARE_FLOOR_FRAME_BYTES frame to the kernel for each of COMPARE_FLOOR_SOCKETS loopback sockets,
#     one frame per write and four per write — the physical floor of a fan-out delivery on this machine; the table
#     gives it a row and Parley's fan-out CPU ÷ it (skipped, with a note, without cc or without floor/)
#   Socket.IO and quarkus-raw (the references' bench.sh, found in PARLEY_PEERS_DIR):
#     fixed    bench.sh S4 with S4_STEPS = COMPARE_RATE repeated (COMPARE_PEER_WARMUP_STEPS unmeasured steps first)
#              and S4_STEP_S = COMPARE_DURATION: S1's topology at Parley's rate (bench.sh's S1 is fixed at 50 msg/s)
#     suite    bench.sh S2 S3 S4: 1:1 (2,000 x 2 msg/s, DURATION = COMPARE_DURATION), idle (20,000 on one node),
#              the ladder (S4_STEPS = COMPARE_PEER_STEPS, S4_STEP_S = COMPARE_STEP_S)
# then prints ONE Markdown table on stdout (progress goes to stderr) and keeps every JSON line, tagged with
# "compare": {server, phase, ...}, in one results file (path printed); the table is saved next to it (.md).
#
#   ./parley loadtest compare                 the full run (about 35-45 minutes on a quiet 2-core machine)
#   ./parley loadtest compare --quick         small and short, for checking the plumbing (about 12 minutes)
#   ./parley loadtest compare --table FILE    print the table of an earlier results file again
#
# Environment (full default / --quick default):
#   COMPARE_CLIENTS (2000/400) COMPARE_GROUPS (20/4) COMPARE_RATE (12/12) msg/s per sender   fixed-rate fanout
#   COMPARE_DURATION (20/5)   seconds of the fixed-rate and 1:1 windows (Parley --duration, peers DURATION/S4_STEP_S)
#   COMPARE_WARMUP (60/5)     Parley's unmeasured warm-up before each traffic scenario (--warmup); the generator then
#                             warms up 10 s more at a time while a node's JIT still takes 5 % of its CPU (at most 180 s)
#   COMPARE_PEER_WARMUP_STEPS (1/1)  unmeasured S4 steps at the same rate before the peers' fixed-rate window
#   COMPARE_STEPS (4,6,8,10,12,14,16,18,20,22,25,30,35,40,50,60,80,100 / 4,12,25)  Parley's ladder, msg/s per sender
#   COMPARE_PEER_STEPS (4,6,8,10,12,14,16,18,20,22,25,30 / 4,12,25)  the references' ladder (S4_STEPS)
#   COMPARE_STEP_S (10/3)     seconds per ladder step
#   COMPARE_DIRECT_CLIENTS (2000/400) COMPARE_DIRECT_RATE (2/2)   Parley's 1:1 (the references' S2 is 2000 x 2)
#   COMPARE_DIRECT_1K_RATE (1000/1000)   msg/s in total of direct-1k, spread over COMPARE_DIRECT_CLIENTS senders
#   COMPARE_FLOOR_SOCKETS (COMPARE_CLIENTS)   the floor's sockets (one delivery to each per round)
#   COMPARE_FLOOR_ROUNDS (100/100)   the floor's rounds, a multiple of 4 (its second run writes four frames at a time)
#   COMPARE_FLOOR_FRAME_BYTES (body + 180 = 280)   the floor's frame: Parley's message frame for the generator's
#                             body (--body-bytes in COMPARE_LOADGEN_FLAGS, default 100) with the WebSocket header
#   COMPARE_IDLE_CLIENTS (18000/2000) COMPARE_IDLE_HOLD (10/3)   Parley's idle (the references' S3: 20,000, 5 s)
#   COMPARE_TARGETS (parley,floor,socketio,quarkus-raw)   which servers to run (floor: the floor program)
#   COMPARE_PARLEY_PHASES (fixed,ladder,direct,direct-1k,idle,fixed-ack-per-message)   which of Parley's phases
#   COMPARE_LOADGEN_FLAGS     extra generator flags for every Parley phase
#   COMPARE_OUT_DIR (.parley/compare)   results file, table and logs
#   PARLEY_PEERS_DIR (../shared/peers from the repository root)   the reference servers
#   QRAW_OPTS (-Dquarkus.vertx.event-loops-pool-size=1)   JVM flags of quarkus-raw (as bench.sh takes them)
#   PARLEY_BENCH_LOCK (/tmp/parley-bench.lock) COMPARE_LOCK_WAIT_S (60)   one benchmark at a time on this machine
#   QUIET_MAX (40) QUIET_WAIT_S (180/30)   wait for the machine's CPU use below QUIET_MAX % of a core, at most
#                             QUIET_WAIT_S seconds, before each phase (bench.sh's knobs, passed on to it)
#   PARLEY_SKIP_BUILD=1       use the jars already built (otherwise: mvn -B -q -DskipTests package once, first)
#   PARLEY_APP_DIR, LOADGEN_JAVA_OPTS, PARLEY_BENCH_*_PORT   passed on to scripts/loadtest.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK="${PARLEY_BENCH_LOCK:-/tmp/parley-bench.lock}"

# Run under `flock /tmp/parley-bench.lock ./parley loadtest compare`, the lock's descriptor is inherited (any number,
# 3 included): keep a copy of it before fd 3 is taken below; locking it again then succeeds instead of waiting for
# ourselves.
INHERITED_LOCK_FD=""
for fd in /proc/$$/fd/*; do
  n="${fd##*/}"
  [ "$n" -gt 2 ] 2>/dev/null || continue
  if [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ]; then exec {INHERITED_LOCK_FD}<&"$n"; break; fi
done

# stdout carries only the table; everything else goes to stderr
exec 3>&1 1>&2
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"

T0=$SECONDS
log() { printf '\033[1m[compare %s +%s]\033[0m %s\n' "$(date +%T)" "$(elapsed $((SECONDS - T0)))" "$*" >&2; }
elapsed() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

QUICK=0
TABLE_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --table) TABLE_ONLY="${2:?--table needs a results file}"; shift ;;
    -h|--help|help) usage >&3; exit 0 ;;
    *) die "unknown argument '$1' (--quick, --table FILE, --help)" ;;
  esac
  shift
done

q() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }  # q FULL QUICK
CLIENTS="${COMPARE_CLIENTS:-$(q 2000 400)}"
GROUPS_N="${COMPARE_GROUPS:-$(q 20 4)}"
RATE="${COMPARE_RATE:-12}"
DURATION="${COMPARE_DURATION:-$(q 20 5)}"
WARMUP="${COMPARE_WARMUP:-$(q 60 5)}"
PEER_WARMUP_STEPS="${COMPARE_PEER_WARMUP_STEPS:-1}"
STEPS="${COMPARE_STEPS:-$(q 4,6,8,10,12,14,16,18,20,22,25,30,35,40,50,60,80,100 4,12,25)}"
PEER_STEPS="${COMPARE_PEER_STEPS:-$(q 4,6,8,10,12,14,16,18,20,22,25,30 4,12,25)}"
STEP_S="${COMPARE_STEP_S:-$(q 10 3)}"
DIRECT_CLIENTS="${COMPARE_DIRECT_CLIENTS:-$(q 2000 400)}"
DIRECT_RATE="${COMPARE_DIRECT_RATE:-2}"
IDLE_CLIENTS="${COMPARE_IDLE_CLIENTS:-$(q 18000 2000)}"
IDLE_HOLD="${COMPARE_IDLE_HOLD:-$(q 10 3)}"
DIRECT_1K_RATE="${COMPARE_DIRECT_1K_RATE:-1000}"
TARGETS="${COMPARE_TARGETS:-parley,floor,socketio,quarkus-raw}"
PARLEY_PHASES="${COMPARE_PARLEY_PHASES:-fixed,ladder,direct,direct-1k,idle,fixed-ack-per-message}"
read -r -a EXTRA_FLAGS <<< "${COMPARE_LOADGEN_FLAGS:-}"
BODY_BYTES=100                 # the generator's default; the last --body-bytes of COMPARE_LOADGEN_FLAGS wins
for ((i = 0; i + 1 < ${#EXTRA_FLAGS[@]}; i++)); do
  [ "${EXTRA_FLAGS[i]}" = --body-bytes ] && BODY_BYTES="${EXTRA_FLAGS[i + 1]}"
done
FLOOR_SOCKETS="${COMPARE_FLOOR_SOCKETS:-$CLIENTS}"
FLOOR_ROUNDS="${COMPARE_FLOOR_ROUNDS:-100}"
# Parley's message frame around the body: {"type":"message","id":..,"conversation":..,"seq":..,"from":..,"to":{..},
# "body":..,"kind":"text","ts":..} is about 176 bytes of JSON besides the body, plus the 4-byte WebSocket header
FLOOR_FRAME_BYTES="${COMPARE_FLOOR_FRAME_BYTES:-$((BODY_BYTES + 180))}"
OUT_DIR="${COMPARE_OUT_DIR:-$ROOT/.parley/compare}"
PEERS_DIR="${PARLEY_PEERS_DIR:-$ROOT/../shared/peers}"
QRAW_OPTS="${QRAW_OPTS:--Dquarkus.vertx.event-loops-pool-size=1}"
LOCK_WAIT_S="${COMPARE_LOCK_WAIT_S:-60}"
export QUIET_MAX="${QUIET_MAX:-40}" QUIET_WAIT_S="${QUIET_WAIT_S:-$(q 180 30)}"
MAX_P99_MS=100
SENDERS="$GROUPS_N"            # the generator's fan-out: one sender per group
MEMBERS=$((CLIENTS / GROUPS_N))

want_target() { [[ ",$TARGETS," == *",$1,"* ]]; }
want_phase() { [[ ",$PARLEY_PHASES," == *",$1,"* ]]; }
# direct-1k: the total rate spread over the 1:1 phase's clients (the generator's --rate is per sender, fractional)
DIRECT_1K_PER_SENDER="$(awk -v t="$DIRECT_1K_RATE" -v c="$DIRECT_CLIENTS" 'BEGIN { if (t + 0 > 0 && c + 0 > 0) printf "%.6g", t / c }')"

require_packages jq:jq >&2

# ---------------------------------------------------------------- the table

NOTES=()
render_table() { jq -r -s -f "$ROOT/scripts/compare-table.jq" "$1"; }  # the run's settings and notes are in the file

if [ -n "$TABLE_ONLY" ]; then
  [ -f "$TABLE_ONLY" ] || die "no such results file: $TABLE_ONLY"
  render_table "$TABLE_ONLY" >&3
  exit 0
fi

if want_target parley && want_phase direct-1k; then
  [ -n "$DIRECT_1K_PER_SENDER" ] || die "COMPARE_DIRECT_1K_RATE=$DIRECT_1K_RATE and COMPARE_DIRECT_CLIENTS=$DIRECT_CLIENTS must be positive numbers"
fi
if want_target floor; then
  for v in FLOOR_SOCKETS FLOOR_ROUNDS FLOOR_FRAME_BYTES; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "COMPARE_$v=${!v} is not a positive whole number"
  done
  [ $((FLOOR_ROUNDS % 4)) -eq 0 ] || die "COMPARE_FLOOR_ROUNDS=$FLOOR_ROUNDS must be a multiple of 4 (the floor's second run writes four frames at a time)"
  [ "$FLOOR_FRAME_BYTES" -ge 8 ] || die "COMPARE_FLOOR_FRAME_BYTES=$FLOOR_FRAME_BYTES: a frame has at least its 4-byte header"
fi

# ---------------------------------------------------------------- one benchmark at a time

# The lock is held for the whole run. When an ancestor already holds it (`flock /tmp/parley-bench.lock ./parley
# loadtest compare`), its descriptor is inherited: locking that one again succeeds instead of waiting for itself.
if [ -n "$INHERITED_LOCK_FD" ] && flock -n "$INHERITED_LOCK_FD" 2>/dev/null; then
  log "holding $LOCK (taken by the caller)"
else
  exec 9>>"$LOCK"
  log "waiting for the benchmark lock $LOCK (at most ${LOCK_WAIT_S}s)"
  flock -w "$LOCK_WAIT_S" 9 || die "another benchmark holds $LOCK (waited ${LOCK_WAIT_S}s; COMPARE_LOCK_WAIT_S to wait longer): one benchmark at a time on this machine"
fi

# A benchmark environment already running (ours from an earlier run, or someone's without the lock): refuse.
BENCH_HOME="${PARLEY_BENCH_HOME:-/tmp/parley-bench-$(id -u)}"
for f in "$BENCH_HOME"/run/*.pid "$BENCH_HOME"/chat-2/run/*.pid; do
  [ -f "$f" ] || continue
  p="$(cat "$f" 2>/dev/null || true)"
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && die "a benchmark environment is already running ($(basename "$f" .pid), pid $p, $BENCH_HOME): stop it first"
done
for port in "${PARLEY_BENCH_REDIS_PORT:-26379}" "${PARLEY_BENCH_DB_PORT:-23306}" "${PARLEY_BENCH_AUTH_PORT:-18081}" \
            "${PARLEY_BENCH_ID_PORT:-18084}" "${PARLEY_BENCH_CHAT_PORT:-18080}" "${PARLEY_BENCH_CHAT2_PORT:-18082}" \
            3001 3002 3003; do
  port_busy "$port" && die "port $port is in use: a benchmark environment (Parley's or a reference's) is already running"
done

# ---------------------------------------------------------------- run directory, results

STAMP="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RESULTS="$OUT_DIR/compare-$STAMP.jsonl"
TABLE="$OUT_DIR/compare-$STAMP.md"
RUN_DIR="$OUT_DIR/compare-$STAMP"       # per-phase logs, the references' logs and raw results
mkdir -p "$RUN_DIR"
: > "$RESULTS"
SETTINGS_JSON="$(jq -c -n --arg CLIENTS "$CLIENTS" --arg GROUPS_N "$GROUPS_N" --arg RATE "$RATE" --arg SENDERS "$SENDERS" \
  --arg MEMBERS "$MEMBERS" --arg DIRECT_CLIENTS "$DIRECT_CLIENTS" --arg DIRECT_RATE "$DIRECT_RATE" --arg QUICK "$QUICK" \
  --arg DURATION "$DURATION" --arg WARMUP "$WARMUP" --arg STEPS "$STEPS" --arg PEER_STEPS "$PEER_STEPS" \
  --arg STEP_S "$STEP_S" --arg IDLE_CLIENTS "$IDLE_CLIENTS" --arg IDLE_HOLD "$IDLE_HOLD" --arg QRAW_OPTS "$QRAW_OPTS" \
  --arg PEER_WARMUP_STEPS "$PEER_WARMUP_STEPS" --arg DIRECT_1K_RATE "$DIRECT_1K_RATE" \
  --arg DIRECT_1K_PER_SENDER "$DIRECT_1K_PER_SENDER" --arg FLOOR_SOCKETS "$FLOOR_SOCKETS" --arg FLOOR_ROUNDS "$FLOOR_ROUNDS" \
  --arg FLOOR_FRAME_BYTES "$FLOOR_FRAME_BYTES" --arg BODY_BYTES "$BODY_BYTES" '$ARGS.named')"
log "results -> $RESULTS (logs in $RUN_DIR)"

# Every process this run starts carries this variable (environments are inherited, even by daemons), which is how
# the CPU monitor tells this run's processes from everybody else's.
export PARLEY_COMPARE_RUN="$STAMP-$$"

# ---------------------------------------------------------------- others' CPU, sampled every 2 s

NCPU="$(nproc)"
CLK="$(getconf CLK_TCK)"
SAMPLES="$RUN_DIR/cpu-samples.txt"     # epoch-seconds machine-busy-% ours-% others-% (of one core)
cpu_monitor() {
  local prev_busy=0 prev_total=0 line busy total
  declare -A prev=()
  trap 'exit 0' TERM INT
  while :; do
    read -r -a line < /proc/stat
    busy=$(( line[1] + line[2] + line[3] + line[6] + line[7] + line[8] ))
    total=$(( busy + line[4] + line[5] ))
    declare -A now=()
    local pid t ours=0
    while read -r pid t; do
      now[$pid]=$t
      if [ -n "${prev[$pid]:-}" ]; then ours=$(( ours + t - prev[$pid] )); elif [ "$prev_total" -gt 0 ]; then ours=$(( ours + t )); fi
    done < <(grep -lsz "^PARLEY_COMPARE_RUN=$PARLEY_COMPARE_RUN\$" /proc/[0-9]*/environ 2>/dev/null \
               | awk -F/ '{ print "/proc/" $3 "/stat" }' | xargs -r cat 2>/dev/null \
               | awk '{ pid = $1; sub(/^.*\) /, ""); split($0, f, " "); print pid, f[12] + f[13] }')
    if [ "$prev_total" -gt 0 ] && [ "$total" -gt "$prev_total" ]; then
      awk -v t="$(date +%s)" -v db=$((busy - prev_busy)) -v dt=$((total - prev_total)) -v o="$ours" -v n="$NCPU" 'BEGIN {
        core = dt / n; b = db / core * 100; m = o / core * 100; x = b - m; if (x < 0) x = 0
        printf "%d %.1f %.1f %.1f\n", t, b, m, x }' >> "$SAMPLES"
    fi
    prev_busy=$busy; prev_total=$total
    prev=()
    for pid in "${!now[@]}"; do prev[$pid]=${now[$pid]}; done
    unset now
    sleep 2
  done
}
# mean and max of others' CPU between two epochs: {"mean":..,"max":..} or null
others_between() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { s += $4; n++; if ($4 > m) m = $4 }
    END { if (n) printf "{\"mean\":%.1f,\"max\":%.1f}\n", s / n, m; else print "null" }' "$SAMPLES" 2>/dev/null || echo null
}
: > "$SAMPLES"
cpu_monitor &
MONITOR_PID=$!

# ---------------------------------------------------------------- a phase = one child process group

CHILD=""
stop_child() {
  [ -n "$CHILD" ] || return 0
  if kill -0 "$CHILD" 2>/dev/null; then
    log "stopping the running phase (process group $CHILD) — loadtest.sh and bench.sh stop what they started"
    # TERM, not INT: a shell started in the background (nohup, CI) passes SIGINT on ignored
    kill -TERM -- "-$CHILD" 2>/dev/null || true
    local i
    for i in $(seq 1 900); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$CHILD" 2>/dev/null; then
      log "the phase did not stop within 90 s: killing process group $CHILD"
      kill -KILL -- "-$CHILD" 2>/dev/null || true
    fi
  fi
  CHILD=""
}
finish() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  stop_child
  [ -n "${MONITOR_PID:-}" ] && kill "$MONITOR_PID" 2>/dev/null && wait "$MONITOR_PID" 2>/dev/null
  if [ "$rc" -ne 0 ]; then
    log "stopped (exit $rc) after $(elapsed $((SECONDS - T0))); partial results in $RESULTS, logs in $RUN_DIR"
  fi
  exit "$rc"
}
trap finish EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM
# Children run in their own process group (job control), so a signal to this script reaches them only through
# stop_child — after which loadtest.sh and bench.sh have run their own clean-up.
set -m

PHASE_NO=0
PHASES_TOTAL=0
FAILED=()
# run_phase SERVER PHASE TAGS_JSON COMMAND... — runs COMMAND with stdin closed, keeps the JSON lines of its stdout
run_phase() {
  local server="$1" phase="$2" tags="$3"; shift 3
  local name="$server-$phase" out err t_start t_end rc other n
  PHASE_NO=$((PHASE_NO + 1))
  out="$RUN_DIR/$name.out"; err="$RUN_DIR/$name.log"
  log "phase $PHASE_NO/$PHASES_TOTAL: $server $phase — $*"
  t_start="$(date +%s)"
  # the log copier (in the phase's process group) ignores INT and TERM: if it died first, the phase's clean-up
  # would die writing to its stderr
  "$@" < /dev/null > "$out" 2> >(trap '' INT TERM; tee "$err" | sed -u 's/^/    /' >&2) &
  CHILD=$!
  rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  t_end="$(date +%s)"
  other="$(others_between "$t_start" "$t_end")"
  n="$(grep -c '^{' "$out" || true)"
  if [ "$n" -gt 0 ]; then
    grep '^{' "$out" | jq -c -R --arg run "$PARLEY_COMPARE_RUN" --arg s "$server" --arg p "$phase" \
      --argjson tags "$tags" --argjson other "$other" --argjson settings "$SETTINGS_JSON" \
      '(fromjson? // {unparsed: .}) as $l
       | {compare: ({run: $run, server: $s, phase: $p, otherCpuPct: $other, settings: $settings} + $tags)} + $l' >> "$RESULTS"
  fi
  if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
    FAILED+=("$server $phase (exit $rc, $n JSON lines; log $err)")
    jq -c -n --arg run "$PARLEY_COMPARE_RUN" --arg s "$server" --arg p "$phase" --argjson rc "$rc" --arg log "$err" \
      --argjson other "$other" --argjson settings "$SETTINGS_JSON" \
      '{compare: {run: $run, server: $s, phase: $p, otherCpuPct: $other, settings: $settings, failed: true, exit: $rc, log: $log}}' >> "$RESULTS"
  fi
  log "phase $PHASE_NO/$PHASES_TOTAL: $server $phase done in $(elapsed $((t_end - t_start))) (exit $rc, $n JSON lines); others' CPU: $(jq -r 'if . == null then "–" else "mean \(.mean) %, max \(.max) % of a core" end' <<< "$other")"
}
skip_phase() { # skip_phase SERVER PHASE REASON
  PHASE_NO=$((PHASE_NO + 1))
  log "phase $PHASE_NO/$PHASES_TOTAL: $1 $2 skipped: $3"
  NOTES+=("$1 $2 not run: $3")
  jq -c -n --arg run "$PARLEY_COMPARE_RUN" --arg s "$1" --arg p "$2" --arg why "$3" --argjson settings "$SETTINGS_JSON" \
    '{compare: {run: $run, server: $s, phase: $p, settings: $settings, skipped: $why}}' >> "$RESULTS"
}

# bench.sh's own quiet check, for Parley's phases (bench.sh waits by itself)
busy_pct() {
  local a b
  read -r -a a < /proc/stat; sleep 2; read -r -a b < /proc/stat
  local db=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  local dt=$(( db + (b[4]+b[5]) - (a[4]+a[5]) ))
  echo $(( dt > 0 ? db * 100 * NCPU / dt : 0 ))
}
wait_quiet() {
  local t0=$SECONDS b
  while :; do
    b="$(busy_pct)"
    if [ "$b" -le "$QUIET_MAX" ]; then log "machine quiet enough (${b}% of a core busy)"; return 0; fi
    if [ $((SECONDS - t0)) -ge "$QUIET_WAIT_S" ]; then
      log "WARNING: machine still busy (${b}% of a core) after ${QUIET_WAIT_S}s; running anyway — see others' CPU in the table"
      return 0
    fi
    log "machine busy (${b}% of a core); waiting for quiet (QUIET_MAX=$QUIET_MAX, at most ${QUIET_WAIT_S}s)"
    sleep 5
  done
}

# ---------------------------------------------------------------- what runs

PEERS_OK=0
if want_target socketio || want_target quarkus-raw; then
  if [ -x "$PEERS_DIR/socketio/bench.sh" ]; then
    PEERS_DIR="$(cd "$PEERS_DIR" && pwd)"; PEERS_OK=1
  else
    log "the reference servers are not at $PEERS_DIR"
    log "  put them there (the folder holding socketio/bench.sh and quarkus-raw/, kept outside the repository as"
    log "  ../shared/peers next to it) or set PARLEY_PEERS_DIR=/path/to/peers; running Parley's part only"
    NOTES+=("the reference servers were not found at $PEERS_DIR (put them there or set PARLEY_PEERS_DIR): only Parley ran")
  fi
fi
parley_phases=()
if want_target parley; then
  for p in fixed ladder direct direct-1k idle fixed-ack-per-message; do want_phase "$p" && parley_phases+=("$p"); done
fi
# the floor: run (FLOOR=run), skipped with a reason (FLOOR=the reason), or not wanted (FLOOR empty)
FLOOR=""
if want_target floor; then
  if [ ! -f "$PEERS_DIR/floor/run.sh" ] || [ ! -f "$PEERS_DIR/floor/floor.c" ]; then
    FLOOR="there is no floor/ (run.sh, floor.c) in $PEERS_DIR (the reference servers' folder; PARLEY_PEERS_DIR to point elsewhere)"
  elif ! command -v cc >/dev/null 2>&1; then
    FLOOR="no C compiler: floor/run.sh compiles floor.c with cc (install one, e.g. apt-get install gcc)"
  else
    FLOOR=run
  fi
fi
peer_targets=()
if [ "$PEERS_OK" = 1 ]; then
  for t in socketio quarkus-raw; do want_target "$t" && peer_targets+=("$t"); done
fi
PHASES_TOTAL=$(( ${#parley_phases[@]} + 2 * ${#peer_targets[@]} + (${#FLOOR} > 0 ? 1 : 0) ))
log "$( [ "$QUICK" = 1 ] && echo "QUICK run" || echo "full run"): ${#parley_phases[@]} Parley phases (${parley_phases[*]:-none}), floor: $( [ -z "$FLOOR" ] && echo "not wanted" || { [ "$FLOOR" = run ] && echo "yes" || echo "skipped"; }), references: ${peer_targets[*]:-none}"

# ---------------------------------------------------------------- Parley

if [ ${#parley_phases[@]} -gt 0 ]; then
  if [ "${PARLEY_SKIP_BUILD:-}" != "1" ]; then
    if [ -n "${PARLEY_APP_DIR:-}" ]; then
      log "building the load generator (mvn -B -q -pl tools/loadgen -DskipTests package)"
      (cd "$ROOT" && mvn -B -q -pl tools/loadgen -DskipTests package) || die "build failed"
    else
      log "building (mvn -B -q -DskipTests package; PARLEY_SKIP_BUILD=1 to use the jars already built)"
      (cd "$ROOT" && mvn -B -q -DskipTests package) || die "build failed"
    fi
  fi
  export PARLEY_SKIP_BUILD=1
  LOADGEN="$ROOT/tools/loadgen/target"
  [ -d "$LOADGEN/lib" ] || die "the load generator is not built ($LOADGEN/lib): run without PARLEY_SKIP_BUILD=1"
  loadgen_help="$(java -cp "$LOADGEN/classes:$LOADGEN/lib/*" io.parley.loadgen.LoadgenMain --help 2>&1 || true)"

  # a quick run checks the plumbing: it does not wait for the JIT to settle
  WARMUP_FLAGS=(--warmup "$WARMUP")
  [ "$QUICK" = 1 ] && grep -q -- --warmup-jit-pct <<< "$loadgen_help" && WARMUP_FLAGS+=(--warmup-jit-pct 0)
  fanout_flags=(--clients "$CLIENTS" --groups "$GROUPS_N" --rate "$RATE" --duration "$DURATION" "${WARMUP_FLAGS[@]}")
  for p in "${parley_phases[@]}"; do
    case "$p" in
      fixed) wait_quiet
        run_phase parley fixed '{}' "$ROOT/scripts/loadtest.sh" fanout "${fanout_flags[@]}" ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} ;;
      ladder) wait_quiet
        run_phase parley ladder '{}' "$ROOT/scripts/loadtest.sh" saturation --clients "$CLIENTS" --groups "$GROUPS_N" \
          --steps "$STEPS" --duration "$STEP_S" "${WARMUP_FLAGS[@]}" --max-p99-ms "$MAX_P99_MS" ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} ;;
      direct) wait_quiet
        run_phase parley direct '{}' "$ROOT/scripts/loadtest.sh" direct --clients "$DIRECT_CLIENTS" --rate "$DIRECT_RATE" \
          --duration "$DURATION" "${WARMUP_FLAGS[@]}" ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} ;;
      direct-1k) wait_quiet
        run_phase parley direct-1k "$(jq -c -n --arg t "$DIRECT_1K_RATE" --arg r "$DIRECT_1K_PER_SENDER" \
            '{totalRate: ($t | tonumber? // $t), ratePerSender: ($r | tonumber? // $r)}')" \
          "$ROOT/scripts/loadtest.sh" direct --clients "$DIRECT_CLIENTS" --rate "$DIRECT_1K_PER_SENDER" \
          --duration "$DURATION" "${WARMUP_FLAGS[@]}" ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} ;;
      idle) wait_quiet
        run_phase parley idle '{}' "$ROOT/scripts/loadtest.sh" idle --clients "$IDLE_CLIENTS" --duration "$IDLE_HOLD" \
          ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} ;;
      fixed-ack-per-message)
        if grep -q -- '--ack ' <<< "$loadgen_help"; then
          wait_quiet
          run_phase parley fixed-ack-per-message '{}' "$ROOT/scripts/loadtest.sh" fanout "${fanout_flags[@]}" --ack per-message \
            ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"}
        else
          skip_phase parley fixed-ack-per-message "this load generator has no --ack flag (it acknowledges every message)"
        fi ;;
    esac
  done
fi

# ---------------------------------------------------------------- the floor

if [ "$FLOOR" = run ]; then
  wait_quiet
  # FLOOR_BIN: compiled afresh into this run's folder (run.sh's default is a shared /tmp path)
  run_phase floor floor "{\"sockets\":$FLOOR_SOCKETS,\"rounds\":$FLOOR_ROUNDS,\"frameBytes\":$FLOOR_FRAME_BYTES}" \
    env FLOOR_BIN="$RUN_DIR/floor-bin" bash "$PEERS_DIR/floor/run.sh" "$FLOOR_SOCKETS" "$FLOOR_ROUNDS" "$FLOOR_FRAME_BYTES"
elif [ -n "$FLOOR" ]; then
  skip_phase floor floor "$FLOOR"
fi

# ---------------------------------------------------------------- the references

rate_repeated() { local s="$RATE" i; for i in $(seq 1 "$PEER_WARMUP_STEPS"); do s="$RATE,$s"; done; echo "$s"; }
for t in ${peer_targets[@]+"${peer_targets[@]}"}; do
  peer_env=(env TARGET="$t" RESULTS="$RUN_DIR/$t-bench.jsonl" LOGS="$RUN_DIR/$t-logs")
  if [ "$t" = quarkus-raw ]; then
    jar="$PEERS_DIR/quarkus-raw/target/quarkus-app/quarkus-run.jar"
    if [ ! -f "$jar" ]; then
      log "building quarkus-raw (mvn -q package -DskipTests in $PEERS_DIR/quarkus-raw)"
      (cd "$PEERS_DIR/quarkus-raw" && mvn -q package -DskipTests) >&2 || true
    fi
    if [ ! -f "$jar" ]; then
      skip_phase "$t" fixed "its jar $jar is missing and the build failed"; skip_phase "$t" suite "(the same)"
      continue
    fi
    peer_env+=(QRAW_OPTS="$QRAW_OPTS")
  fi
  run_phase "$t" fixed "{\"warmupSteps\":$PEER_WARMUP_STEPS}" "${peer_env[@]}" S4_STEPS="$(rate_repeated)" S4_STEP_S="$DURATION" \
    "$PEERS_DIR/socketio/bench.sh" S4
  run_phase "$t" suite '{}' "${peer_env[@]}" DURATION="$DURATION" S4_STEPS="$PEER_STEPS" S4_STEP_S="$STEP_S" \
    "$PEERS_DIR/socketio/bench.sh" S2 S3 S4
done

# ---------------------------------------------------------------- the table

[ "$QUICK" = 1 ] && NOTES+=("quick run: Parley $CLIENTS clients, $GROUPS_N groups, ${DURATION}s windows, ladder $STEPS, idle $IDLE_CLIENTS; the references' S2/S3 keep bench.sh's scale (2,000 clients, 20,000 idle)")
if [ "$QUICK" != 1 ] && { [ "$CLIENTS" != 2000 ] || [ "$GROUPS_N" != 20 ] || [ "$DIRECT_CLIENTS" != 2000 ] || [ "$DIRECT_RATE" != 2 ]; }; then
  NOTES+=("Parley's scale differs from the references' (2,000 clients, 20 groups x 100, 1:1 2,000 x 2 msg/s): the ratios compare different loads")
fi
for f in ${FAILED[@]+"${FAILED[@]}"}; do NOTES+=("**failed**: $f"); done
NOTES+=("run $PARLEY_COMPARE_RUN in $(elapsed $((SECONDS - T0))) on $(hostname), $NCPU cores; raw JSON lines: \`$RESULTS\`")
printf '%s\n' "${NOTES[@]}" | jq -c -R -s --arg run "$PARLEY_COMPARE_RUN" \
  --argjson settings "$SETTINGS_JSON" \
  '{compare: {run: $run, server: "compare", phase: "notes", settings: $settings, notes: (split("\n") | map(select(length > 0)))}}' >> "$RESULTS"
render_table "$RESULTS" > "$TABLE"
log "done in $(elapsed $((SECONDS - T0))); results $RESULTS, table $TABLE"
cat "$TABLE" >&3
