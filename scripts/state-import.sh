#!/bin/bash
# The bench's six imports (crates/cli/src/bin/bench.rs, import_and_verify) and a verify,
# timed with /usr/bin/time (state lane, docs/PERFORMANCE.md "Record (state lane)").
# usage: state-import.sh BIN DATA_DIR OUT_LEDGER -> prints import seconds, peak RSS KB, verify seconds, verify RSS
B=$1; D=$2; L=$3
rm -rf $L
$B --ledger $L init --origin bench.example/ledger --admin-key $D/admin.key >/dev/null
$B --ledger $L key grant --key $D/admin.key --public-from $D/dep.key --role depositary --holder dep >/dev/null
$B --ledger $L key grant --key $D/admin.key --public-from $D/rec.key --role recorder --holder rec >/dev/null
total=0; rss=0
for kk in members:rec supporters:dep holidays:rec vetoes:rec votes:rec meetings:rec; do
  kind=${kk%%:*}; k=${kk##*:}
  out=$( { /usr/bin/time -f "%e %M" $B --ledger $L import $kind $D/$kind.csv --key $D/$k.key --json >/dev/null; } 2>&1 | tail -1)
  s=${out% *}; m=${out#* }
  total=$(echo "$total + $s" | bc); [ $m -gt $rss ] && rss=$m
done
vout=$( { /usr/bin/time -f "%e %M" $B --ledger $L verify --json >/dev/null; } 2>&1 | tail -1)
echo "import ${total}s rssKB $rss verify $vout"
