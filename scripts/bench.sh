#!/usr/bin/env bash
# ./parley bench — starts the local platform if it is not running, then prints the benchmark's figures.
# Arguments go to the benchmark: --only tokens|filter|ids-local|ids-http|relay, --seconds N (5). ids-http prints
# single-id requests (count=1, one caller and four, each on its own keep-alive connection) with their mean and
# p99 latency, then batches.
# Durability level of Redis during the run: 'up' starts Redis with AOF, fsync every second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"

if [ -z "$(pid_of id-service)" ]; then
  platform_up
elif [ "${PARLEY_SKIP_BUILD:-}" != "1" ]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl tools/benchmark -am) || die "build failed"
fi
BENCH="$ROOT/tools/benchmark/target"
[ -d "$BENCH/lib" ] || die "benchmark not built: run mvn -DskipTests package"
ensure_secrets # the relay benchmark mints an app token with the platform's token key
export PARLEY_TOKEN_KEY
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$BENCH/classes:$BENCH/lib/*" \
  -Dparley.bench.notify-url="http://127.0.0.1:$PARLEY_NOTIFY_PORT" -Dparley.bench.redis="127.0.0.1:$PARLEY_REDIS_PORT" \
  io.parley.benchmark.BenchmarkMain \
  --id-url "http://127.0.0.1:$PARLEY_ID_PORT" "$@"
