#!/usr/bin/env bash
# ./parley loadtest [fanout|direct|idle|saturation|topics|all|a,b,...] [generator flags]
# ./parley loadtest faults [--outage S --faults a,b ...]   faults injected one at a time under checking traffic
# ./parley loadtest soak [--duration MIN ...]               moderate traffic, one JSON line of leak figures a minute
#
# Starts an isolated benchmark platform — its own PARLEY_HOME, its own ports, loopback only: Redis, MariaDB,
# auth-service, id-service and TWO chat-service nodes sharing that Redis and MariaDB — runs the chat load
# generator (tools/loadgen) against it, prints one JSON line per scenario (and per saturation step) on stdout,
# and stops everything it started when it exits, however it exits. Progress goes to stderr.
#
# Benchmark-friendly settings, reported in every JSON line under "env":
#   bcrypt cost 4 (PARLEY_AUTH_BCRYPT_COST) so thousands of registrations take seconds, not minutes;
#   login rate limits raised; the chat frame rate limit raised so one client can send and acknowledge
#   hundreds of frames per second. Redis is started as `./parley up` starts it (AOF, fsync every second):
#   a `sent` does not wait for an fsync, so the durability level is `memory`.
#
# Environment: PARLEY_SKIP_BUILD=1 (use the jars already built), PARLEY_BENCH_HOME (default
# /tmp/parley-bench-$UID; wiped at start, logs kept after the run), PARLEY_BENCH_{REDIS,DB,AUTH,ID,CHAT,CHAT2}_PORT
# (defaults 26379 23306 18081 18084 18080 18082), LOADGEN_JAVA_OPTS (generator JVM flags),
# PARLEY_APP_DIR=/dir (run the services from /dir/<module>/quarkus-app — a copy of <module>/target/quarkus-app —
# instead of the working tree's target directories; only the generator is built then),
# PARLEY_BENCH_JAVA=/path/to/bin/java (the services' JVM, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; default:
# the machine's java 17; the generator always runs on the machine's java), PARLEY_BENCH_CHAT_HEAP (the chat nodes'
# fixed heap, -Xms = -Xmx, default 1g; they also run with -XX:NativeMemoryTracking=summary for the idle scenario's
# memory breakdown). Every JSON line states the JDK and the heap under "env" (jdk, jdkVendor, javaBin, serverHeap).
# PARLEY_CHAT_PERSISTENCE_QUIET_AFTER (e.g. 60S; chat-service's quiet time before a conversation MySQL holds whole
# leaves Redis, default 6H) is passed to the chat nodes and stated as env.chatQuietAfter.
# The topics scenario creates an app with auth-service's admin key (PARLEY_AUTH_ADMIN_KEY of the bench secrets).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Everything the script says goes to stderr; stdout carries only the generator's JSON lines.
exec 3>&1 1>&2

export PARLEY_HOME="${PARLEY_BENCH_HOME:-/tmp/parley-bench-$(id -u)}"
export PARLEY_REDIS_PORT="${PARLEY_BENCH_REDIS_PORT:-26379}"
export PARLEY_DB_PORT="${PARLEY_BENCH_DB_PORT:-23306}"
export PARLEY_AUTH_PORT="${PARLEY_BENCH_AUTH_PORT:-18081}"
export PARLEY_ID_PORT="${PARLEY_BENCH_ID_PORT:-18084}"
export PARLEY_CHAT_PORT="${PARLEY_BENCH_CHAT_PORT:-18080}"
CHAT2_PORT="${PARLEY_BENCH_CHAT2_PORT:-18082}"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"

# chat2, start_app, chat_jvm
# shellcheck source=bench-nodes.sh
source "$ROOT/scripts/bench-nodes.sh"
export CHAT2_PORT

scenario="${1:-fanout}"
case "$scenario" in
  fanout|direct|idle|saturation|topics|faults|soak) shift || true; scenarios=("$scenario") ;;
  *,*) # several on one platform, e.g. idle,direct: same flags for each
    shift || true; IFS=, read -r -a scenarios <<< "$scenario"
    for s in "${scenarios[@]}"; do
      case "$s" in fanout|direct|idle|saturation|topics) ;; *) die "unknown scenario '$s'" ;; esac
    done ;;
  all) shift || true; scenarios=(idle fanout direct topics saturation) ;;
  -h|--help|help)
    sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    exit 0 ;;
  --*) scenarios=(fanout) ;;
  *) die "unknown scenario '$scenario' (fanout, direct, idle, saturation, topics, all, faults, soak)" ;;
esac
resilience=""
case "${scenarios[*]}" in
  faults|soak) resilience="${scenarios[0]}" ;;
  *faults*|*soak*) die "faults and soak run alone (they restart parts of the platform or run for long)" ;;
esac

command -v java >/dev/null || die "java 17 is required"
# The services' JVM (lib.sh's start_service runs PARLEY_JAVA_BIN); the generator stays on the machine's java.
BENCH_JAVA="${PARLEY_BENCH_JAVA:-$(command -v java)}"
[ -x "$BENCH_JAVA" ] || die "PARLEY_BENCH_JAVA=$BENCH_JAVA is not an executable java binary"
export PARLEY_JAVA_BIN="$BENCH_JAVA"
CHAT_HEAP="${PARLEY_BENCH_CHAT_HEAP:-1g}"
export CHAT_HEAP
[[ "$CHAT_HEAP" =~ ^[0-9]+[kKmMgG]?$ ]] || die "PARLEY_BENCH_CHAT_HEAP=$CHAT_HEAP is not a heap size (e.g. 1g, 768m)"
jdk_property() { "$BENCH_JAVA" -XshowSettings:properties -version 2>&1 | sed -n "s/^ *$1 = //p" | head -n 1; }
JDK_VERSION="$(jdk_property java.runtime.version)"
JDK_VENDOR="$(jdk_property java.vendor)"
command -v mvn >/dev/null || die "maven is required"
require_packages redis-server:redis-server mariadbd:mariadb-server curl:curl

# A previous loadtest still running here would be stopped by our exit trap: refuse instead.
mkdir -p "$RUN_DIR"
for name in redis mariadb auth-service id-service chat-service; do
  [ -z "$(pid_of "$name")" ] || die "a benchmark environment is already running in $PARLEY_HOME ($name, pid $(pid_of "$name"))"
done
[ -z "$(chat2 pid_of chat-service)" ] || die "a benchmark chat node is already running in $PARLEY_HOME"
for port in "$PARLEY_REDIS_PORT" "$PARLEY_DB_PORT" "$PARLEY_AUTH_PORT" "$PARLEY_ID_PORT" "$PARLEY_CHAT_PORT" "$CHAT2_PORT"; do
  port_busy "$port" && die "port $port is in use; set PARLEY_BENCH_*_PORT"
done

# PARLEY_APP_DIR: the services run from a copy of their quarkus-app directories (so a build in the working tree
# cannot change them mid-run). lib.sh's start_service takes $ROOT/<module>/target/quarkus-app; start_app gives it a
# ROOT of links <module>/target -> $PARLEY_APP_DIR/<module>.
app_root=""
if [ -n "${PARLEY_APP_DIR:-}" ]; then
  PARLEY_APP_DIR="$(cd "$PARLEY_APP_DIR" && pwd)" || die "PARLEY_APP_DIR $PARLEY_APP_DIR is not a directory"
  for name in auth-service id-service chat-service; do
    [ -f "$PARLEY_APP_DIR/$name/quarkus-app/quarkus-run.jar" ] || die "$PARLEY_APP_DIR/$name/quarkus-app/quarkus-run.jar is missing"
  done
  app_root="$PARLEY_HOME/app-root"
  export app_root
  rm -rf "$app_root"
  for name in auth-service id-service chat-service; do
    mkdir -p "$app_root/$name"
    ln -s "$PARLEY_APP_DIR/$name" "$app_root/$name/target"
  done
fi
# Build before starting anything, so a failed build leaves nothing running.
if [ -n "$app_root" ] && [ "${PARLEY_SKIP_BUILD:-}" != "1" ]; then
  # the services come from PARLEY_APP_DIR: build only the generator (parent and common from ~/.m2)
  say "building the load generator (mvn -pl tools/loadgen package)"
  (cd "$ROOT" && mvn -B -q -pl tools/loadgen -DskipTests package) || die "build failed"
else
  build_jars   # the whole project, tools/loadgen included
fi
LOADGEN="$ROOT/tools/loadgen/target"
[ -d "$LOADGEN/lib" ] || die "the load generator is not built: run without PARLEY_SKIP_BUILD"

stop_all() {
  local rc=$? name
  set +e
  trap - EXIT INT TERM
  chat2 stop_pid chat-service
  for name in chat-service id-service auth-service mariadb redis; do stop_pid "$name"; done
  say "benchmark environment stopped; logs in $LOG_DIR and $PARLEY_HOME/chat-2/logs"
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fresh data every run (this directory belongs to the benchmark only).
rm -rf "$PARLEY_HOME/redis" "$PARLEY_HOME/mariadb" "$LOG_DIR" "$PARLEY_HOME/chat-2"
mkdir -p "$RUN_DIR" "$LOG_DIR"

# File descriptors: every connection is one on each side. Raise the soft limit as far as the hard one allows;
# the services started below and the generator inherit it.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
say "open-file limit: $(ulimit -n)"

# Benchmark-friendly service settings (inherited by start_service's processes).
export PARLEY_AUTH_BCRYPT_COST=4
export PARLEY_AUTH_LOGIN_PER_ADDRESS=10000000
export PARLEY_AUTH_LOGIN_PER_USER=1000
export PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND=100000
export PARLEY_CHAT_LIMITS_FRAME_BURST=100000
export PARLEY_CHAT_AUTH_SERVICE_URL="http://127.0.0.1:$PARLEY_AUTH_PORT"
export PARLEY_CHAT_ID_SERVICE_URL="http://127.0.0.1:$PARLEY_ID_PORT"
if [ -n "$resilience" ]; then
  # faults and soak run for many minutes on the same sessions: access tokens outlive the run
  export PARLEY_TOKEN_ACCESS_TTL="${PARLEY_TOKEN_ACCESS_TTL:-4H}"
fi
if [ "$resilience" = "soak" ]; then
  # the quiet time after which a conversation MySQL holds whole leaves Redis (chat-service's default 6H), if the
  # caller sets it: a short one shows in a short soak that quiet conversations leave (with --new-conversations-share)
  if [ -n "${PARLEY_CHAT_PERSISTENCE_QUIET_AFTER:-}" ]; then export PARLEY_CHAT_PERSISTENCE_QUIET_AFTER; fi
  # a busy machine can take more than the default 5 s to hand out a MariaDB connection while everything starts
  export QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT="${QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT:-30S}"
fi
if [ "$resilience" = "faults" ]; then
  # durability aof: Redis fsyncs its AOF before answering (the memory fault switches to everysec for its window)
  export PARLEY_REDIS_FSYNC=always PARLEY_CHAT_DURABILITY_LEVEL=aof
fi

ensure_secrets
start_redis
start_mariadb
start_app auth-service
start_app id-service
chat_jvm start_app chat-service
# The first node creates chat-service's schema; two nodes migrating an empty database at the same moment race
# on Liquibase's own lock table, so the second starts once the first is ready.
for name in auth-service id-service chat-service; do await_service "$name"; done
chat2 chat_jvm start_app chat-service
chat2 await_service chat-service

# What "durable" means in this run: a `sent` waits for the stream entry; with AOF fsync always it also waits
# for the disk (`aof`), otherwise it does not (`memory`).
aof="$(redis-cli -p "$PARLEY_REDIS_PORT" config get appendonly | tail -n 1)"
fsync="$(redis-cli -p "$PARLEY_REDIS_PORT" config get appendfsync | tail -n 1)"
durability=memory
[ "$aof" = "yes" ] && [ "$fsync" = "always" ] && durability=aof
redis_aof="off"
[ "$aof" = "yes" ] && redis_aof="$fsync"

say "benchmark platform up: chat nodes :$PARLEY_CHAT_PORT and :$CHAT2_PORT (JDK $JDK_VERSION, heap -Xms$CHAT_HEAP -Xmx$CHAT_HEAP), durability $durability (Redis AOF $redis_aof)"

# shellcheck disable=SC2086
java_opts=(${LOADGEN_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseSerialGC})
for s in "${scenarios[@]}"; do
  say "scenario $s"
  LOADGEN_ADMIN_KEY="$PARLEY_AUTH_ADMIN_KEY" java "${java_opts[@]}" -cp "$LOADGEN/classes:$LOADGEN/lib/*" io.parley.loadgen.LoadgenMain "$s" \
    --auth-url "http://127.0.0.1:$PARLEY_AUTH_PORT" \
    --chat-urls "http://127.0.0.1:$PARLEY_CHAT_PORT,http://127.0.0.1:$CHAT2_PORT" \
    --pid "chat-1=$(pid_of chat-service)" --pid "chat-2=$(chat2 pid_of chat-service)" \
    --pid "redis=$(pid_of redis)" --pid "mariadb=$(pid_of mariadb)" \
    --pid "auth=$(pid_of auth-service)" --pid "id=$(pid_of id-service)" \
    --clk-tck "$(getconf CLK_TCK)" --redis-port "$PARLEY_REDIS_PORT" \
    ${resilience:+--control "$ROOT/scripts/loadtest-control.sh"} \
    --meta "durability=$durability" --meta "redisAof=$redis_aof" --meta "bcryptCost=4" \
    --meta "loginLimitPerAddress=$PARLEY_AUTH_LOGIN_PER_ADDRESS" \
    --meta "chatFramesPerSecond=$PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND" \
    --meta "openFileLimit=$(ulimit -n)" --meta "cores=$(nproc)" \
    --meta "jdk=$JDK_VERSION" --meta "jdkVendor=$JDK_VENDOR" --meta "javaBin=$(readlink -f "$BENCH_JAVA")" \
    --meta "serverHeap=-Xms$CHAT_HEAP -Xmx$CHAT_HEAP -XX:+AlwaysPreTouch" --meta "serverNmt=summary" \
    ${PARLEY_JAVA_OPTS:+--meta "serverJavaOpts=$PARLEY_JAVA_OPTS"} \
    ${PARLEY_CHAT_PERSISTENCE_QUIET_AFTER:+--meta "chatQuietAfter=$PARLEY_CHAT_PERSISTENCE_QUIET_AFTER"} \
    ${app_root:+--meta "appDir=$PARLEY_APP_DIR"} \
    "$@" | tee -a "$LOG_DIR/results.jsonl" >&3
done
