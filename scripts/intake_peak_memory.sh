#!/usr/bin/env bash
# Peak resident memory of a served demo while one large CDR CSV is posted (issue 11 #7).
# Usage: scripts/intake_peak_memory.sh ./target/release/tollgate 18401 big.csv
# (big.csv from `tollgate generate cdrs --count 760000 --out big.csv`; its `ba_bench` account
# is replaced by the demo's Acme Dental HQ). Everything stays on 127.0.0.1.
set -euo pipefail
bin=$1; port=$2; csv=$3; data=$(mktemp -d)
$bin serve --demo --listen 127.0.0.1:$port --data-dir "$data" > "$data/log" 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:$port/healthz >/dev/null 2>&1 && break; sleep 0.5; done
op=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['operator'])" "$data/demo-tokens.json")
hq=$(curl -fsS -H "Authorization: Bearer $op" "http://127.0.0.1:$port/v1/billing-accounts?limit=100" | python3 -c "import json,sys;print([b['id'] for b in json.load(sys.stdin)['items'] if b['name']=='Acme Dental HQ'][0])")
sed "s/ba_bench/$hq/" "$csv" > "$data/big.csv"
before=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
start=$(date +%s.%N)
code=$(curl -s -o "$data/resp" -w '%{http_code}' -H "Authorization: Bearer $op" -H 'content-type: text/csv' --data-binary @"$data/big.csv" "http://127.0.0.1:$port/v1/cdrs")
end=$(date +%s.%N)
peak=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
echo "$(basename $bin): HTTP $code, $(stat -c %s "$data/big.csv") bytes in $(python3 -c "print(round($end-$start,1))") s, RSS before $((before/1024)) MiB, peak $((peak/1024)) MiB; $(python3 -c "import json;r=json.load(open('$data/resp'));print('received',r.get('received'),'inserted',r.get('inserted'),'rejected',r.get('rejected'))" 2>/dev/null || head -c 200 "$data/resp")"
