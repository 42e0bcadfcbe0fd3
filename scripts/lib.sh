#!/usr/bin/env bash
# Functions behind ./parley. Everything 'up' starts is recorded as a PID file under $PARLEY_HOME/run,
# so 'down' stops exactly that and a second 'up' starts no duplicates.

PARLEY_HOME="${PARLEY_HOME:-$ROOT/.parley}"
PARLEY_REDIS_PORT="${PARLEY_REDIS_PORT:-16379}"
PARLEY_DB_PORT="${PARLEY_DB_PORT:-13306}"
PARLEY_AUTH_PORT="${PARLEY_AUTH_PORT:-8081}"
PARLEY_ID_PORT="${PARLEY_ID_PORT:-8084}"
PARLEY_CHAT_PORT="${PARLEY_CHAT_PORT:-8080}"
PARLEY_NOTIFY_PORT="${PARLEY_NOTIFY_PORT:-8083}"
# the local mail sink (GreenMail: SMTP in, IMAP out); not started when QUARKUS_MAILER_HOST names a real relay
PARLEY_SMTP_PORT="${PARLEY_SMTP_PORT:-2525}"
PARLEY_IMAP_PORT="${PARLEY_IMAP_PORT:-3143}"
SERVICES=(auth-service id-service chat-service notify-service)

RUN_DIR="$PARLEY_HOME/run"
LOG_DIR="$PARLEY_HOME/logs"
DB_USER=parley

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# require_packages binary:package ... — installs the Debian packages whose binaries are missing.
require_packages() {
  local missing=() pair bin pkg
  for pair in "$@"; do
    bin="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

service_port() {
  case "$1" in
    auth-service) echo "$PARLEY_AUTH_PORT" ;;
    id-service) echo "$PARLEY_ID_PORT" ;;
    chat-service) echo "$PARLEY_CHAT_PORT" ;;
    notify-service) echo "$PARLEY_NOTIFY_PORT" ;;
    redis) echo "$PARLEY_REDIS_PORT" ;;
    mail-sink) echo "$PARLEY_SMTP_PORT" ;;
    mariadb) echo "$PARLEY_DB_PORT" ;;
  esac
}

pid_of() { # prints the PID of a running component, or nothing
  local file="$RUN_DIR/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.5
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

ensure_secrets() {
  local file="$PARLEY_HOME/secrets.env"
  if [ ! -f "$file" ]; then
    umask 077
    {
      echo "PARLEY_TOKEN_KEY=$(head -c 32 /dev/urandom | base64)"
      echo "PARLEY_AUTH_ADMIN_KEY=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
      echo "PARLEY_DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    } > "$file"
  fi
  # shellcheck disable=SC1090
  source "$file"
}

start_redis() {
  if [ -n "$(pid_of redis)" ]; then say "redis already running (pid $(pid_of redis))"; return; fi
  port_busy "$PARLEY_REDIS_PORT" && die "port $PARLEY_REDIS_PORT is taken by something 'up' did not start; set PARLEY_REDIS_PORT"
  mkdir -p "$PARLEY_HOME/redis"
  say "starting redis on 127.0.0.1:$PARLEY_REDIS_PORT"
  # AOF with fsync every second: a laptop restart keeps the hot state (durability 'aof' lite);
  # PARLEY_REDIS_FSYNC=always for durability 'aof' (the faults scenario).
  # AOF rewrites at 4x the last base and not below 512 MB: with Redis's defaults (2x, 64 MB) 1:1 chat at 4,000 msg/s
  # rewrote every 15-25 s, each a fork that serializes the whole dataset on a core the services need (docs/operations.md,
  # "Redis settings"). Later PARLEY_REDIS_EXTRA_ARGS win.
  nohup redis-server --port "$PARLEY_REDIS_PORT" --bind 127.0.0.1 --dir "$PARLEY_HOME/redis" \
    --appendonly yes --appendfsync "${PARLEY_REDIS_FSYNC:-everysec}" --save '' --daemonize no \
    --stream-node-max-bytes 512 --auto-aof-rewrite-percentage 400 --auto-aof-rewrite-min-size 512mb \
    ${PARLEY_REDIS_EXTRA_ARGS:-} \
    > "$LOG_DIR/redis.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/redis.pid"
  wait_until 30 redis redis-cli -p "$PARLEY_REDIS_PORT" ping || die "redis did not start; see $LOG_DIR/redis.log"
}

real_smtp_relay() { [ -n "${QUARKUS_MAILER_HOST:-}" ]; }

# The local SMTP sink notify-service relays email to (tools/mail-sink: GreenMail, a real SMTP and IMAP server in
# memory). Skipped when QUARKUS_MAILER_HOST names a real relay (README: "Email").
start_mail_sink() {
  if real_smtp_relay; then say "email goes to the SMTP relay $QUARKUS_MAILER_HOST (no local mail sink)"; return; fi
  if [ -n "$(pid_of mail-sink)" ]; then say "mail-sink already running (pid $(pid_of mail-sink))"; return; fi
  port_busy "$PARLEY_SMTP_PORT" && die "port $PARLEY_SMTP_PORT is taken by something 'up' did not start; set PARLEY_SMTP_PORT"
  port_busy "$PARLEY_IMAP_PORT" && die "port $PARLEY_IMAP_PORT is taken by something 'up' did not start; set PARLEY_IMAP_PORT"
  local sink="$ROOT/tools/mail-sink/target"
  [ -d "$sink/lib" ] || die "$sink/lib is missing; run without PARLEY_SKIP_BUILD"
  say "starting the mail sink: SMTP 127.0.0.1:$PARLEY_SMTP_PORT, IMAP 127.0.0.1:$PARLEY_IMAP_PORT"
  PARLEY_SMTP_PORT="$PARLEY_SMTP_PORT" PARLEY_IMAP_PORT="$PARLEY_IMAP_PORT" \
    nohup "${PARLEY_JAVA_BIN:-java}" -Xmx64m -cp "$sink/classes:$sink/lib/*" io.parley.mailsink.MailSink \
    > "$LOG_DIR/mail-sink.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/mail-sink.pid"
  wait_until 30 mail-sink port_busy "$PARLEY_IMAP_PORT" || die "the mail sink did not start; see $LOG_DIR/mail-sink.log"
}

# show_mail ADDRESS — every message the local sink holds for ADDRESS (IMAP, any password), oldest first
show_mail() {
  local address="$1" url="imap://127.0.0.1:$PARLEY_IMAP_PORT/INBOX" count i
  [ -n "$(pid_of mail-sink)" ] || die "the mail sink is not running (./parley up starts it)"
  count="$(curl -s --user "$address:any" "$url" -X 'SEARCH ALL' | tr -d '\r' | sed -n 's/^\* SEARCH *//p' | wc -w)"
  [ "$count" -gt 0 ] || { say "no mail for $address yet"; return 0; }
  for i in $(seq 1 "$count"); do
    printf '\033[1m--- %s, message %d of %d\033[0m\n' "$address" "$i" "$count"
    curl -s --user "$address:any" "$url;MAILINDEX=$i" | tr -d '\r'
  done
}

db_sql() { mariadb --no-defaults --socket="$PARLEY_HOME/mariadb/mysqld.sock" -uroot -e "$1"; }

start_mariadb() {
  if [ -n "$(pid_of mariadb)" ]; then say "mariadb already running (pid $(pid_of mariadb))"; return; fi
  port_busy "$PARLEY_DB_PORT" && die "port $PARLEY_DB_PORT is taken by something 'up' did not start; set PARLEY_DB_PORT"
  local dir="$PARLEY_HOME/mariadb"
  mkdir -p "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    say "initialising mariadb data directory $dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db > "$LOG_DIR/mariadb-install.log" 2>&1 \
      || die "mariadb-install-db failed; see $LOG_DIR/mariadb-install.log"
  fi
  say "starting mariadb on 127.0.0.1:$PARLEY_DB_PORT"
  nohup /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --port="$PARLEY_DB_PORT" --bind-address=127.0.0.1 --pid-file="$dir/mariadb.pid" --user="$(id -un)" \
    --skip-log-bin --innodb-buffer-pool-size=128M --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci > "$LOG_DIR/mariadb.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/mariadb.pid"
  wait_until 60 mariadb mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping \
    || die "mariadb did not start; see $LOG_DIR/mariadb.log"
  local schema
  for schema in parley_auth parley_chat parley_notify; do
    db_sql "CREATE DATABASE IF NOT EXISTS $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  done
  db_sql "CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$PARLEY_DB_PASSWORD';
          CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$PARLEY_DB_PASSWORD';
          GRANT ALL ON parley_auth.* TO '$DB_USER'@'127.0.0.1'; GRANT ALL ON parley_auth.* TO '$DB_USER'@'localhost';
          GRANT ALL ON parley_chat.* TO '$DB_USER'@'127.0.0.1'; GRANT ALL ON parley_chat.* TO '$DB_USER'@'localhost';
          GRANT ALL ON parley_notify.* TO '$DB_USER'@'127.0.0.1'; GRANT ALL ON parley_notify.* TO '$DB_USER'@'localhost';"
}

build_jars() {
  if [ "${PARLEY_SKIP_BUILD:-}" = "1" ]; then say "skipping build (PARLEY_SKIP_BUILD=1)"; return; fi
  say "building (mvn -DskipTests package; the first build downloads dependencies)"
  (cd "$ROOT" && mvn -B -q -DskipTests package) || die "build failed"
}

start_service() {
  local name="$1" port schema jar
  port="$(service_port "$name")"
  if [ -n "$(pid_of "$name")" ]; then say "$name already running (pid $(pid_of "$name"))"; return; fi
  port_busy "$port" && die "port $port is taken by something 'up' did not start; set PARLEY_${name%%-*}_PORT"
  jar="$ROOT/$name/target/quarkus-app/quarkus-run.jar"
  [ -f "$jar" ] || die "$jar is missing; run without PARLEY_SKIP_BUILD"
  schema="parley_${name%%-*}"
  say "starting $name on :$port"
  local jvm_opts="${PARLEY_JAVA_OPTS:-}"
  # PARLEY_JFR_DIR=/some/dir records a JDK Flight Recorder profile of each service into it (PARLEY_JFR_SETTINGS:
  # a .jfc file, e.g. profile.jfc with a 1 ms method-sampling interval; default: the JDK's "profile")
  [ -n "${PARLEY_JFR_DIR:-}" ] && jvm_opts="$jvm_opts -XX:StartFlightRecording=filename=$PARLEY_JFR_DIR/$name-$port.jfr,settings=${PARLEY_JFR_SETTINGS:-profile}"
  # one machine: webhook receivers on loopback (the relay benchmark's, a developer's) are let through notify-service's
  # egress guard; set PARLEY_NOTIFY_EGRESS_ALLOW= (empty) to see what production refuses. The services find each other
  # (and the chat page's origin passes auth-service's CORS) on whatever ports PARLEY_*_PORT chose.
  env QUARKUS_HTTP_PORT="$port" \
      QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$PARLEY_REDIS_PORT" \
      QUARKUS_DATASOURCE_JDBC_URL="jdbc:mysql://127.0.0.1:$PARLEY_DB_PORT/$schema" \
      QUARKUS_DATASOURCE_USERNAME="$DB_USER" QUARKUS_DATASOURCE_PASSWORD="$PARLEY_DB_PASSWORD" \
      PARLEY_TOKEN_KEY="$PARLEY_TOKEN_KEY" PARLEY_AUTH_ADMIN_KEY="$PARLEY_AUTH_ADMIN_KEY" \
      PARLEY_CHAT_ID_SERVICE_URL="http://127.0.0.1:$PARLEY_ID_PORT" \
      PARLEY_CHAT_AUTH_SERVICE_URL="http://127.0.0.1:$PARLEY_AUTH_PORT" \
      PARLEY_NOTIFY_CHAT_URL="http://127.0.0.1:$PARLEY_CHAT_PORT" \
      PARLEY_AUTH_CORS_ORIGINS="${PARLEY_AUTH_CORS_ORIGINS:-http://localhost:$PARLEY_CHAT_PORT,http://127.0.0.1:$PARLEY_CHAT_PORT}" \
      PARLEY_NOTIFY_EGRESS_ALLOW="${PARLEY_NOTIFY_EGRESS_ALLOW-127.0.0.1,::1}" \
      QUARKUS_MAILER_HOST="${QUARKUS_MAILER_HOST:-127.0.0.1}" \
      QUARKUS_MAILER_PORT="${QUARKUS_MAILER_PORT:-$PARLEY_SMTP_PORT}" \
      nohup "${PARLEY_JAVA_BIN:-java}" ${PARLEY_JAVA_HEAP:--Xmx384m} $jvm_opts -jar "$jar" > "$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$name.pid"
}

await_service() {
  local name="$1" port
  port="$(service_port "$name")"
  # PARLEY_START_TIMEOUT: seconds a service may take to become ready (a busy 2-core machine can need more than 120)
  local timeout="${PARLEY_START_TIMEOUT:-120}"
  if ! wait_until "$timeout" "$name" http_ok "http://127.0.0.1:$port/q/health/ready"; then
    tail -n 30 "$LOG_DIR/$name.log" >&2 || true
    die "$name is not ready after $timeout s; log: $LOG_DIR/$name.log"
  fi
}

platform_up() {
  command -v java >/dev/null || die "java 17 is required"
  command -v mvn >/dev/null || die "maven is required"
  require_packages redis-server:redis-server mariadbd:mariadb-server curl:curl
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  ensure_secrets
  start_redis
  start_mariadb
  build_jars
  start_mail_sink
  local name
  for name in "${SERVICES[@]}"; do start_service "$name"; done
  for name in "${SERVICES[@]}"; do await_service "$name"; done
  cat <<DONE

Parley is up.
  chat page       http://localhost:$PARLEY_CHAT_PORT/
  chat-service    http://localhost:$PARLEY_CHAT_PORT      (WebSocket ws://localhost:$PARLEY_CHAT_PORT/ws/chat)
  auth-service    http://localhost:$PARLEY_AUTH_PORT
  id-service      http://localhost:$PARLEY_ID_PORT
  notify-service  http://localhost:$PARLEY_NOTIFY_PORT
  email           $(real_smtp_relay && echo "relayed to $QUARKUS_MAILER_HOST" || echo "kept by the local mail sink (SMTP :$PARLEY_SMTP_PORT): read it with ./parley mail ADDRESS")
  health          http://localhost:<port>/q/health/ready   metrics: /q/metrics
  admin key       $PARLEY_HOME/secrets.env (PARLEY_AUTH_ADMIN_KEY)
  logs            $LOG_DIR/
Stop with ./parley down; see ./parley status.
DONE
}

stop_pid() { # stop_pid NAME — SIGTERM, wait up to 30 s, then SIGKILL
  local name="$1" pid i
  pid="$(pid_of "$name")"
  if [ -z "$pid" ]; then rm -f "$RUN_DIR/$name.pid"; return; fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
}

platform_down() {
  local name
  for name in chat-service notify-service auth-service id-service mail-sink mariadb redis; do stop_pid "$name"; done
  say "stopped"
}

platform_status() {
  local name pid port state
  printf '%-15s %-8s %-7s %-10s %s\n' COMPONENT PID PORT STATE LOG
  for name in redis mariadb mail-sink "${SERVICES[@]}"; do
    pid="$(pid_of "$name")"; port="$(service_port "$name")"
    if [ -z "$pid" ]; then state=stopped
    elif [[ "$name" == *-service ]]; then
      if http_ok "http://127.0.0.1:$port/q/health/ready"; then state=ready; else state=not-ready; fi
    else state=running; fi
    printf '%-15s %-8s %-7s %-10s %s\n' "$name" "${pid:--}" "$port" "$state" "$LOG_DIR/$name.log"
  done
}

follow_log() {
  [ -f "$LOG_DIR/$1.log" ] || die "no log for $1 in $LOG_DIR"
  exec tail -F "$LOG_DIR/$1.log"
}
