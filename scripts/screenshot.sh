#!/usr/bin/env bash
# Regenerates docs/report.png, the README's screenshot of the HTML report: builds the demo
# ledger from the embedded data, signs a checkpoint, exports the page and has headless
# Chromium render its top. Needs chromium (Debian: apt-get install chromium).
#
#   scripts/screenshot.sh                 # docs/report.png, 1280x1500
#   HEIGHT=11000 OUT=/tmp/full.png scripts/screenshot.sh   # the whole page
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$chromium" ]; then
  echo "chromium not found: apt-get install chromium (or set CHROMIUM=/path/to/chrome)" >&2
  exit 2
fi
out=${OUT:-$PWD/docs/report.png}
height=${HEIGHT:-1500}

cargo build --release --quiet -p actledger
bin=$PWD/target/release/actledger
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" demo --ledger "$work/ledger" >/dev/null
"$bin" --ledger "$work/ledger" checkpoint --key "$work/ledger/keys/log.key" >/dev/null
"$bin" --ledger "$work/ledger" export html --out "$work/report.html"

# --no-sandbox: Chromium refuses to run as root without it; the page is a local file with no script.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --window-size="1280,$height" \
  --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out"
