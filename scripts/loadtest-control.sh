#!/usr/bin/env bash
# The faults and soak scenarios' hands on the benchmark platform that scripts/loadtest.sh started: run by the load
# generator (--control), with loadtest.sh's environment (PARLEY_HOME, ports, CHAT2_PORT, CHAT_HEAP, service
# settings). Progress goes to stderr; answers to stdout.
#
#   kill  COMPONENT          SIGKILL (a crash); COMPONENT: chat-1 chat-2 redis mariadb auth-service id-service
#   stop  COMPONENT          SIGTERM and wait (lib.sh's stop_pid)
#   start COMPONENT [FSYNC]  start it again as loadtest.sh did, and wait until it is ready (redis: FSYNC is its
#                            appendfsync, default $PARLEY_REDIS_FSYNC); the previous log is kept as <log>.<time>
#   pid   COMPONENT          its PID (empty if not running)
#   redis-cli ARGS...        redis-cli against the platform's Redis (no ARGS: commands from stdin, one answer a line —
#                            the soak's MEMORY USAGE samples; --scan: every key name, the soak's key census)
#   sql STATEMENT            on chat-service's schema; tab-separated rows, no header
#   redis-stats              "name value" lines: usedMemory, keys, logStreams, logEntries, logMaxLength,
#                            dirtyConversations (conversations the write-behind has yet to write), outboxEntries (notify:outbox)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec 3>&1 1>&2
: "${PARLEY_HOME:?run by the load generator under scripts/loadtest.sh}"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
# shellcheck source=bench-nodes.sh
source "$ROOT/scripts/bench-nodes.sh"
ensure_secrets

action="${1:?action}"; shift
component="${1:-}"

# in_node COMMAND... — runs a lib.sh function for the component's PID/log directory (chat-2 has its own)
in_node() {
  case "$component" in
    chat-1) "$@" chat-service ;;
    chat-2) chat2 "$@" chat-service ;;
    redis|mariadb|auth-service|id-service) "$@" "$component" ;;
    *) die "unknown component '$component'" ;;
  esac
}
kill_now() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] || die "$1 is not running"
  kill -KILL "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; rm -f "$RUN_DIR/$1.pid"; }
keep_log() { [ -f "$LOG_DIR/$1.log" ] && mv "$LOG_DIR/$1.log" "$LOG_DIR/$1.log.$(date +%H%M%S)"; true; }
start_again() {
  keep_log "$1"
  case "$1" in
    redis) PARLEY_REDIS_FSYNC="${fsync:-${PARLEY_REDIS_FSYNC:-everysec}}" start_redis ;;
    mariadb) start_mariadb ;;
    chat-service) chat_jvm start_app chat-service; await_service chat-service ;;
    *) start_app "$1"; await_service "$1" ;;
  esac
}
print_pid() { pid_of "$1" >&3; }

case "$action" in
  kill) in_node kill_now ;;
  stop) in_node stop_pid ;;
  # 3>&-: what starts in the background must not hold the generator's pipe (it reads to its end)
  start) fsync="${2:-}"; in_node start_again 3>&- ;;
  pid) in_node print_pid ;;
  redis-cli) redis-cli -p "$PARLEY_REDIS_PORT" "$@" >&3 ;;
  sql) mariadb --no-defaults --socket="$PARLEY_HOME/mariadb/mysqld.sock" -uroot -N -B parley_chat -e "$1" >&3 ;;
  redis-stats)
    r() { redis-cli -p "$PARLEY_REDIS_PORT" "$@"; }
    {
      echo "usedMemory $(r info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
      echo "keys $(r dbsize)"
      r --scan --pattern 'chat:*:log' | awk '{print "XLEN " $0}' | r | awk '{n++; s+=$1; if ($1>m) m=$1} END {print "logStreams " n+0; print "logEntries " s+0; print "logMaxLength " m+0}'
      r --scan --pattern 'chat:*:dirty' | awk '{print "SCARD " $0}' | r | awk '{s+=$1} END {print "dirtyConversations " s+0}'
      echo "outboxEntries $(r xlen notify:outbox)"
    } | tr -d '\r' >&3 ;;
  *) die "unknown action '$action'" ;;
esac
