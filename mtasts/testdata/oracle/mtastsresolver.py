#!/usr/bin/python3
"""Oracle of mtasts/differential_test.go: postfix-mta-sts-resolver's reading
of MTA-STS policy files (Debian postfix-mta-sts-resolver).

Reads one JSON string (a policy file's text) a line on stdin and writes one
JSON object a line: {"valid": bool, "mode", "max_age", "mx"}. The parse is
the package's own parse_mta_sts_policy; the validation is the one in
STSResolver.resolve (resolver.py of 1.1.2), which is inline in that
coroutine after the HTTPS fetch, so it is repeated here line for line.
"""
import json
import sys

from postfix_mta_sts_resolver.utils import parse_mta_sts_policy


def validate(text):
    pol = parse_mta_sts_policy(text)
    if pol.get('version', None) != 'STSv1':
        return None
    try:
        max_age = int(pol.get('max_age', '-1'))
        pol['max_age'] = max_age
    except ValueError:
        return None
    if not 0 <= max_age <= 31557600:
        return None
    if 'mode' not in pol:
        return None
    if pol['mode'] == 'none':
        return pol
    if pol['mode'] not in ('none', 'testing', 'enforce'):
        return None
    if not pol['mx']:
        return None
    return pol


for line in sys.stdin:
    pol = validate(json.loads(line))
    if pol is None:
        out = {"valid": False}
    else:
        out = {"valid": True, "mode": pol['mode'], "max_age": pol['max_age'], "mx": pol['mx']}
    sys.stdout.write(json.dumps(out) + "\n")
