#!/usr/bin/env bash
# scripts/backup-restore-trial.sh — docs/operations.md "Backups and restore", tried end to end on this machine:
# users chat (clients/js, cursors kept per device in a file as a browser keeps them), MySQL is backed up with the
# doc's command, more messages follow, the backup is restored twice — once keeping Redis, once with FLUSHALL — and
# after each restore the clients come back with the cursors they had: what they see is printed as JSON lines
# (stdout; progress on stderr) and kept in $PARLEY_HOME/trial.jsonl.
#
# Its own platform, loopback only, on ports of its own (Redis 36379, MariaDB 33306, auth 38081, id 38084, chat 38080;
# PARLEY_TRIAL_{REDIS,DB,AUTH,ID,CHAT}_PORT), under PARLEY_TRIAL_HOME (default /tmp/parley-trial-$UID, wiped at
# start, logs kept after); auth-service, id-service and chat-service run (notify-service does not: its schema is
# backed up and restored empty). Everything it started is stopped when it exits, however it exits.
# PARLEY_SKIP_BUILD=1 uses the jars already built. Needs node >= 20 (the JS client; --experimental-websocket).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec 3>&1 1>&2

export PARLEY_HOME="${PARLEY_TRIAL_HOME:-/tmp/parley-trial-$(id -u)}"
export PARLEY_REDIS_PORT="${PARLEY_TRIAL_REDIS_PORT:-36379}"
export PARLEY_DB_PORT="${PARLEY_TRIAL_DB_PORT:-33306}"
export PARLEY_AUTH_PORT="${PARLEY_TRIAL_AUTH_PORT:-38081}"
export PARLEY_ID_PORT="${PARLEY_TRIAL_ID_PORT:-38084}"
export PARLEY_CHAT_PORT="${PARLEY_TRIAL_CHAT_PORT:-38080}"
export PARLEY_NOTIFY_PORT="${PARLEY_TRIAL_NOTIFY_PORT:-38083}"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"

command -v node >/dev/null || die "node (20+) is required: the trial's clients are clients/js"
SERVICES_RUN=(auth-service id-service chat-service)
for name in redis mariadb "${SERVICES_RUN[@]}"; do
  [ -z "$(pid_of "$name")" ] || die "a trial platform still runs under $PARLEY_HOME ($name); stop it first"
done
for port in "$PARLEY_REDIS_PORT" "$PARLEY_DB_PORT" "$PARLEY_AUTH_PORT" "$PARLEY_ID_PORT" "$PARLEY_CHAT_PORT"; do
  port_busy "$port" && die "port $port is taken; set PARLEY_TRIAL_*_PORT"
done
rm -rf "$PARLEY_HOME"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$PARLEY_HOME/trial"
# as loadtest.sh's stop_all: set +e first — stop_pid's bare `return` inside an EXIT trap returns the status that
# made the script exit, and under set -e the first one would end the trap with the rest still running
stop_all() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  platform_down
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export TRIAL_DIR="$PARLEY_HOME/trial" TRIAL_RUN="t$(date +%s)"
export TRIAL_AUTH_URL="http://127.0.0.1:$PARLEY_AUTH_PORT" TRIAL_CHAT_URL="http://127.0.0.1:$PARLEY_CHAT_PORT"
SOCK="$PARLEY_HOME/mariadb/mysqld.sock"
BACKUP="$PARLEY_HOME/parley-backup.sql.gz"
# short access tokens would expire mid-trial on a slow machine; sessions are what the trial looks at
export PARLEY_TOKEN_ACCESS_TTL="${PARLEY_TOKEN_ACCESS_TTL:-1H}"

client() { node --experimental-websocket --no-warnings "$ROOT/scripts/backup-restore-trial.mjs" "$@" | tee -a "$PARLEY_HOME/trial.jsonl" >&3; }
sql() { mariadb --no-defaults --socket="$SOCK" -uroot -N -B -e "$1"; }
record() { # record STEP — one JSON line of what MySQL and Redis hold: messages per conversation, seq counters
  local rows counters
  rows="$(sql "SELECT CONCAT('\"', conversation_id, '\": [', COUNT(*), ', ', MAX(seq), ']') FROM parley_chat.messages GROUP BY conversation_id" | paste -sd, -)"
  counters="$(redis-cli -p "$PARLEY_REDIS_PORT" --scan --pattern 'chat:*:seq' | while read -r k; do
    printf '"%s": %s\n' "$k" "$(redis-cli -p "$PARLEY_REDIS_PORT" get "$k")"; done | paste -sd, -)"
  printf '{"step":"state","at":"%s","mysqlCountMaxSeq":{%s},"redisSeqCounters":{%s},"redisKeys":%s,"mysqlUsers":%s}\n' \
    "$1" "$rows" "$counters" "$(redis-cli -p "$PARLEY_REDIS_PORT" dbsize)" \
    "$(sql "SELECT COUNT(*) FROM parley_auth.users")" | tee -a "$PARLEY_HOME/trial.jsonl" >&3
}
start_services() { # each start's log kept as <name>.log.<n>
  local name
  for name in "${SERVICES_RUN[@]}"; do
    if [ -f "$LOG_DIR/$name.log" ]; then mv "$LOG_DIR/$name.log" "$LOG_DIR/$name.log.$(date +%s%N)"; fi
    start_service "$name"
  done
  for name in "${SERVICES_RUN[@]}"; do await_service "$name"; done
}
stop_services() { local name; for name in chat-service auth-service id-service; do stop_pid "$name"; done; }
mysql_holds() { [ "$(sql "SELECT COUNT(*) FROM parley_chat.messages")" -ge "$1" ]; }
await_written_behind() { # MySQL holds every message chat-service acknowledged (its write-behind is ~200 ms behind)
  local expected="$1"
  wait_until 30 "write-behind" mysql_holds "$expected" \
    || die "MySQL holds $(sql "SELECT COUNT(*) FROM parley_chat.messages") messages, expected $expected"
}

ensure_secrets
start_redis
start_mariadb
build_jars
start_services

say "users, a group, traffic before the backup"
client setup
client traffic before-backup 5
await_written_behind 10
record before-backup

say "backup (docs/operations.md, 'Backups and restore')"
# the doc's command as written; the trial's MariaDB runs with --skip-log-bin as ./parley up starts it, and
# --master-data needs the binary log — so without it the dump is taken again without --master-data
dump_opts=(--no-defaults --socket="$SOCK" -uroot --single-transaction --routines --databases parley_auth parley_chat parley_notify)
if mariadb-dump "${dump_opts[@]}" --master-data=2 2>"$PARLEY_HOME/dump.err" | gzip > "$BACKUP" && [ ! -s "$PARLEY_HOME/dump.err" ]; then
  dump_note="as written (--master-data=2)"
else
  dump_note="--master-data=2 failed: $(tr '\n' ' ' < "$PARLEY_HOME/dump.err"); taken without it"
  mariadb-dump "${dump_opts[@]}" | gzip > "$BACKUP"
fi
printf '{"step":"backup","bytes":%s,"note":"%s"}\n' "$(stat -c %s "$BACKUP")" "${dump_note//\"/\'}" \
  | tee -a "$PARLEY_HOME/trial.jsonl" >&3

say "traffic after the backup, and an account created after it"
client traffic after-backup 5
client newuser
await_written_behind 21
record after-backup

restore() { # the doc's steps 1, 2 and 4; step 3 (binlog replay) does not apply: no binary log
  stop_services
  gunzip -c "$BACKUP" | mariadb --no-defaults --socket="$SOCK" -uroot
  if [ "$1" = flush ]; then redis-cli -p "$PARLEY_REDIS_PORT" flushall >/dev/null; fi
  record "restored-redis-$1-before-start"
  start_services
}

say "restore 1: MySQL from the backup, Redis kept"
restore keep
client observe redis-kept
sleep 2
record after-observe-redis-kept

say "restore 2: MySQL from the same backup, Redis emptied (FLUSHALL)"
restore flush
client observe redis-flushed
sleep 2
record after-observe-redis-flushed
# every start of chat-service (its logs: chat-service.log and chat-service.log.<n>)
printf '{"step":"chat-service-log","historyMissingSeq":%s,"seqConflicts":%s}\n' \
  "$(cat "$LOG_DIR"/chat-service.log* | grep -c 'history is missing seq' || true)" \
  "$(cat "$LOG_DIR"/chat-service.log* | grep -c 'already held in MySQL' || true)" | tee -a "$PARLEY_HOME/trial.jsonl" >&3
say "done; results in $PARLEY_HOME/trial.jsonl, logs in $LOG_DIR"
