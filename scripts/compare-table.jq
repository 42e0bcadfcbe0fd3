# The table of `./parley loadtest compare` (scripts/compare.sh), as Markdown, from its results file alone:
#   jq -r -s -f scripts/compare-table.jq results.jsonl
# Input: every line of the results file (slurped). Each is a raw JSON line of Parley's load generator or of the
# references' load.js or of the floor program, with one key added in front: "compare": {server, phase, settings,
# otherCpuPct, ...}.
#   server: parley | floor | socketio | quarkus-raw
#   phase:  parley: fixed, fixed-ack-per-message, ladder, direct, direct-1k (1:1 at DIRECT_1K_RATE msg/s in total), idle
#           floor:  floor (floor/run.sh: one line per framesPerWrite, 1 and 4)
#           peers:  fixed (bench.sh S4 with S4_STEPS=R,..,R: warmupSteps unmeasured steps, then the measured one),
#                   suite (bench.sh S2 S3 S4: the 1:1 run, the idle run and the ladder)
#   compare.settings (the run's knobs, strings: RATE, SENDERS, MEMBERS, DIRECT_CLIENTS, DIRECT_RATE, DIRECT_1K_RATE,
#   DIRECT_1K_PER_SENDER, QUICK, ...)
#   and compare.notes (lines for the footer) may be on any line; --argjson cfg '{...}' overrides the settings.
# Fields that are missing print as "–"; every figure is computed the same way for the three servers (see the
# footer's definitions).

def num: if type == "number" then . else null end;

def commas:
  if . < 0 then "-" + (-(.) | commas)
  elif . >= 1000 then ((. / 1000 | floor) | commas) + "," + ((. % 1000) | tostring | ("00" + .) | .[-3:])
  else tostring end;

# a figure: integers with thousands separators from 100 up, 1 decimal from 10, 2 below
def fmt:
  if type != "number" then "–"
  elif (. | fabs) >= 100 then (round | commas)
  elif (. | fabs) >= 10 then ((. * 10 | round) / 10 | tostring)
  else ((. * 100 | round) / 100 | tostring) end;

# Parley ÷ peer
def ratio($a; $b):
  if ($a | num) != null and ($b | num) != null and $b != 0 then
    ($a / $b) as $r
    | (if $r >= 10 then ((($r * 10) | round) / 10 | tostring) else ((($r * 100) | round) / 100 | tostring) end) + "×"
  else "–" end;
def pair($a; $b): ($a | fmt) + " / " + ($b | fmt);
# a loss percentage: small non-zero losses stay visible
def fmtpct: if type != "number" then "–" elif . == 0 then "0" elif fabs < 0.01 then ((. * 10000 | round) / 10000 | tostring) else fmt end;
def count: if type == "number" then (round | commas) else "–" end;
def ratiopair($a1; $a2; $b1; $b2): ratio($a1; $b1) + " / " + ratio($a2; $b2);

def lines($server; $phase): map(select(.compare.server == $server and .compare.phase == $phase));

# the floor program's line with that many frames per write (1: one write per delivery; 4: four frames coalesced)
def floor_line($k): lines("floor"; "floor") | map(select(.scenario == "floor" and .framesPerWrite == $k)) | last;

# ---------------------------------------------------------------- Parley

def p_fixed: lines("parley"; "fixed") | map(select(.scenario == "fanout" and (.error | not))) | last;
def p_fixed_pm: lines("parley"; "fixed-ack-per-message") | map(select(.scenario == "fanout" and (.error | not))) | last;
def p_summary: lines("parley"; "ladder") | map(select(.summary == true)) | last;
def p_steps: lines("parley"; "ladder") | map(select(.step != null and (.summary | not)));
def p_direct: lines("parley"; "direct") | map(select(.scenario == "direct" and (.error | not))) | last;
def p_direct_1k: lines("parley"; "direct-1k") | map(select(.scenario == "direct" and (.error | not))) | last;
def p_idle: lines("parley"; "idle") | map(select(.scenario == "idle" and (.error | not))) | last;

# server CPU µs per delivery: (chat-1 + chat-2 CPU seconds in the window) × 10⁶ ÷ deliveries
def p_cpu_per_delivery:
  if . == null then null
  elif (.serverCpuUsPerDelivery | num) != null then .serverCpuUsPerDelivery
  elif .cpuSeconds != null and (.deliveries // 0) > 0 then
    ([.cpuSeconds | to_entries[] | select(.key | startswith("chat")) | .value] | add) * 1e6 / .deliveries
  else null end;
# Redis CPU µs per message: Redis's CPU seconds in the window × 10⁶ ÷ the messages answered with `sent` in it
# (messagesSent when there is no messagesConfirmed); null when Redis's CPU could not be read
def p_redis_per_message:
  if . == null then null
  else (.cpuSeconds.redis | num) as $r | ((.messagesConfirmed | num) // (.messagesSent | num)) as $m
    | if $r != null and $r >= 0 and ($m // 0) > 0 then $r * 1e6 / $m else null end end;
def p_ladder_capped: (.stoppedAt // "") | test("^every step passed");
# RSS per idle connection in kB (1024 bytes): after a full GC when the generator reports it, else the plain delta
# With the heap pre-touched (-XX:+AlwaysPreTouch in env.serverHeap) RSS grows only by what is not Java heap, so the
# live heap per connection (after a full GC) is added: the figure is then everything one more idle connection keeps.
def p_pretouched: ((.env.serverHeap // "") | test("AlwaysPreTouch"));
def p_rss_kb: if . == null then null else ((.rssAfterGcBytesPerConnection | num) // (.serverRssBytesPerConnection | num)) as $b
  | if $b == null then null
    elif p_pretouched and (.liveHeapBytesPerConnection | num) != null then ($b + (.liveHeapBytesPerConnection | num)) / 1024
    else $b / 1024 end end;
def p_rss_kind: if . == null then null
  elif (.rssAfterGcBytesPerConnection | num) != null and p_pretouched then "non-heap RSS (heap pre-touched) + live heap, after a full GC"
  elif (.rssAfterGcBytesPerConnection | num) != null then "after a full GC" else "no GC before reading" end;
def p_conn_per_s: if . == null then null elif (.nodesUsed // 1) > 1 then .connectionsPerSecPerNode else .connectionsPerSec end;

# ---------------------------------------------------------------- peers (load.js lines)

def peer_cpu_per_delivery:   # (srv1 + srv2 cpu_pct) / 100 × 10⁶ ÷ deliveries_per_s — their README's formula
  if . == null or .cpu_pct == null or (.cpu_pct.srv1 | num) == null or ((.deliveries_per_s // 0) <= 0) then null
  else (.cpu_pct.srv1 + (.cpu_pct.srv2 // 0)) / 100 * 1e6 / .deliveries_per_s end;
def peer_redis_per_message:  # 1:1 (one recipient each): redis cpu_pct / 100 × 10⁶ ÷ deliveries_per_s
  if . == null or (.cpu_pct.redis | num) == null or ((.deliveries_per_s // 0) <= 0) then null
  else .cpu_pct.redis / 100 * 1e6 / .deliveries_per_s end;

# A bench.sh S4 run with S4_STEPS=R,R,...: the first attempt of the step after $warm completed steps (a step is
# complete when an attempt passes or its retry has run). {step, measured}: measured false when the ladder stopped
# during the warm-up (then the last attempt is shown).
def peer_measured($warm):
  (.steps // []) as $st
  | (reduce range(0; $st | length) as $i ({k: 0, out: null};
      (if .out == null and .k == $warm then .out = $st[$i] else . end)
      | (if ($st[$i].pass == true) or (($st[$i].attempt // 1) >= 2) then .k += 1 else . end))) as $r
  | if $r.out != null then {step: $r.out, measured: true}
    elif ($st | length) > 0 then {step: ($st | last), measured: false}
    else null end;

# The best ladder step by Parley's rule: delivery p99 ≤ max and NO loss (bench.sh's own rule allows 1 % loss), and
# the generator sent ≥ 95 % of the target rate (load.js's rule). A step passes if one of its attempts passes
# (load.js retries a failed step once); the ladder ends at the first step that does not.
def peer_ladder($maxp99):
  (.publishers // 20) as $pubs
  | def strict: (.p99_ms | num) != null and .p99_ms <= $maxp99 and .loss_pct == 0
                and ((.sent_per_s // 0) >= 0.95 * $pubs * (.rate_per_pub // 0));
    (.steps // []) as $st
  | reduce range(0; $st | length) as $i ({best: null, stop: null};
      if .stop != null then .
      else $st[$i] as $e
        | if ($e | strict) then .best = $e
          elif ($e.pass != true) and (($e.attempt // 1) < 2) and ($i + 1 < ($st | length)) then .   # retried next
          else .stop = "rate \($e.rate_per_pub): p99 \($e.p99_ms // "–") ms, loss \($e.loss_pct // "–") %"
               + (if ($e.sent_per_s // 0) < 0.95 * $pubs * ($e.rate_per_pub // 0) then ", sent \($e.sent_per_s)/s of \($pubs * $e.rate_per_pub)" else "" end)
          end
      end)
  | . + {capped: (.stop == null and ($st | length) > 0)};

def peer_fixed($t): lines($t; "fixed") | map(select(.steps != null)) | last;
def peer_suite($t; $suffix): lines($t; "suite") | map(select((.scenario // "") | endswith($suffix))) | last;

# ---------------------------------------------------------------- the table

. as $all
| (($all | map(.compare.settings // empty) | first) // {} | with_entries(.value = (.value | tonumber? // .))) as $s
| ({rate: $s.RATE, senders: $s.SENDERS, members: $s.MEMBERS, directClients: $s.DIRECT_CLIENTS,
    directRate: $s.DIRECT_RATE, direct1kRate: $s.DIRECT_1K_RATE, direct1kPerSender: $s.DIRECT_1K_PER_SENDER,
    maxP99Ms: 100, quick: ($s.QUICK == 1),
    notes: [$all[] | .compare.notes // empty | .[]]} + ($ARGS.named.cfg // {})) as $cfg
| ($cfg.maxP99Ms // 100) as $maxp99
| (p_fixed) as $pf | (p_fixed_pm) as $pm | (p_summary) as $ps | (p_direct) as $pd | (p_idle) as $pi
| (p_direct_1k) as $pk
| (floor_line(1)) as $fl1 | (floor_line(4)) as $fl4
| ($fl1.writerCpuUsPerDelivery | num) as $f1 | ($fl4.writerCpuUsPerDelivery | num) as $f4
| ["socketio", "quarkus-raw"] as $peers
| ($peers | map(. as $t | {
      key: $t,
      value: ($all | {
        fixedLine: peer_fixed($t),
        fixed: (peer_fixed($t) | if . == null then null else peer_measured(.compare.warmupSteps // 0) end),
        ladderLine: peer_suite($t; "-S4"),
        ladder: (peer_suite($t; "-S4") | if . == null then null else peer_ladder($maxp99) end),
        direct: peer_suite($t; "-S2"),
        idle: peer_suite($t; "-S3")
      })
    }) | from_entries) as $P
| def col(f): [$P["socketio"], $P["quarkus-raw"]] | map(f);
  # a reference whose ladder stopped during its warm-up step: its fixed-rate figure is the warm-up's, marked
  def wu: if .fixed != null and .fixed.measured == false then " (warm-up)" else "" end;
  def best_cell: if .ladder == null then "–" elif .ladder.best == null then "0" else (.ladder.best.deliveries_per_s | fmt) + (if .ladder.capped then " (ladder top)" else "" end) end;
  def best_val: .ladder.best.deliveries_per_s;
  # six cells after the title (Parley, the two peers, Parley ÷ each, Parley ÷ floor): missing ones are left empty
  def row($name; $cells): "| " + $name + " | " + (($cells + [range(0; 6 - ($cells | length)) | ""]) | join(" | ")) + " |";
  # Parley's figure and the two peers', then Parley ÷ each
  def figure($name; $pv; $peerv): row($name; [($pv | fmt)] + ($peerv | map(fmt)) + ($peerv | map(ratio($pv; .))));
  # Parley ÷ the one-write floor (÷ the four-frames-per-write floor)
  def floor_ratio($pv): if ($pv | num) == null or $f1 == null then "–" else ratio($pv; $f1) + " (" + ratio($pv; $f4) + ")" end;
  def figure_fixed($name; $pv; $peerv):
    row($name; [($pv | fmt)] + ([$peerv, col(wu)] | transpose | map((.[0] | fmt) + .[1])) + ($peerv | map(ratio($pv; .)))
               + [floor_ratio($pv)]);
  # Parley only: the references have no such figure (—)
  def parley_only($name; $cell): row($name; [$cell, "—", "—"]);

  ($pf | p_cpu_per_delivery) as $p_cpu
| (col(.fixed.step | peer_cpu_per_delivery)) as $x_cpu
| ($pd | p_cpu_per_delivery) as $pd_cpu
| (col(.direct | peer_cpu_per_delivery)) as $xd_cpu
| ($pm | p_cpu_per_delivery) as $pm_cpu
| (if ($cfg.senders | num) != null and ($cfg.rate | num) != null then $cfg.senders * $cfg.rate * (($cfg.members // 100) - 1) else null end) as $offered
| [
    (if $cfg.quick then "**QUICK RUN** (`--quick`: small scale, short windows; Parley's topology is smaller than the references' — it checks the plumbing, its ratios mean nothing)\n" else empty end),
    "| figure | Parley | Socket.IO | quarkus-raw | Parley ÷ Socket.IO | Parley ÷ quarkus-raw | Parley ÷ floor |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    figure_fixed("server CPU µs per fan-out delivery at \($offered | count) deliveries/s offered (\($cfg.senders // "–") senders × \($cfg.rate // "–") msg/s) ↓"; $p_cpu; $x_cpu),
    # the machine's, the same under every server: one figure in each server's column
    row("floor: CPU µs per delivery, one write per delivery (four frames per write)\(if $fl1 != null then ", \($fl1.sockets | count) sockets × \($fl1.frameBytes // "–")-byte frames" else "" end) ↓";
        [range(0; 3) | if $f1 == null and $f4 == null then "–" else ($f1 | fmt) + " (" + ($f4 | fmt) + ")" end]),
    row("delivery p50 / p99 ms at that rate ↓";
        [pair($pf.deliveryP50Ms; $pf.deliveryP99Ms)]
        + col(pair(.fixed.step.p50_ms; .fixed.step.p99_ms) + wu)
        + col(ratiopair($pf.deliveryP50Ms; $pf.deliveryP99Ms; .fixed.step.p50_ms; .fixed.step.p99_ms))),
    row("best deliveries/s at p99 ≤ \($maxp99) ms, zero loss (ladder) ↑";
        [(if $ps == null then "–" elif $ps.bestDeliveriesPerSec == null then "0" else ($ps.bestDeliveriesPerSec | fmt) + (if ($ps | p_ladder_capped) then " (ladder top)" else "" end) end)]
        + col(best_cell) + col(ratio($ps.bestDeliveriesPerSec; best_val))),
    figure("server CPU µs per 1:1 message (\($cfg.directClients | count) clients × \($cfg.directRate // "–") msg/s) ↓"; $pd_cpu; $xd_cpu),
    figure("Redis CPU µs per 1:1 message ↓"; ($pd | p_redis_per_message); col(.direct | peer_redis_per_message)),
    row("1:1 delivery p50 / p99 ms ↓";
        [pair($pd.deliveryP50Ms; $pd.deliveryP99Ms)]
        + col(pair(.direct.p50_ms; .direct.p99_ms))
        + col(ratiopair($pd.deliveryP50Ms; $pd.deliveryP99Ms; .direct.p50_ms; .direct.p99_ms))),
    parley_only("1:1 durable `sent` p50 / p99 ms ↓"; pair($pd.sentP50Ms; $pd.sentP99Ms)),
    row("1:1 loss ↓";
        [(if $pd == null then "–" else "\($pd.lossPct | fmtpct) % (\($pd.lost | count) lost)" end)]
        + col(if .direct == null then "–" else "\(.direct.loss_pct | fmtpct) %" end)),
    parley_only("durable `sent` p50 / p99 ms at \(($cfg.direct1kRate // $pk.compare.totalRate) | count) msg/s (1:1: \($cfg.directClients | count) clients × \(($cfg.direct1kPerSender // $pk.compare.ratePerSender) // "–") msg/s) ↓";
        pair($pk.sentP50Ms; $pk.sentP99Ms)),
    figure("RSS kB per idle connection, one node ↓"; ($pi | p_rss_kb); col(.idle.kb_per_conn)),
    figure("authenticated connections/s, one node ↑"; ($pi | p_conn_per_s); col(.idle.conns_per_s)),
    figure_fixed("server CPU µs per fan-out delivery, Parley acking every message (peers: no acks; as above) ↓"; $pm_cpu; $x_cpu),
    row("delivery p50 / p99 ms, Parley acking every message ↓";
        [pair($pm.deliveryP50Ms; $pm.deliveryP99Ms)]
        + col(pair(.fixed.step.p50_ms; .fixed.step.p99_ms) + wu)
        + col(ratiopair($pm.deliveryP50Ms; $pm.deliveryP99Ms; .fixed.step.p50_ms; .fixed.step.p99_ms))),
    "",
    "↓ lower is better, ↑ higher is better.",
    "",
    # ---- footer
    ("- **Parley** (fixed rate): " + (if $pf == null then "no result" else
        "acks `\($pf.ackPolicy // "–")`" + (if $pf.ackDelayMs != null then " (\($pf.ackDelayMs) ms)" else "" end)
        + ", durability `\($pf.env.durability // "–")`, JDK \($pf.env.jdk // "–"), server heap \($pf.env.serverHeap // "–")"
        + ", JIT compiler share of each node's CPU in the window " + (if ($pf.compilerCpuPct | type) == "object" then ($pf.compilerCpuPct | to_entries | map("\(.key) \(.value | fmt) %") | join(", ")) elif ($pf.compilerCpuPct | num) != null then "\($pf.compilerCpuPct | fmt) %" else "–" end)
        + (if ([$pf.compilerCpuPct | if type == "object" then .[] else . end | num | select(. != null and . >= 5)] | length) > 0 then " (**≥ 5 %: not at steady state**)" else "" end)
        + ", GC CPU " + (if ($pf.gcCpuPct | type) == "object" then ($pf.gcCpuPct | to_entries | map("\(.key) \(.value | fmt) %") | join(", ")) elif ($pf.gcCpuPct | num) != null then "\($pf.gcCpuPct | fmt) %" else "–" end)
        + "; measured \($pf.deliveriesPerSec | fmt) deliveries/s, lost \($pf.lost | count), durable `sent` p99 \($pf.sentP99Ms | fmt) ms"
        + ", generator CPU \($pf.generatorCpuUsPerDelivery | fmt) µs per delivery"
        + (if $pm != null then "; acking every message: acks `\($pm.ackPolicy // "per-message")`, lost \($pm.lost // "–"), `sent` p99 \($pm.sentP99Ms | fmt) ms" else "" end)
      end)),
    ("- **Peers** at the fixed rate (" + ($peers | map(. as $t | $P[$t] as $x | "\($t): " + (
        if $x.fixed == null then "no result"
        else "\($x.fixed.step.deliveries_per_s | fmt) deliveries/s, loss \($x.fixed.step.loss_pct | fmtpct) %, generator \($x.fixed.step.cpu_pct.loadgen | fmt) % of a core"
          + (if $x.fixed.measured then "" else " — **the ladder stopped during the warm-up step; this is the warm-up's figure**" end)
        end)) | join("; ")) + "): bench.sh's S1 has its rate fixed at 50 msg/s per publisher, so the references' fixed-rate run is its S4 with `S4_STEPS` = the rate repeated (the first step(s) unmeasured warm-up) and `S4_STEP_S` = the window."),
 ("- **Floor** (`floor/run.sh`: one process writes a pre-encoded frame to each of N loopback TCP sockets, a forked reader drains them): "
      + (if $fl1 == null and $fl4 == null then "no result"
         else ([$fl1, $fl4] | map(select(. != null) | "\(.framesPerWrite) frame\(if .framesPerWrite == 1 then "" else "s" end) per write: writer \(.writerCpuUsPerDelivery | fmt) µs, reader \(.readerCpuUsPerDelivery | fmt) µs, whole machine \(.machineCpuUsPerDelivery | fmt) µs per delivery over \(.deliveries | count) deliveries"
             + (if (.bytesReceived | num) != null and (.deliveries | num) != null and (.frameBytes | num) != null and .bytesReceived != .deliveries * .frameBytes
                then " (**incomplete: the reader got \(.bytesReceived | count) of \(.deliveries * .frameBytes | count) bytes**)" else "" end)) | join("; "))
           + "; fan-out server CPU ÷ the one-write floor: Parley \(ratio($p_cpu; $f1)), " + ([$peers, $x_cpu] | transpose | map("\(.[0]) \(ratio(.[1]; $f1))") | join(", "))
         end) + "."),
    ("- **1:1 at \(($cfg.direct1kRate // $pk.compare.totalRate) | count) msg/s** (Parley's `direct-1k`): " + (if $pk == null then "no result" else
        "measured \($pk.messagesPerSec | fmt) msg/s from \($pk.senders // $pk.clients | count) senders, durable `sent` p50 / p99 / max \($pk.sentP50Ms | fmt) / \($pk.sentP99Ms | fmt) / \($pk.sentMaxMs | fmt) ms"
        + ", delivery p50 / p99 \($pk.deliveryP50Ms | fmt) / \($pk.deliveryP99Ms | fmt) ms, lost \($pk.lost | count)"
        + ", server CPU \($pk | p_cpu_per_delivery | fmt) µs and Redis CPU \($pk | p_redis_per_message | fmt) µs per message, durability `\($pk.env.durability // "–")`"
      end) + "."),
    ("- **Ladder**: Parley " + (if $ps == null then "no result" else "best \($ps.bestRatePerSender // "–") msg/s per sender; stopped at \($ps.stoppedAt // "–")" end)
      + "; " + ($peers | map(. as $t | $P[$t] as $x | "\($t) " + (if $x.ladder == null then "no result" else
          "best \($x.ladder.best.rate_per_pub // "–") msg/s per publisher; stopped at " + ($x.ladder.stop // "the top of the ladder")
          + " (bench.sh's own rule, loss ≤ \($x.ladderLine.loss_limit_pct // 1) %: best \($x.ladderLine.best_rate_per_pub // "–"), \($x.ladderLine.stop_reason // "–"))" end)) | join("; ")) + "."),
    ("- **Idle**: Parley " + (if $pi == null then "no result" else
        "\($pi.openAfterHold // $pi.clients | count) connections held on \($pi.nodesUsed // 1) node, RSS \($pi | p_rss_kind)"
        + (if ($pi.liveHeapBytesPerConnection | num) != null then ", live heap \($pi.liveHeapBytesPerConnection / 1024 | fmt) kB per connection" else "" end)
        + (if $pi.nmtCommittedKbDelta != null then ", NMT committed Δ " + (if ($pi.nmtCommittedKbDelta | type) == "object" then ($pi.nmtCommittedKbDelta | to_entries | map(select((.value | num) != null and .value != 0)) | sort_by(if .key == "Total" then -1e18 else -(.value | fabs) end) | .[:7] | map("\(.key) \(.value | fmt) kB") | join(", ")) else "\($pi.nmtCommittedKbDelta | fmt) kB" end) else "" end)
        + (if $pi.idleHoldCpuPct != null then ", node CPU while holding " + (if ($pi.idleHoldCpuPct | type) == "object" then ($pi.idleHoldCpuPct | to_entries | map("\(.key) \(.value | fmt) %") | join(", ")) else "\($pi.idleHoldCpuPct | fmt) %" end) else "" end)
        + ", \($pi.serverCpuUsPerConnection | fmt) µs server CPU per connection"
      end)
      + "; " + ($peers | map(. as $t | $P[$t].idle as $x | "\($t) " + (if $x == null then "no result" else "\($x.held | count) held (RSS with no GC before reading)" end)) | join("; ")) + "."),
    ("- **Others' CPU** (processes not started by this run, % of one core, mean / max over 2 s samples): "
      + ([$all[] | select(.compare.otherCpuPct != null) | {k: "\(.compare.server) \(.compare.phase)", v: .compare.otherCpuPct}]
         | reduce .[] as $e ([]; if any(.[]; .k == $e.k) then . else . + [$e] end) | map("\(.k) \(.v.mean | fmt) / \(.v.max | fmt)") | join(", ") | if . == "" then "–" else . end)
      + "; the references' own `cpu_pct.other` in their windows: "
      + ($peers | map(. as $t | $P[$t] | [.fixed.step.cpu_pct.other, .ladder.best.cpu_pct.other, .direct.cpu_pct.other] | map(fmt) | "\($t) \(join(" / "))") | join(", "))
      + " (fixed / best ladder step / 1:1)."),
    ("- **Definitions** (the same for the three): CPU per delivery = the two server processes' CPU over the measured window ÷ deliveries in it (Parley: `cpuSeconds` of chat-1 + chat-2 × 10⁶ ÷ `deliveries`; peers: (srv1 + srv2 `cpu_pct`) / 100 × 10⁶ ÷ `deliveries_per_s`); Redis, MariaDB, auth and the generators are not counted. Latency = sender's timestamp → the receiving client read the frame, same machine clock. 1:1 CPU per message = per delivery (one recipient each). Redis CPU per 1:1 message = Redis's CPU over the window ÷ messages (Parley: `cpuSeconds.redis` × 10⁶ ÷ `messagesConfirmed`; peers: `cpu_pct.redis` / 100 × 10⁶ ÷ `deliveries_per_s`). Durable `sent` = the sender wrote its `send` → it read the `sent` frame (Parley only: the references acknowledge nothing durable, —). Floor = the floor program's writer CPU (user + sys) ÷ deliveries, one frame per write (four per write in brackets); Parley ÷ floor divides by each. RSS per connection = (server RSS after the hold − before connecting) ÷ connections held, kB = 1024 bytes. Connections/s = upgrades that succeeded ÷ time from the first attempt to the last success (Parley: Bearer token verified, presence, subscriptions; Socket.IO: HMAC token + namespace connect; quarkus-raw: HMAC token in the query). Peer loss is load.js's `loss_pct`, rounded to 0.001 %."),
    ($all[] | select(.error != null) | "- **error** in \(.compare.server) \(.compare.phase): \(.error)"),
    ($cfg.notes // [] | .[] | "- " + .)
  ]
| .[]
