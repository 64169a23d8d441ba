#!/usr/bin/env bash
# Rerunnable benchmark: domainlint side by side with its peers, on one
# synthetic world served by Knot DNS on 127.0.0.1, in one run.
#   bash bench/run.sh            N=10000 domains, and N=100000 for the RSS check
#   N=2000 BIG=0 bash bench/run.sh   a quick run
# Installs what it needs (Debian: knot, dnsperf, python3-spf,
# python3-dnspython, nodejs, npm; npm: mailauth), prints a table and writes
# it to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's packages install into Debian's Python, which may not be first on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
N=${N:-10000}
BIG=${BIG:-100000}
C=${C:-64}
work=$(mktemp -d /tmp/domainlint-bench.XXXXXX)
trap 'kill "$(cat "$work/knot.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

need=()
command -v knotd >/dev/null || need+=(knot)
command -v dnsperf >/dev/null || need+=(dnsperf)
"$PY" -c 'import spf, dns.resolver' 2>/dev/null || need+=(python3-spf python3-dnspython)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -d bench/.node/node_modules/mailauth ]; then
  mkdir -p bench/.node && (cd bench/.node && npm install --silent --no-audit --no-fund mailauth >/dev/null)
fi
mailauth_version=$(node -p "require('./bench/.node/node_modules/mailauth/package.json').version")

go build -o "$work/bench" ./bench

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
server="127.0.0.1:$port"

start_knot() { # $1: world folder
  local w=$1
  cat > "$work/knot.conf" <<CONF
server:
    rundir: "$work"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
control:
    listen: "$work/knot.sock"
database:
    storage: "$work"
log:
  - target: stderr
    any: error
mod-stats:
  - id: default
    request-protocol: on
template:
  - id: default
    storage: "$w"
    zonefile-sync: -1
    journal-content: none
    global-module: mod-stats/default
zone:
  - domain: test.
    file: "$w/test.zone"
  - domain: dkim.example.
    file: "$w/dkim.example.zone"
  - domain: example.
    file: "$w/example.zone"
CONF
  knotd -c "$work/knot.conf" 2>"$work/knot.log" &
  echo $! > "$work/knot.pid"
  for _ in $(seq 1 600); do
    if knotc -c "$work/knot.conf" zone-status test. 2>/dev/null | grep -q serial; then
      dig_ok=$("$PY" - "$port" <<'PY'
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ['127.0.0.1']; r.port = int(sys.argv[1])
try:
    r.resolve('_spf1.prov00.test', 'TXT'); print('ok')
except Exception as e:
    print('no')
PY
)
      [ "$dig_ok" = ok ] && return 0
    fi
    sleep 0.2
  done
  echo "knotd did not start:"; cat "$work/knot.log"; exit 1
}

stop_knot() { local pid; pid=$(cat "$work/knot.pid" 2>/dev/null) || return 0; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$work/knot.pid"; }

# Queries Knot received so far (UDP and TCP).
received() {
  knotc -c "$work/knot.conf" stats mod-stats 2>/dev/null | awk -F'= ' '/request-protocol/ {s+=$2} END {print s+0}'
}

results="$work/results.jsonl"
: > "$results"
measure() { # workload impl command...
  local wl=$1 impl=$2; shift 2
  local before after line
  before=$(received)
  line=$("$@")
  after=$(received)
  echo "$line" | "$PY" -c "
import json,sys
r=json.loads(sys.stdin.read()); r['received']=$after-$before; r['workload']='$wl'; r['impl']='$impl'
print(json.dumps(r))" >> "$results"
  tail -1 "$results" >&2
}

world="$work/world"
"$work/bench" gen -n "$N" -out "$world"
start_knot "$world"
D="$world/domains.txt"

# a. SPF check_host for every domain, one fixed client IP.
measure spf domainlint "$work/bench" run -workload spf -impl domainlint -server "$server" -domains "$D" -c "$C"
measure spf blitiri    "$work/bench" run -workload spf -impl blitiri -server "$server" -domains "$D" -c "$C"
measure spf mailauth   node bench/peers/mailauth.js spf "$port" "$D" "$C" "$mailauth_version"
measure spf pyspf      "$PY" bench/peers/pyspf.py "$port" "$D" "$C"
# b. DMARC record discovery.
measure dmarc domainlint "$work/bench" run -workload dmarc -impl domainlint -server "$server" -domains "$D" -c "$C"
measure dmarc mailauth   node bench/peers/mailauth.js dmarc "$port" "$D" "$C" "$mailauth_version"
# c. The full check, against the minimum and the dnsperf replay of it.
measure check domainlint "$work/bench" run -workload check -impl domainlint -server "$server" -domains "$D" -c "$C"
minimum=$(wc -l < "$world/questions.txt")
dnsperf -s 127.0.0.1 -p "$port" -d "$world/questions.txt" -c "$C" -q "$C" -n 1 -t 5 > "$work/dnsperf.txt" 2>&1 || true
dnsperf_secs=$(awk '/Run time \(s\)/ {print $4}' "$work/dnsperf.txt")
dnsperf_sent=$(awk '/Queries sent/ {print $3}' "$work/dnsperf.txt")
stop_knot

big_rss=0
if [ "$BIG" -gt 0 ]; then
  "$work/bench" gen -n "$BIG" -out "$work/big"
  start_knot "$work/big"
  line=$("$work/bench" run -workload check -impl domainlint -server "$server" -domains "$work/big/domains.txt" -c "$C")
  echo "$line" >&2
  big_rss=$(echo "$line" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rss_kb"])')
  stop_knot
fi

"$PY" bench/table.py "$results" "$N" "$minimum" "${dnsperf_secs:-0}" "${dnsperf_sent:-0}" "$BIG" "$big_rss" "$C" "$mailauth_version" | tee bench/RESULTS.md
