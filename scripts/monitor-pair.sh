#!/bin/bash
# One verify-against-monitor pair on a 1M ledger (monitor lane, docs/PERFORMANCE.md
# "Monitor lane (2026-12-08)"): `verify` of LEDGER, then `serve` of it and `monitor --once`
# into a fresh state over loopback, each under /usr/bin/time (the ratio is taken on CPU:
# verify's user+sys over the monitor's plus the server's).
# usage: monitor-pair.sh BIN DIR LABEL   (DIR holds ledger/, log.key and vkey, the log key granted)
BIN=$1; D=$2; L=$3; O=$(mktemp -d)
VKEY=$(cat "$D/vkey")
echo "== $L $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
nice -n 10 /usr/bin/time -f "verify wall %e user %U sys %S rss %MKB" "$BIN" --ledger "$D/ledger" verify --json >/dev/null 2>"$O/v.err"; tail -1 "$O/v.err"
nice -n 10 /usr/bin/time -f "server wall %e user %U sys %S rss %MKB" -o "$O/srv.time" "$BIN" --ledger "$D/ledger" serve --listen 127.0.0.1:0 --log-key "$D/log.key" > "$O/srv.out" 2>/dev/null &
SP=$!
for _ in $(seq 100); do grep -q http:// "$O/srv.out" 2>/dev/null && break; sleep 0.2; done
URL=$(grep -o 'http://[^ ]*' "$O/srv.out" | head -1)
nice -n 10 /usr/bin/time -f "monitor wall %e user %U sys %S rss %MKB" "$BIN" monitor "$URL" --vkey "$VKEY" --state "$O/state" --once --json --timeout 60 > "$O/m.out" 2>"$O/m.err"; tail -1 "$O/m.err"; cat "$O/m.out"
pkill -TERM -P "$SP"; wait "$SP"; cat "$O/srv.time"
rm -rf "$O"
