#!/usr/bin/python3
"""DKIM key-record oracle for domainlint's differential test: dkimpy (Debian
python3-dkim). Reads one key record per line on stdin and prints
"usable<TAB>detail" or "unusable<TAB>reason" per line: whether a verifier of
mail (not of TLS-RPT reports) would use the key. No network access: the
record is handed to dkim.evaluate_pk as if DNS had returned it."""
import sys

import dkim

for line in sys.stdin:
    txt = line.rstrip("\n").encode("utf-8", "surrogateescape")
    try:
        pk, keysize, ktag, tlsrpt = dkim.evaluate_pk(b"sel._domainkey.example.", txt)
        if pk is None:
            verdict = "unusable\tno key (s= names no service dkimpy knows)"
        elif tlsrpt:
            # verify_sig_process: "Message is not tlsrpt and Service Type is tlsrpt"
            verdict = "unusable\ts=tlsrpt: for TLS-RPT reports only"
        else:
            verdict = "usable\t%s %s" % (ktag.decode(), keysize)
    except Exception as e:  # a crash is a verdict to compare, too
        verdict = "unusable\t%s: %s" % (type(e).__name__, " ".join(str(e).split())[:200])
    print(verdict, flush=True)
