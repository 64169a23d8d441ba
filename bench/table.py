"""Renders bench/run.sh's results as the Markdown of bench/RESULTS.md."""
import json, os, platform, subprocess, sys, datetime

path, n, minimum, dp_secs, dp_sent, big, big_rss, conc, ma_ver = sys.argv[1:10]
n, minimum, big, big_rss = int(n), int(minimum), int(big), int(big_rss)
dp_secs, dp_sent = float(dp_secs or 0), int(dp_sent or 0)
rows = [json.loads(l) for l in open(path) if l.strip()]
by = {(r['workload'], r['impl']): r for r in rows}

def cmd(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return '?'

cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
out = []
p = out.append
p('# Benchmark results')
p('')
p(f'Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC by `bash bench/run.sh` on {os.cpu_count()} cores ({cpu}), '
  f'{cmd("go", "version")}, {cmd("knotd", "--version")}, mailauth {ma_ver}, '
  f'pyspf (Debian python3-spf), {cmd("dnsperf", "-h") if False else "dnsperf (Debian)"}.')
p(f'One world of {n:,} domains served by Knot on 127.0.0.1; every implementation at concurrency {conc}, same server, same run.')
p('Queries are counted by Knot (mod-stats), so every implementation is measured the same way.')
p('')
p('| workload | implementation | domains/s | wall (s) | queries received | peak RSS (MB) | results |')
p('|---|---|---:|---:|---:|---:|---|')
for r in rows:
    p(f"| {r['workload']} | {r['impl']} | {r['domains']/r['seconds']:.0f} | {r['seconds']:.2f} | {r.get('received', 0):,} | {r['rss_kb']/1024:.0f} | "
      + ', '.join(f'{k} {v}' for k, v in sorted(r['results'].items())) + ' |')
p('')
p('## Ratios')
p('')
def thr(k):
    r = by.get(k)
    return r['domains'] / r['seconds'] if r else None
dl = thr(('spf', 'domainlint'))
for peer, target in [('blitiri', None), ('mailauth', 3), ('pyspf', 10)]:
    t = thr(('spf', peer))
    if dl and t:
        tgt = f' (target ≥ {target}×)' if target else ''
        p(f'- SPF check_host throughput, domainlint / {peer}: **{dl/t:.1f}×**{tgt}')
dd, dm = thr(('dmarc', 'domainlint')), thr(('dmarc', 'mailauth'))
if dd and dm:
    p(f'- DMARC discovery throughput, domainlint / mailauth: **{dd/dm:.1f}×** (about the same queries; domainlint runs both the RFC 7489 and the RFC 9989 discovery and lints what it finds, mailauth runs RFC 7489 only)')
c = by.get(('check', 'domainlint'))
if c:
    p(f'- Full check: queries received / distinct questions needed: {c["received"]:,} / {minimum:,} = **{c["received"]/minimum:.3f}×** (target ≤ 1.05×)')
    if dp_secs:
        p(f'- Full check wall time / dnsperf replay of those {dp_sent:,} questions ({dp_secs:.2f} s): **{c["seconds"]/dp_secs:.2f}×** (target ≤ 2×)')
    if big and big_rss:
        p(f'- Peak RSS of the full check, N={big:,} / N={n:,}: {big_rss/1024:.0f} MB / {c["rss_kb"]/1024:.0f} MB = **{big_rss/c["rss_kb"]:.2f}×** (target ≤ 1.5×)')
print('\n'.join(out))
