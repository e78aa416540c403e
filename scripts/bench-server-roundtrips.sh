#!/usr/bin/env bash
# How a save on the practice server scales with network latency: logs N items one at a time
# (`stress-log`, each one transaction with its audit event) straight to the server, then
# through a TCP proxy that delays every packet by DELAY_MS each way, and prints the time per
# save and the round trips per save that the difference implies.
#
#   PG_HOST=localhost PG_PORT=5432 PG_USER=postgres scripts/bench-server-roundtrips.sh [N] [DELAY_MS]
#
# Needs a PostgreSQL server reachable over TCP with trust (or PGPASSWORD) for PG_USER and the
# right to create a database; makes a throwaway database of synthetic items and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"; DELAY_MS="${2:-2}"
: "${PG_HOST:=localhost}" "${PG_PORT:=5432}" "${PG_USER:=postgres}"
# PROFILE=dev for a quick run without a release build (the round trips are the same).
if [ "${PROFILE:-release}" = dev ]; then
  cargo build -q --bin cutover-log; bin=target/debug/cutover-log
else
  cargo build -q --release --bin cutover-log; bin=target/release/cutover-log
fi
db="cutover_bench_rt_$$"
psql -q "host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=postgres" -c "CREATE DATABASE $db"
work="$(mktemp -d)"
cleanup() {
  [ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null || true
  psql -q "host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/proxy.py" <<'PY'
import asyncio, sys
listen, host, port, delay = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000
async def pipe(r, w):
    try:
        while data := await r.read(65536):
            await asyncio.sleep(delay)
            w.write(data)
            await w.drain()
    finally:
        w.close()
async def handle(cr, cw):
    sr, sw = await asyncio.open_connection(host, port)
    await asyncio.gather(pipe(cr, sw), pipe(sr, cw), return_exceptions=True)
async def main():
    async with await asyncio.start_server(handle, "127.0.0.1", listen) as srv:
        print("ready", flush=True)
        await srv.serve_forever()
asyncio.run(main())
PY
proxy_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$work/proxy.py" "$proxy_port" "$PG_HOST" "$PG_PORT" "$DELAY_MS" >"$work/proxy.log" 2>&1 &
proxy=$!
direct="host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=$db"
delayed="host=127.0.0.1 port=$proxy_port user=$PG_USER dbname=$db"
"$bin" --server "$direct" demo --items 10 >/dev/null
export CUTOVER_LOG_PASSWORD=demo-password
for _ in $(seq 50); do grep -q ready "$work/proxy.log" && break; sleep 0.1; done
time_saves() {
  local start end
  start=$(date +%s.%N)
  "$bin" --server "$1" --as "Alex Frontdesk" stress-log --count "$N" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
t0=$(time_saves "$direct")
t1=$(time_saves "$delayed")
rt_ms=$(echo "2 * $DELAY_MS" | bc -l)
printf 'direct:  %d saves in %.2f s (%.1f ms per save)\n' "$N" "$t0" "$(echo "1000 * $t0 / $N" | bc -l)"
printf 'delayed: %d saves in %.2f s (%.1f ms per save, %s ms per round trip)\n' "$N" "$t1" "$(echo "1000 * $t1 / $N" | bc -l)" "$rt_ms"
printf 'about %.1f round trips per save (the run includes connecting and signing in once)\n' \
  "$(echo "1000 * ($t1 - $t0) / $N / $rt_ms" | bc -l)"
