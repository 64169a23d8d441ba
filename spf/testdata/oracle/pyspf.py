#!/usr/bin/python3
"""check_host() oracle for domainlint's differential test: pyspf (Debian
python3-spf). Usage: pyspf.py PORT. Reads "ip<TAB>helo<TAB>sender" lines on
stdin and prints "result<TAB>explanation" per line. Every DNS question goes to
127.0.0.1:PORT and nowhere else."""
import sys

import spf

port = int(sys.argv[1])
if hasattr(spf, "DNS"):  # pydns (python3-dns), the Debian default
    spf.DNS.defaults["server"] = ["127.0.0.1"]
    spf.DNS.defaults["port"] = port
    spf.DNS.defaults["server_rotate"] = 0
    spf.DNSLookup = spf.DNSLookup_pydns
else:  # dnspython
    import dns.resolver

    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    dns.resolver.default_resolver = r

for line in sys.stdin:
    ip, helo, sender = line.rstrip("\n").split("\t")
    try:
        res, _, why = spf.query(i=ip, s=sender, h=helo, timeout=5).check()
    except Exception as e:  # a crash is a result to compare, too
        res, why = "crash", type(e).__name__ + ": " + str(e)
    print(res + "\t" + " ".join(str(why).split()), flush=True)
