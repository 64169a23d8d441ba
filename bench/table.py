"""Renders bench/run.sh's results as the Markdown of bench/RESULTS.md."""
import json, os, platform, subprocess, sys, datetime

path, world, conc, ma_ver = sys.argv[1:5]
world = int(world)
rows = [json.loads(l) for l in open(path) if l.strip()]
by = {(r.get('topology'), r['workload'], r.get('impl') or r.get('of')): r for r in rows}


def cmd(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return '?'


def unbound_version():
    try:
        out = subprocess.run(['unbound', '-V'], capture_output=True, text=True).stdout
        return next(l for l in out.splitlines() if l.startswith('Version')).replace('Version', 'Unbound').strip()
    except Exception:
        return 'Unbound'


cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
load = os.getloadavg()[0]
topos = [t for t in ('direct', 'unbound') if any(r.get('topology') == t and r['workload'] != 'check-stream' for r in rows)]
out = []
p = out.append
p('# Benchmark results')
p('')
p(f'Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bash bench/run.sh` on {os.cpu_count()} cores ({cpu}), '
  f'{cmd("go", "version")}, {cmd("knotd", "--version")}, {unbound_version()}, mailauth {ma_ver}, '
  f'pyspf (Debian python3-spf), dnsperf (Debian).')
p(f'One world of {world:,} domains; every implementation at concurrency {conc}, in one run; each row checks the first K domains of the world, '
  'K chosen for the row to run 5 s or more (the domains column). '
  f'Load average at the end of the run: {load:.1f} — the 2 cores are shared with the servers (Knot, Unbound) and with anything else running, '
  'so absolute numbers are noisy; the ratios compare rows run minutes apart on the same machine.')
p('')
p('Topologies:')
p('')
p('- **direct**: every implementation asks Knot (the authoritative server, one UDP worker) on 127.0.0.1. Queries are counted by Knot (mod-stats).')
p('- **unbound**: every implementation asks Unbound (one thread, iterator only) on 127.0.0.1, as a scanner would. '
  'Unbound starts from a root (Knot serving "." on 127.0.53.1:53) that delegates test. and example. to the world\'s Knot on 127.0.53.2:53; '
  'it is reloaded (its cache flushed) before each row, so every row starts cold — except **check-warm**, run after checking as many other domains '
  'of the world (so Unbound holds the root, the TLDs and the providers every domain includes, as a resolver shared with other users would). Queries are counted by Unbound.')
p('- **unbound+30ms**: one domain at a time, cold, through an Unbound forwarding every query to a proxy that holds it 30 ms before it reaches Knot '
  '(upstream servers 30 ms away): what an admin waits for.')
p('')
p('Workloads: **spf** is check_host for every domain (domainlint: one shared Client, so one cache for the sweep); '
  '**spf-engine** is the same with the shared cache off — every domain gets a Client of its own (its own cache and socket) — '
  'side by side with blitiri, which has no cache; **dmarc** is DMARC record discovery (domainlint: dmarc.Lookup, which lints too; discover: dmarc.Discover alone); '
  '**check** is the full check — every default check: SPF lint, DMARC, DKIM (selector1, selector2), MX, DNSSEC, DANE, MTA-STS, TLS-RPT and BIMI records '
  '(no HTTPS fetches), parked-domain grading — of every domain through check.Scan; '
  '**dnsperf replay of W** replays the distinct questions workload W asked for the same domains (recorded by an untimed pass first): '
  'the DNS limit of that workload, the time the server needs to answer them; '
  '**check-stream** is the full check with the domains streamed from a file and every report written as a JSON line as it completes.')
p('')
p('| topology | workload | implementation | domains | domains/s | wall (s) | CPU (s) | queries received | peak RSS (MB) | results |')
p('|---|---|---|---:|---:|---:|---:|---:|---:|---|')
for r in rows:
    if r['workload'] == 'latency':
        continue
    if r['workload'] == 'dnsperf':
        p(f"| {r['topology']} | dnsperf replay of {r['of']} | dnsperf |  | {r['sent']/r['secs'] if r['secs'] else 0:,.0f} q/s | {r['secs']:.2f} |  | {r['sent']:,} sent |  | {r['completed']:,} completed |")
        continue
    cpu_s = f"{r['cpu_s']:.2f}" if 'cpu_s' in r else ''
    recv = f"{r['received']:,}" if 'received' in r else (f"{r['sent']:,} sent" if r.get('sent', -1) >= 0 else '')
    p(f"| {r.get('topology', '')} | {r['workload']} | {r['impl']} | {r['domains']:,} | {r['domains']/r['seconds']:.0f} | {r['seconds']:.2f} | {cpu_s} | {recv} | {r['rss_kb']/1024:.0f} | "
      + ', '.join(f'{k} {v}' for k, v in sorted(r['results'].items())) + ' |')
p('')


def thr(t, w, i):
    r = by.get((t, w, i))
    return r['domains'] / r['seconds'] if r else None


for t in topos:
    p(f'## Ratios, {t}')
    p('')
    dl = thr(t, 'spf', 'domainlint')
    for peer, target in [('blitiri', None), ('mailauth', 3), ('pyspf', 10)]:
        x = thr(t, 'spf', peer)
        if dl and x:
            tgt = f' (target ≥ {target}×)' if target else ''
            p(f'- SPF check_host throughput, domainlint / {peer}: **{dl/x:.1f}×**{tgt}')
    de, be = thr(t, 'spf-engine', 'domainlint'), thr(t, 'spf-engine', 'blitiri')
    if de and be:
        p(f'- SPF engine only (no shared cache), domainlint / blitiri: **{de/be:.1f}×** (target ≥ 2×)')
    dd, dm = thr(t, 'dmarc', 'domainlint'), thr(t, 'dmarc', 'mailauth')
    if dd and dm:
        rd, rm = by[(t, 'dmarc', 'domainlint')], by[(t, 'dmarc', 'mailauth')]
        p(f'- DMARC discovery throughput, domainlint / mailauth: **{dd/dm:.1f}×** (target ≥ 2×). Not the same work: dmarc.Lookup runs both the RFC 7489 and the RFC 9989 discovery '
          f'and lints what it finds, asking {rd["received"]/rd["domains"]:.2f} questions per domain (the _dmarc names, and for the lint the domain\'s own TXT records — '
          f'dmarc.misplaced — and the report destinations\' MX — dmarc.rua-no-mx); mailauth runs RFC 7489 discovery only, {rm["received"]/rm["domains"]:.2f} per domain. '
          f'Per question: domainlint {rd["received"]/rd["seconds"]:,.0f}/s, mailauth {rm["received"]/rm["seconds"]:,.0f}/s.')
    dx = thr(t, 'dmarc', 'discover')
    if dx and dm:
        rx, rm = by[(t, 'dmarc', 'discover')], by[(t, 'dmarc', 'mailauth')]
        p(f'- DMARC discovery alone (dmarc.Discover: both algorithms, no lint), domainlint / mailauth: **{dx/dm:.1f}×** (target ≥ 2×); '
          f'{rx["received"]/rx["domains"]:.2f} questions per domain against mailauth\'s {rm["received"]/rm["domains"]:.2f}.')
    for w, impl, label in [('spf', 'domainlint', 'SPF check_host (shared cache)'), ('dmarc-discover', 'discover', 'DMARC discovery (dmarc.Discover)'), ('check', 'domainlint', 'Full check')]:
        wr, dp = by.get((t, w.replace('-discover', ''), impl)), by.get((t, 'dnsperf', w))
        if wr and dp and dp['secs']:
            tgt = ' (target ≤ 1.25×)' if t == 'direct' else ''
            p(f'- {label} wall time / dnsperf replay of its {dp["distinct"]:,} distinct questions ({wr["seconds"]:.2f} s / {dp["secs"]:.2f} s): '
              f'**{wr["seconds"]/dp["secs"]:.2f}×**{tgt}; CPU {wr.get("cpu_s", 0):.2f} s for {wr["domains"]:,} domains')
    c, dp = by.get((t, 'check', 'domainlint')), by.get((t, 'dnsperf', 'check'))
    if c and dp:
        note = ''
        if t == 'unbound':
            note = (' — below 1 because Unbound follows the DKIM selectors\' CNAMEs into dkim.example. itself and returns the whole chain, '
                    'so the client never asks for the targets, which it must ask Knot for directly')
        p(f'- Full check: queries received / distinct questions asked: {c["received"]:,} / {dp["distinct"]:,} = **{c["received"]/dp["distinct"]:.3f}×** (target ≤ 1.05×){note}')
    cw = by.get((t, 'check-warm', 'domainlint'))
    if c and cw:
        p(f'- Full check through a warm Unbound / cold: {cw["domains"]/cw["seconds"]:.0f} / {c["domains"]/c["seconds"]:.0f} domains/s = **{c["seconds"]/cw["seconds"]:.1f}×**; '
          f'{cw["received"]:,} queries reached Unbound, the same as cold ({c["received"]:,}): the client asks the same; Unbound answers more from its cache')
    p('')

lat = next((r for r in rows if r['workload'] == 'latency'), None)
if lat and lat.get('latency'):
    ls = lat['latency']
    ratios = sorted(l['wall_ms'] / l['critical_ms'] for l in ls if l['critical_ms'])
    within = sum(1 for x in ratios if x <= 1.2)
    p('## Latency of one domain')
    p('')
    p('A live check of one domain (the full check, as above), cold — Unbound flushed, a new Client — through an Unbound whose every upstream query '
      'is held 30 ms. The critical path is the longest chain of the check\'s questions in which each asks for a name an earlier answer gave '
      '(a CNAME, MX, NS or SRV target; an SPF include, redirect, a, mx or exists domain; a report address\'s domain — under it, such as '
      '_25._tcp.<MX host>), or the next name of a DMARC tree walk, each weighed by the upstream queries a cold resolver sends for it '
      '(one, and one more per CNAME it follows), times 30 ms. A fallback asked because an answer came back void counts as dependent on it too '
      '(A after no MX; _dmarc.<parent> after _dmarc.<child> in the DMARC tree walk; BIMI\'s organizational domain after the subdomain). '
      'Questions named from the domain alone start at 0. The check asks the DMARC tree walk\'s names, and the fallbacks it nearly always needs, '
      'at once, ahead of the void answers (analysis.Check.Ahead, dmarc), so it can finish under the critical path: a ratio below 1.')
    p('')
    p(f'Wall time / critical path: median **{ratios[len(ratios)//2]:.2f}×**, worst **{ratios[-1]:.2f}×**; '
      f'{within} of {len(ratios)} domains within 1.2× (target: all).')
    p('')
    p('| domain | questions | critical path (upstream queries) | critical path (ms) | wall (ms) | wall / critical path |')
    p('|---|---:|---:|---:|---:|---:|')
    for l in ls:
        p(f"| {l['domain']} | {l['questions']} | {l['hops']} | {l['critical_ms']:.0f} | {l['wall_ms']:.0f} | {l['wall_ms']/l['critical_ms'] if l['critical_ms'] else 0:.2f}× |")
    p('')

streams = sorted((r for r in rows if r['workload'] == 'check-stream'), key=lambda r: r['domains'])
small, big = (streams[0], streams[-1]) if len(streams) > 1 else (None, None)
if small and big:
    p('## Memory')
    p('')
    p(f'- Peak RSS of the streamed full check, N={big["domains"]:,} / N={small["domains"]:,}: {big["rss_kb"]/1024:.0f} MB / {small["rss_kb"]/1024:.0f} MB = '
      f'**{big["rss_kb"]/small["rss_kb"]:.2f}×** (target ≤ 1×); {big["domains"]:,} domains in {big["seconds"]:.0f} s')
    p('')

sd, sb = by.get(('direct', 'spf', 'domainlint')), by.get(('direct', 'spf', 'blitiri'))
ed, eb = by.get(('direct', 'spf-engine', 'domainlint')), by.get(('direct', 'spf-engine', 'blitiri'))
if sd and sb and ed and eb:
    p('## Where the SPF lead comes from')
    p('')
    q = lambda r: r['received'] / r['domains']
    p(f'With the shared cache, domainlint sends {q(sd):.2f} queries per domain over its sweep of {sd["domains"]:,} and blitiri {q(sb):.2f}: '
      'most of the lead comes from asking fewer questions (every domain includes the same few providers, asked once per sweep instead of once per domain). '
      f'With the cache off (spf-engine) domainlint sends {q(ed):.2f} per domain — what each domain\'s own tree needs, '
      f'the same as pyspf — and blitiri {q(eb):.2f} (its a and mx terms go through net.Resolver.LookupIPAddr, which asks AAAA beside A), '
      f'and the ratio is {eb["seconds"]/eb["domains"]/(ed["seconds"]/ed["domains"]):.1f}× in wall time and '
      f'{eb["cpu_s"]/eb["domains"]/(ed["cpu_s"]/ed["domains"]):.1f}× in CPU time per domain: that is engine speed apart from caching. '
      'Per query, domainlint spends '
      f'{ed["cpu_s"]/ed["received"]*1e6:.0f} µs of CPU and blitiri over net.Resolver {eb["cpu_s"]/eb["received"]*1e6:.0f} µs.')
    p('')
dd_, du_ = by.get(('direct', 'dnsperf', None)), by.get(('unbound', 'dnsperf', None))
if dd_ and du_ and dd_['secs'] and du_['secs']:
    p('## Through a recursive resolver')
    p('')
    p(f'dnsperf gets {du_["sent"]/du_["secs"]:,.0f} answers/s from a cold Unbound and {dd_["sent"]/dd_["secs"]:,.0f}/s from Knot directly: '
      'every question the cache does not hold costs Unbound a query to Knot and its own bookkeeping, on the same 2 cores. '
      'Unbound, not the client, sets the pace, so the ratios between implementations shrink toward the ratio of the questions they ask; '
      'domainlint\'s lead that remains there is the shared cache (fewer questions), and the engine-only row shows what per-question speed is left to show. '
      'A scanner sharing a warm resolver with other users would see numbers between the two topologies.')
    p('')
print('\n'.join(out))
