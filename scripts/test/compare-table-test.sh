#!/usr/bin/env bash
# Checks the maths of `./parley loadtest compare`'s table (scripts/compare-table.jq) on fixed results files.
# Needs only jq. Run by hand: scripts/test/compare-table-test.sh (not part of ./parley test).
# The expected figures are worked out by hand in the comments, from the fixture's raw fields.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JQ_PROG="$HERE/../compare-table.jq"
FIXTURE="$HERE/fixtures/compare-results.jsonl"
failures=0

table() { jq -r -s -f "$JQ_PROG" "$@"; }
row() { # row TABLE_TEXT ROW_TITLE_PREFIX — the cells of the first row starting with that title, '|'-separated, trimmed
  awk -v t="| $2" 'index($0, t) == 1 { print; exit }' <<< "$1" | sed 's/^| //; s/ |$//; s/ | /|/g'
}
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then printf 'ok    %s\n' "$1"
  else printf 'FAIL  %s\n      expected: %s\n      actual:   %s\n' "$1" "$2" "$3"; failures=$((failures + 1)); fi
}
cells() { row "$1" "$2" | cut -d'|' -f2-; }   # without the title

full="$(table "$FIXTURE")"

# Parley serverCpuUsPerDelivery 10.52; Socket.IO: the step after one warm-up step (its first attempt failed, the
# retry passed), srv1 24 + srv2 22.8 = 46.8 % → 0.468 × 10⁶ / 23,760 = 19.70 µs; quarkus-raw: the second entry,
# 16 + 14.2 = 30.2 % → 12.71 µs; ratios 10.52 / 19.70 = 0.53, 10.52 / 12.71 = 0.83;
# Parley ÷ floor: the floor's writer 5.63 µs with one frame per write → 10.52 / 5.63 = 1.87, four per write 1.54 → 6.83
check "fan-out CPU per delivery (offered 20 × 12 × 99 = 23,760)" \
  "10.5|19.7|12.7|0.53×|0.83×|1.87× (6.83×)" "$(cells "$full" "server CPU µs per fan-out delivery at 23,760 deliveries/s offered (20 senders × 12 msg/s)")"
# the floor is the machine's: the same figure under each server, writer CPU one write (four frames per write)
check "floor row: one write per delivery (four frames per write)" \
  "5.63 (1.54)|5.63 (1.54)|5.63 (1.54)|||" "$(cells "$full" "floor: CPU µs per delivery, one write per delivery (four frames per write), 2,000 sockets × 280-byte frames")"
# footer: each server's fan-out CPU ÷ the one-write floor: 19.70 / 5.63 = 3.5, 12.71 / 5.63 = 2.26
check "footer: the floor's figures and every server ÷ the floor" "1" \
  "$(grep -c '^- \*\*Floor\*\* .*1 frame per write: writer 5.63 µs, reader 3.31 µs, whole machine 12.4 µs per delivery over 200,000 deliveries; 4 frames per write: writer 1.54 µs, reader 1.03 µs, whole machine 3.1 µs per delivery over 200,000 deliveries; fan-out server CPU ÷ the one-write floor: Parley 1.87×, socketio 3.5×, quarkus-raw 2.26×\.$' <<< "$full")"
# p50 3.1 / 2.3 = 1.35, p99 9.8 / 6.3 = 1.56; 3.1 / 1.4 = 2.21, 9.8 / 17.3 = 0.57
check "fan-out p50 / p99 and ratios" \
  "3.1 / 9.8|2.3 / 6.3|1.4 / 17.3|1.35× / 1.56×|2.21× / 0.57×|" "$(cells "$full" "delivery p50 / p99 ms at that rate")"
# Socket.IO ladder: 5 passes, 10 passes on its retry, 12 passes on its retry (23,829.3/s), 14 fails twice;
# quarkus-raw: 5 passes (9,900/s), 10 passes bench.sh's 1 % rule with 0.004 % loss — not zero: the ladder ends there.
# 49,500 / 23,829.3 = 2.08; 49,500 / 9,900 = 5
check "ladder best at zero loss" \
  "49,500|23,829|9,900|2.08×|5×|" "$(cells "$full" "best deliveries/s at p99 ≤ 100 ms, zero loss")"
# 1:1: Socket.IO (50 + 46.8) / 100 × 10⁶ / 4,000 = 242 µs; quarkus-raw (41.4 + 58.4) / 100 × 10⁶ / 4,148.3 = 240.6
check "1:1 CPU per message" \
  "80|242|241|0.33×|0.33×|" "$(cells "$full" "server CPU µs per 1:1 message (2,000 clients × 2 msg/s)")"
# Redis: Parley 2.6 s × 10⁶ / 80,000 messagesConfirmed = 32.5 µs (not messagesSent 81,250: 32); Socket.IO
# 10.9 % / 100 × 10⁶ / 4,000 = 27.25; quarkus-raw 10.9 % / 100 × 10⁶ / 4,148.3 = 26.28; 32.5 / 27.25 = 1.19, 32.5 / 26.28 = 1.24
check "Redis CPU per 1:1 message" \
  "32.5|27.3|26.3|1.19×|1.24×|" "$(cells "$full" "Redis CPU µs per 1:1 message")"
check "1:1 durable sent p50 / p99 (Parley only)" \
  "2.1 / 11.4|—|—|||" "$(cells "$full" "1:1 durable \`sent\` p50 / p99 ms")"
check "1:1 loss keeps a small non-zero loss visible" \
  "0.0025 % (2 lost)|0 %|0 %|||" "$(cells "$full" "1:1 loss")"
# direct-1k: 2,000 clients × 1,000 / 2,000 = 0.5 msg/s each; its own sent p50 1.8, p99 6.35
check "durable sent at 1,000 msg/s, a row of its own" \
  "1.8 / 6.35|—|—|||" "$(cells "$full" "durable \`sent\` p50 / p99 ms at 1,000 msg/s (1:1: 2,000 clients × 0.5 msg/s)")"
# footer: no serverCpuUsPerDelivery: (0.9 + 0.85) × 10⁶ / 21,000 = 83.33 µs; Redis 0.63 × 10⁶ / 21,000 = 30 µs
check "footer: the 1,000 msg/s run's details" "1" \
  "$(grep -c '^- \*\*1:1 at 1,000 msg/s\*\* (Parley.s `direct-1k`): measured 1,050 msg/s from 2,000 senders, durable `sent` p50 / p99 / max 1.8 / 6.35 / 40 ms, delivery p50 / p99 1.2 / 4.6 ms, lost 0, server CPU 83.3 µs and Redis CPU 30 µs per message, durability `memory`\.$' <<< "$full")"
# RSS: rssAfterGcBytesPerConnection 4,096 B preferred over serverRssBytesPerConnection → 4 kB; peers kb_per_conn
check "RSS per idle connection prefers the after-GC figure" \
  "4|13.2|15.2|0.3×|0.26×|" "$(cells "$full" "RSS kB per idle connection")"
check "connections per second" \
  "5,400|1,345|410|4.01×|13.2×|" "$(cells "$full" "authenticated connections/s")"
# no serverCpuUsPerDelivery in the per-message line: (5 + 5.45) × 10⁶ / 475,200 = 21.99 µs;
# ÷ floor 21.99 / 5.63 = 3.91, 21.99 / 1.54 = 14.28
check "per-message acks: CPU from cpuSeconds when the field is missing" \
  "22|19.7|12.7|1.12×|1.73×|3.91× (14.3×)" "$(cells "$full" "server CPU µs per fan-out delivery, Parley acking every message")"
check "footer: JIT compiler share, JDK and heap" "1" \
  "$(grep -c 'JIT compiler share of each node.s CPU in the window chat-1 1.2 %, chat-2 0.8 %, GC' <<< "$full")"
check "footer: JDK and heap" "1" "$(grep -c 'JDK 17.0.15, server heap -Xms512m -Xmx512m' <<< "$full")"
check "footer: notes of the run" "1" "$(grep -c '^- a note from the run$' <<< "$full")"

# Parley with old generator fields only, a ladder that passed every step, one reference only
only="$(table <<'EOF'
{"compare":{"server":"parley","phase":"fixed","settings":{"RATE":"12","SENDERS":"4","MEMBERS":"100","DIRECT_CLIENTS":"400","DIRECT_RATE":"2","QUICK":"1"}},"scenario":"fanout","deliveries":1000,"cpuSeconds":{"chat-1":0.01,"chat-2":0.02,"redis":5},"deliveryP50Ms":2,"deliveryP99Ms":null,"compilerCpuPct":{"chat-1":43.15,"chat-2":4}}
{"compare":{"server":"parley","phase":"ladder"},"scenario":"saturation","summary":true,"bestRatePerSender":25,"bestDeliveriesPerSec":9900,"stoppedAt":"every step passed"}
{"compare":{"server":"parley","phase":"idle"},"scenario":"idle","openAfterHold":2000,"connectionsPerSec":800,"serverRssBytesPerConnection":30720}
{"compare":{"server":"parley","phase":"direct","failed":true,"exit":1}}
{"compare":{"server":"parley","phase":"direct-1k"},"scenario":"direct","clients":400,"messagesSent":8000,"deliveries":400,"cpuSeconds":{"chat-1":0.1,"chat-2":0.1,"redis":-1},"sentP50Ms":3,"sentP99Ms":null}
{"compare":{"server":"floor","phase":"floor","skipped":"no C compiler"}}
{"compare":{"server":"floor","phase":"floor","failed":true,"exit":2},"scenario":"floor","sockets":400,"deliveries":40000,"frameBytes":280,"framesPerWrite":1,"bytesReceived":11000000,"writerCpuUsPerDelivery":6,"readerCpuUsPerDelivery":4,"machineCpuUsPerDelivery":20,"wallS":0.3}
{"compare":{"server":"socketio","phase":"fixed","warmupSteps":1},"scenario":"socketio-S4","publishers":20,"steps":[{"rate_per_pub":12,"attempt":1,"deliveries_per_s":20000,"p50_ms":50,"p99_ms":150,"loss_pct":0,"cpu_pct":{"srv1":40,"srv2":40},"pass":false},{"rate_per_pub":12,"attempt":2,"deliveries_per_s":16000,"p50_ms":60,"p99_ms":170,"loss_pct":0,"cpu_pct":{"srv1":40,"srv2":40},"pass":false}]}
EOF
)"
# (0.01 + 0.02) × 10⁶ / 1,000 = 30 µs (redis not counted); offered 4 × 12 × 99 = 4,752; the floor has only its
# one-write line: 30 / 6 = 5×, no four-frames line (–)
check "quick: CPU from cpuSeconds (Redis not counted), a missing reference as –" \
  "30|50 (warm-up)|–|0.6×|–|5× (–)" "$(cells "$only" "server CPU µs per fan-out delivery at 4,752 deliveries/s offered (4 senders × 12 msg/s)")"
# Socket.IO's warm-up step failed twice, so no measured step ran: the last attempt is shown, marked;
# 0.8 × 10⁶ / 16,000 = 50 µs; 30 / 50 = 0.6
check "a reference whose ladder stopped in the warm-up is marked" \
  "30|50 (warm-up)|–|0.6×|–|5× (–)" "$(cells "$only" "server CPU µs per fan-out delivery at 4,752")"
check "missing p99 prints –" "2 / –|60 / 170 (warm-up)|– / –|0.03× / –|– / –|" "$(cells "$only" "delivery p50 / p99 ms at that rate")"
check "a ladder that passed every step says so" "9,900 (ladder top)|–|–|–|–|" "$(cells "$only" "best deliveries/s")"
check "RSS falls back to serverRssBytesPerConnection (30,720 B = 30 kB)" "30|–|–|–|–|" "$(cells "$only" "RSS kB per idle connection")"
check "a failed phase leaves –" "–|–|–|–|–|" "$(cells "$only" "server CPU µs per 1:1 message")"
check "a failed phase leaves – in the Redis row too" "–|–|–|–|–|" "$(cells "$only" "Redis CPU µs per 1:1 message")"
check "a failed phase leaves – in the sent row (the references stay —)" "– / –|—|—|||" "$(cells "$only" "1:1 durable \`sent\` p50 / p99 ms")"
# no DIRECT_1K_* settings (an older results file) and no compare tags: the title says –; a missing p99 prints –
check "durable sent at 1,000 msg/s without settings" "3 / –|—|—|||" \
  "$(cells "$only" "durable \`sent\` p50 / p99 ms at – msg/s (1:1: 400 clients × – msg/s)")"
# Redis's CPU unreadable (ProcStats reads -1; its delta is null): no figure, not a negative one; (0.1 + 0.1) × 10⁶ / 400 = 500 µs
check "footer: an unreadable Redis CPU prints –" "1" "$(grep -c 'server CPU 500 µs and Redis CPU – µs per message' <<< "$only")"
check "a floor with one line only" "6 (–)|6 (–)|6 (–)|||" "$(cells "$only" "floor: CPU µs per delivery, one write per delivery (four frames per write), 400 sockets × 280-byte frames")"
# 40,000 deliveries × 280 B = 11,200,000 B expected, 11,000,000 received (floor.c exits 2: the phase failed)
check "an incomplete floor run is flagged" "1" "$(grep -c 'incomplete: the reader got 11,000,000 of 11,200,000 bytes' <<< "$only")"
check "a JIT compiler share of 5 % or more is flagged" "1" \
  "$(grep -c 'chat-1 43.2 %, chat-2 4 % (\*\*≥ 5 %: not at steady state\*\*)' <<< "$only")"
check "quick runs are marked" "1" "$(grep -c '^\*\*QUICK RUN\*\*' <<< "$only")"

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
