#!/bin/bash
# A hand A/B of "a new event noticed" (monitor lane, docs/PERFORMANCE.md): serve DIR's
# ledger, catch a monitor up, run `monitor --interval 0 --json`, then N appends (recorder key,
# drafts S/2042/START..), each after 100-140 ms of quiet and published by POST /checkpoint;
# prints the ms from that answer to the monitor's line naming the new size (polled every 2 ms).
# usage: monitor-latency.sh BIN DIR LABEL START N   (DIR: ledger/, log.key, rec.key, vkey)
BIN=$1; D=$2; L=$3; S=$4; N=$5; O=$(mktemp -d)
VKEY=$(cat "$D/vkey")
"$BIN" --ledger "$D/ledger" serve --listen 127.0.0.1:0 --log-key "$D/log.key" > "$O/srv.out" 2>/dev/null &
SP=$!
for _ in $(seq 100); do grep -q http:// "$O/srv.out" 2>/dev/null && break; sleep 0.2; done
URL=$(grep -o 'http://[^ ]*' "$O/srv.out" | head -1)
"$BIN" monitor "$URL" --vkey "$VKEY" --state "$O/state" --once --json >/dev/null 2>&1
"$BIN" monitor "$URL" --vkey "$VKEY" --state "$O/state" --interval 0 --json > "$O/m.out" 2>/dev/null &
MP=$!
sleep 1
for i in $(seq "$S" $((S + N - 1))); do
  sleep 0.1$((i % 5))
  "$BIN" record --remote "$URL" --key "$D/rec.key" draft --draft "S/2042/$i" --subject lat --source lat >/dev/null 2>&1
  size=$(curl -s -X POST "$URL/checkpoint" | sed -n 2p)
  t0=$(date +%s%N)
  while ! grep -q "\"size\":$size," "$O/m.out"; do sleep 0.002; done
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
done > "$O/lat.txt"
kill "$MP"; wait "$MP" 2>/dev/null
pkill -TERM -P "$SP" 2>/dev/null; kill -TERM "$SP" 2>/dev/null; wait "$SP" 2>/dev/null
sort -n "$O/lat.txt" | awk '{a[NR]=$1} END {print "'"$L"' n="NR" p50="a[int(NR*0.5+0.5)]" max="a[NR]}'
rm -rf "$O"
