#!/usr/bin/env bash
# HTTP load benchmark of `koppel serve` (release build) on the demo regions scaled to
# 100,000 learners x 100,000 placements, with wrk as the load generator on the same machine.
#
#   benches/http/run.sh [DURATION_S]      (needs wrk: apt-get install wrk)
#
# 1. GET /v1/learners/{id}/matches?k=10 for random learners, 64 connections.
# 2. POST /v1/placements (durable, audited), 16 connections.
# 3. Overload: GET matches at 10x the concurrency limit, for a limit sized to this machine
#    (--concurrency 8, 80 connections) and a larger one (32, 320), with the http_probe bench as
#    load generator: it reports latency per status (wrk cannot).
# Peak memory is the server's VmHWM after each phase. Each phase starts on a fresh database.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-20}
cargo build --release -q
cargo bench -q --bench http_probe --no-run 2>/dev/null
K=target/release/koppel
work=$(mktemp -d)
trap 'pkill -f "koppel serve --db $work" 2>/dev/null || true; rm -rf "$work"' EXIT
REGIONS=rijnmond,haaglanden,drechtsteden,zuid-holland-centraal,midden-holland
$K generate --learners 100000 --placements 100000 --seed 7 --regions $REGIONS --out "$work/data" >/dev/null

start() { # start [serve args...]; sets PID and BASE
  rm -f "$work"/k.db*
  $K serve --db "$work/k.db" --data "$work/data" --addr 127.0.0.1:0 --rate-limit 1000000 "$@" \
    >"$work/out" 2>"$work/log" &
  PID=$!
  until grep -q "listening on" "$work/out" 2>/dev/null; do sleep 0.2; done
  BASE=$(sed -n 's/^koppel: listening on //p' "$work/out")
  ADVISOR=$($K token create --db "$work/k.db" --role advisor --region $REGIONS 2>/dev/null)
  EMPLOYER=$(head -1 "$work/data/placements.jsonl" | sed 's/.*"employer":"\([^"]*\)".*/\1/')
  DESK=$($K token create --db "$work/k.db" --role employer_desk --employer "$EMPLOYER" 2>/dev/null)
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; }
peak() { awk '/VmHWM/ {printf "%.0f MB\n", $2/1024}' "/proc/$PID/status"; }

echo "== GET matches, 64 connections, ${DUR}s"
start
KOPPEL_TOKEN=$ADVISOR KOPPEL_LEARNERS=100000 wrk -t2 -c64 -d${DUR}s --latency \
  -s benches/http/matches.lua "$BASE" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "peak memory: $(peak)"
stop

echo "== POST placements, 16 connections, ${DUR}s"
start
KOPPEL_TOKEN=$DESK KOPPEL_BODY="$(head -1 "$work/data/placements.jsonl")" wrk -t2 -c16 -d${DUR}s \
  --latency -s benches/http/post_placement.lua "$BASE" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "peak memory: $(peak)"
stop

for C in 8 32; do
  echo "== Overload: GET matches, --concurrency $C, $((C * 10)) connections, ${DUR}s"
  start --concurrency $C
  KOPPEL_BASE=$BASE KOPPEL_TOKEN=$ADVISOR KOPPEL_CONNS=$((C * 10)) KOPPEL_SECS=$DUR KOPPEL_LEARNERS=100000 \
    cargo bench -q --bench http_probe 2>/dev/null
  echo "peak memory: $(peak)"
  stop
done
