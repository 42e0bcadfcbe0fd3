#!/usr/bin/env bash
# The benchmark platform's chat nodes and services, shared by loadtest.sh (which starts the platform) and
# loadtest-control.sh (which kills and restarts parts of it for the faults scenario). Sourced after lib.sh, with
# CHAT2_PORT, CHAT_HEAP and app_root set (loadtest.sh exports them).

# The second chat node reuses lib.sh's functions with its own port, PID directory and log directory.
chat2() {
  (
    RUN_DIR="$PARLEY_HOME/chat-2/run"; LOG_DIR="$PARLEY_HOME/chat-2/logs"; PARLEY_CHAT_PORT="$CHAT2_PORT"
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    "$@"
  )
}

start_app() { # start_app MODULE — lib.sh's start_service, from PARLEY_APP_DIR when set
  if [ -n "${app_root:-}" ]; then
    ( ROOT="$app_root"; start_service "$1" ) || exit 1
  else
    start_service "$1"
  fi
}

# A chat node: a fixed heap (so RSS after a full GC compares like with like) and Native Memory Tracking (its
# summary per category is what the idle scenario reports). Other services keep start_service's defaults.
chat_jvm() { # chat_jvm COMMAND... — runs COMMAND with the chat nodes' JVM flags
  (
    # AlwaysPreTouch: the whole fixed heap is resident from the start, so RSS grows only by what is not Java heap, and
    # an idle connection's heap cost is read from the live heap after a full GC (not from pages first touched)
    export PARLEY_JAVA_HEAP="-Xms$CHAT_HEAP -Xmx$CHAT_HEAP -XX:+AlwaysPreTouch"
    export PARLEY_JAVA_OPTS="${PARLEY_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
    "$@"
  ) || exit 1
}
