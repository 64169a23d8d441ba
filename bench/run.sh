#!/usr/bin/env bash
# Rerunnable benchmark: domainlint side by side with its peers and with the
# DNS limit (a dnsperf replay of each workload's own questions), on one
# synthetic world, in one run, in two topologies:
#   direct   every implementation asks Knot DNS on 127.0.0.1 (the
#            authoritative server) itself;
#   unbound  every implementation asks Unbound, a recursive resolver on
#            127.0.0.1, as a scanner would; Unbound starts from a root on
#            127.0.53.1:53 (Knot, zone ".") that delegates test. and
#            example. to the world's Knot on 127.0.53.2:53. Cold (flushed
#            before each row) and warm (holding the providers). Nothing
#            leaves 127.0.0.0/8.
# Each row checks a prefix of the world's domains sized to run for at
# least 5 s. Then the latency of one domain (a live check, cold, through
# an Unbound whose every upstream query is held 30 ms), and the memory
# check: the full check streamed (domains read from a file, each report
# written as a JSON line as it completes) at 10,000 and at BIG domains.
#   bash bench/run.sh                 the whole run (BIG=1000000)
#   QUICK=1 BIG=0 bash bench/run.sh   every row on a tenth of its domains, no memory check
#   UNBOUND=0 bash bench/run.sh       without the Unbound topologies and the latency row
# Installs what it needs (Debian: knot, knot-dnsutils, unbound, dnsperf,
# python3-spf, python3-dnspython, nodejs, npm; npm: mailauth), prints a
# table and writes it to bench/RESULTS.md. Binding port 53 on 127.0.53.x
# needs root (or CAP_NET_BIND_SERVICE), as installing does.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's packages install into Debian's Python, which may not be first on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
BIG=${BIG:-1000000}
QUICK=${QUICK:-0}
# The world: as many domains as the largest row checks.
WORLD=300000
[ "$QUICK" = 1 ] && WORLD=30000
N=10000 # the memory check's small run
C=${C:-64}
UNBOUND=${UNBOUND:-1}
work=$(mktemp -d /tmp/domainlint-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

need=()
command -v knotd >/dev/null || need+=(knot)
command -v knotc >/dev/null || need+=(knot)
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v unbound >/dev/null || need+=(unbound)
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

freeport() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)
server="127.0.0.1:$port"

# ask PORT NAME TYPE [ADDR]: succeeds when the server gives an answer.
ask() {
  "$PY" - "$@" <<'PY'
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = [sys.argv[4] if len(sys.argv) > 4 else '127.0.0.1']; r.port = int(sys.argv[1])
r.lifetime = 2
try:
    r.resolve(sys.argv[2], sys.argv[3]); print('ok')
except Exception:
    print('no')
PY
}

# start_knot NAME CONF_BODY: runs knotd with the server/zone config given.
start_knot() {
  local name=$1 body=$2
  mkdir -p "$work/$name"
  cat > "$work/$name/knot.conf" <<CONF
control:
    listen: "$work/$name/knot.sock"
database:
    storage: "$work/$name"
log:
  - target: stderr
    any: error
mod-stats:
  - id: default
    request-protocol: on
$body
CONF
  knotd -c "$work/$name/knot.conf" 2>"$work/$name/knot.log" &
  pids+=($!)
  echo $! > "$work/$name/pid"
}

stop_knot() { # NAME
  local pid; pid=$(cat "$work/$1/pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$work/$1/pid"
}

# world WORLD_DIR: Knot with the world's zones on 127.0.0.1:$port (the
# direct topology) and on 127.0.53.2:53 (behind the root, for Unbound).
start_world() {
  local w=$1 listen="[ 127.0.0.1@$port ]"
  [ "$UNBOUND" = 1 ] && listen="[ 127.0.0.1@$port, 127.0.53.2@53 ]"
  start_knot world "server:
    rundir: \"$work/world\"
    listen: $listen
    udp-workers: 1
    tcp-workers: 1
template:
  - id: default
    storage: \"$w\"
    zonefile-sync: -1
    journal-content: none
    global-module: mod-stats/default
zone:
  - domain: .
    file: \"$w/root.zone\"
  - domain: test.
    file: \"$w/test.zone\"
  - domain: dkim.example.
    file: \"$w/dkim.example.zone\"
  - domain: example.
    file: \"$w/example.zone\""
  for _ in $(seq 1 3000); do
    [ "$(ask "$port" _spf1.prov00.test TXT)" = ok ] && return 0
    kill -0 "$(cat "$work/world/pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "knotd did not start:"; cat "$work/world/knot.log"; exit 1
}

# Queries Knot received so far (UDP and TCP).
received() {
  knotc -c "$work/world/knot.conf" stats mod-stats 2>/dev/null | awk -F'= ' '/request-protocol/ {s+=$2} END {print s+0}'
}

results="$work/results.jsonl"
: > "$results"
# measure TOPOLOGY WORKLOAD IMPL COMMAND...: runs one implementation, adds
# the queries its server received to its JSON line.
measure() {
  local topo=$1 wl=$2 impl=$3; shift 3
  local before after line
  cold_"$topo"
  before=$(count_"$topo")
  line=$("$@")
  after=$(count_"$topo")
  echo "$line" | "$PY" -c "
import json,sys
r=json.loads(sys.stdin.read()); r['received']=$after-$before; r['workload']='$wl'; r['impl']='$impl'; r['topology']='$topo'
print(json.dumps(r))" >> "$results"
  tail -1 "$results" >&2
}
count_direct() { received; }

world="$work/world-zones"
"$work/bench" gen -n "$WORLD" -out "$world"
start_world "$world"
# dom K: a file of the world's first K domains (a tenth with QUICK=1).
dom() {
  local k=$1
  [ "$QUICK" = 1 ] && k=$((k / 10))
  [ -f "$world/d$k.txt" ] || head -n "$k" "$world/domains.txt" > "$world/d$k.txt"
  echo "$world/d$k.txt"
}
# dom_after K: the K domains after the first K (to warm a resolver with).
dom_after() {
  local k=$1
  [ "$QUICK" = 1 ] && k=$((k / 10))
  [ -f "$world/a$k.txt" ] || sed -n "$((k + 1)),$((2 * k))p" "$world/domains.txt" > "$world/a$k.txt"
  echo "$world/a$k.txt"
}
# asked TOPO WORKLOAD IMPL FILE PORT: an untimed pass recording the distinct
# questions the workload asks, for its dnsperf replay (the DNS limit).
asked() {
  local out="$work/asked-$1-$2-$3.txt"
  cold_"$1"
  "$work/bench" run -workload "$2" -impl "$3" -server "127.0.0.1:$5" -domains "$4" -c "$C" -asked "$out" >/dev/null
  echo "$out"
}
# replay TOPO WORKLOAD PORT QUESTIONS: dnsperf replays the questions once,
# at the workload's concurrency, from a cold resolver.
replay() {
  cold_"$1"
  dnsperf -s 127.0.0.1 -p "$3" -d "$4" -c "$C" -q "$C" -n 1 -t 5 > "$work/dnsperf.txt" 2>&1 || true
  "$PY" - "$work/dnsperf.txt" "$1" "$2" "$(wc -l < "$4")" >> "$results" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
g = lambda pat: (re.search(pat, t) or [None, '0'])[1]
print(json.dumps({'topology': sys.argv[2], 'workload': 'dnsperf', 'of': sys.argv[3], 'distinct': int(sys.argv[4]),
                  'secs': float(g(r'Run time \(s\):\s+([\d.]+)')),
                  'sent': int(g(r'Queries sent:\s+(\d+)')), 'completed': int(g(r'Queries completed:\s+(\d+)'))}))
PY
  tail -1 "$results" >&2
}

# peers TOPOLOGY PORT: the table's rows against the server on PORT. Row
# sizes run each row for 5 s or more on 2 cores.
peers() {
  local topo=$1 p=$2 srv="127.0.0.1:$2" q
  # Domains per row: spf, spf peers, pyspf, spf-engine, dmarc (lint),
  # dmarc peers and discovery, check — each row 5 s or more on 2 cores.
  local n_spf=300000 n_peer=30000 n_py=10000 n_eng=60000 n_dmarc=300000 n_disc=300000 n_check=30000
  if [ "$topo" = unbound ]; then
    n_spf=100000 n_peer=30000 n_py=10000 n_eng=60000 n_dmarc=30000 n_disc=100000 n_check=20000
  fi
  # a. SPF check_host for every domain, one fixed client IP.
  measure "$topo" spf domainlint "$work/bench" run -workload spf -impl domainlint -server "$srv" -domains "$(dom $n_spf)" -c "$C"
  q=$(asked "$topo" spf domainlint "$(dom $n_spf)" "$p"); replay "$topo" spf "$p" "$q"
  measure "$topo" spf blitiri    "$work/bench" run -workload spf -impl blitiri -server "$srv" -domains "$(dom $n_peer)" -c "$C"
  measure "$topo" spf mailauth   node bench/peers/mailauth.js spf "$p" "$(dom $n_peer)" "$C" "$mailauth_version"
  measure "$topo" spf pyspf      "$PY" bench/peers/pyspf.py "$p" "$(dom $n_py)" "$C"
  # a'. The engine alone: each domain its own cache, side by side with blitiri.
  measure "$topo" spf-engine domainlint "$work/bench" run -workload spf-engine -impl domainlint -server "$srv" -domains "$(dom $n_eng)" -c "$C"
  measure "$topo" spf-engine blitiri    "$work/bench" run -workload spf-engine -impl blitiri -server "$srv" -domains "$(dom $n_eng)" -c "$C"
  # b. DMARC record discovery.
  measure "$topo" dmarc domainlint "$work/bench" run -workload dmarc -impl domainlint -server "$srv" -domains "$(dom $n_dmarc)" -c "$C"
  measure "$topo" dmarc mailauth   node bench/peers/mailauth.js dmarc "$p" "$(dom $n_disc)" "$C" "$mailauth_version"
  measure "$topo" dmarc discover   "$work/bench" run -workload dmarc -impl discover -server "$srv" -domains "$(dom $n_disc)" -c "$C"
  q=$(asked "$topo" dmarc discover "$(dom $n_disc)" "$p"); replay "$topo" dmarc-discover "$p" "$q"
  # c. The full check, and the dnsperf replay of the questions it asks.
  q=$(asked "$topo" check domainlint "$(dom $n_check)" "$p")
  measure "$topo" check domainlint "$work/bench" run -workload check -impl domainlint -server "$srv" -domains "$(dom $n_check)" -c "$C"
  replay "$topo" check "$p" "$q"
  if [ "$topo" = unbound ]; then
    # d. Warm: the resolver already holds the providers (and the root and
    # TLDs), as one shared with other users would — warmed by checking
    # other domains of the same world first.
    "$work/bench" run -workload check -impl domainlint -server "$srv" -domains "$(dom_after $n_check)" -c "$C" >/dev/null
    cold_unbound() { :; }
    measure "$topo" check-warm domainlint "$work/bench" run -workload check -impl domainlint -server "$srv" -domains "$(dom $n_check)" -c "$C"
    cold_unbound() { uctl reload >/dev/null; }
  fi
}
cold_direct() { :; }
uctl() { unbound-control -c "$work/unbound/unbound.conf" "$@"; }
# Through Unbound every implementation starts from a cold cache (reloading
# flushes it), and its queries are counted by Unbound.
cold_unbound() { uctl reload >/dev/null; }
count_unbound() { uctl stats_noreset | awk -F= '$1=="total.num.queries" {print $2}'; }

# start_unbound DIR PORT: runs Unbound with DIR/unbound.conf (written by
# unbound_conf), logging to DIR/unbound.log, and waits up to 20 s for it
# to answer for the world.
start_unbound() {
  unbound -d -c "$1/unbound.conf" 2>"$1/unbound.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    [ "$(ask "$2" _spf1.prov00.test TXT)" = ok ] && break
    sleep 0.2
  done
}

# unbound_conf DIR PORT: an Unbound configuration (one thread, iterator
# only, on 127.0.0.1:PORT, controlled through DIR/unbound.ctl) with the
# server options that follow on stdin, written to DIR/unbound.conf.
unbound_conf() {
  mkdir -p "$1"
  { cat <<CONF
server:
    interface: 127.0.0.1
    port: $2
    outgoing-interface: 127.0.0.1
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$1"
    pidfile: "$1/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 0
    num-threads: 1
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "iterator"
    local-zone: "test." nodefault
remote-control:
    control-enable: yes
    control-interface: "$1/unbound.ctl"
    control-use-cert: no
CONF
    cat; } > "$1/unbound.conf"
}

peers direct "$port"

if [ "$UNBOUND" = 1 ]; then
  # The root: Knot serving "." on 127.0.53.1:53.
  start_knot root "server:
    rundir: \"$work/root\"
    listen: 127.0.53.1@53
    udp-workers: 1
    tcp-workers: 1
template:
  - id: default
    storage: \"$world\"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: .
    file: \"$world/root.zone\""
  uport=$(freeport)
  unbound_conf "$work/unbound" "$uport" <<CONF
server:
    root-hints: "$world/root.hints"
    msg-cache-size: 256m
    rrset-cache-size: 512m
    num-queries-per-thread: 4096
    outgoing-range: 8192
CONF
  start_unbound "$work/unbound" "$uport"
  [ "$(ask "$uport" s1-d000000-test.dkim.example TXT)" = ok ] || { echo "unbound does not resolve the world:"; cat "$work/unbound/unbound.log"; exit 1; }
  peers unbound "$uport"
  stop_knot root
  kill "${pids[-1]}" 2>/dev/null || true
fi

# Latency of one domain: a live check, cold, through an Unbound that
# forwards every query to a proxy holding it 30 ms before it reaches Knot
# (a resolver whose upstream servers are 30 ms away). The bench reports
# each domain's wall time beside its critical path: the longest chain of
# the check's questions each asking for a name an earlier answer gave,
# weighed by the upstream queries a cold resolver sends for it.
if [ "$UNBOUND" = 1 ]; then
  dport=$(freeport)
  "$work/bench" delay -listen "127.0.0.1:$dport" -upstream "$server" -delay 30ms &
  pids+=($!)
  lport=$(freeport)
  unbound_conf "$work/slow" "$lport" <<CONF
server:
    qname-minimisation: no
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$dport
CONF
  start_unbound "$work/slow" "$lport"
  head -n 20 "$world/domains.txt" > "$work/latency.txt"
  line=$("$work/bench" run -workload latency -impl domainlint -server "127.0.0.1:$lport" -domains "$work/latency.txt" \
    -flush "unbound-control -c $work/slow/unbound.conf reload >/dev/null" -delay 30ms)
  echo "$line" | "$PY" -c "
import json,sys
r=json.loads(sys.stdin.read()); r['topology']='unbound+30ms'
print(json.dumps(r))" >> "$results"
  tail -1 "$results" >&2
fi

# The memory check: the full check streamed, at N and at BIG.
stream() { # DOMAINS_FILE
  local line
  line=$("$work/bench" run -workload check -impl domainlint -server "$server" -domains "$1" -c "$C" -out /dev/null)
  echo "$line" | "$PY" -c "
import json,sys
r=json.loads(sys.stdin.read()); r['workload']='check-stream'; r['impl']='domainlint'; r['topology']='direct'
print(json.dumps(r))" >> "$results"
  tail -1 "$results" >&2
}
if [ "$BIG" -gt 0 ]; then
  head -n "$N" "$world/domains.txt" > "$work/stream-small.txt"
  stream "$work/stream-small.txt"
  stop_knot world
  rm -rf "$world"
  "$work/bench" gen -n "$BIG" -out "$work/big"
  start_world "$work/big"
  stream "$work/big/domains.txt"
  stop_knot world
fi

"$PY" bench/table.py "$results" "$WORLD" "$C" "$mailauth_version" | tee bench/RESULTS.md
