#!/usr/bin/env bash
# Login timing: wrong password for existing e-mails vs unknown e-mails (issue 11 #4).
# Usage: scripts/login_timing.sh ./target/release/tollgate (serves the demo on 127.0.0.1:18383).
set -euo pipefail
bin=$1; port=18383; data=$(mktemp -d)
$bin serve --demo --listen 127.0.0.1:$port --data-dir "$data" > "$data/log" 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:$port/healthz >/dev/null 2>&1 && break; sleep 0.5; done
t() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"wrong-password-1\"}" http://127.0.0.1:$port/auth/login; }
echo "existing e-mail, wrong password:"; for e in ops@demo-telecom.test admin@northwind.test admin@bronzebay.test admin@acme-dental.test admin@bayview-bakery.test; do for i in 1 2 3 4; do t $e; done; done > "$data/known"
echo "unknown e-mail:"; for i in $(seq 1 20); do t "nobody$i@example.test"; done > "$data/unknown"
for f in known unknown; do python3 - "$data/$f" "$f" <<'PY'
import sys, statistics
rows=[l.split() for l in open(sys.argv[1])]
codes=sorted(set(r[0] for r in rows)); ms=sorted(float(r[1])*1000 for r in rows)
print(f"{sys.argv[2]:>8}: n={len(ms)} codes={codes} min={ms[0]:.1f} ms median={statistics.median(ms):.1f} ms max={ms[-1]:.1f} ms")
PY
done
