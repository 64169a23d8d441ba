"""Peer runner for pyspf (Debian python3-spf): check_host for every domain
against one DNS server, with a thread pool of the given concurrency.
usage: python3 pyspf.py PORT DOMAINS_FILE CONCURRENCY"""
import json, resource, sys, time
from concurrent.futures import ThreadPoolExecutor
import dns.resolver
import spf

port, path, conc = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
res = dns.resolver.Resolver(configure=False)
res.nameservers = ['127.0.0.1']
res.port = port
res.timeout = 3
res.lifetime = 6
dns.resolver.default_resolver = res

domains = [l.strip() for l in open(path) if l.strip()]
tally = {}

errors = []

def one(d):
    try:
        r, _ = spf.check2(i='203.0.113.77', s='postmaster@' + d, h='helo.bench.example')
    except Exception as e:
        errors.append(repr(e))
        r = 'error'
    return r

start = time.monotonic()
with ThreadPoolExecutor(conc) as ex:
    for r in ex.map(one, domains):
        tally[r] = tally.get(r, 0) + 1
secs = time.monotonic() - start
if errors:
    print('pyspf: %d errors, first: %s' % (len(errors), errors[0]), file=sys.stderr)
print(json.dumps({"workload": "spf", "impl": "pyspf", "domains": len(domains), "seconds": secs, "sent": -1,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "results": tally}))
