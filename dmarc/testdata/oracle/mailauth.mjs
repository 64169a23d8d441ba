// Oracle of dmarc/mailauth_test.go: DMARC policy discovery and evaluation
// by mailauth 7 (npm mailauth, RFC 9989's DNS tree walk), asking the Go
// test's DNS server on 127.0.0.1:PORT (the first argument) only.
//
// stdin: one JSON object a line, {"from": domain, "spf": [domains that
// passed SPF], "dkim": [d= domains of passing signatures]}; stdout: one
// JSON object a line, {"result", "policy", "policyDomain", "error"}.
// mailauth is loaded from node_modules next to this script (.ci/run
// installs it there).
import { createRequire } from 'node:module';
import { Resolver } from 'node:dns/promises';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const { dmarc } = require('mailauth/lib/dmarc/index.js');

const dns = new Resolver({ timeout: 2000, tries: 2 });
dns.setServers([`127.0.0.1:${process.argv[2]}`]);
const resolver = (name, rrtype) => dns.resolve(name, rrtype);

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) {
        continue;
    }
    const c = JSON.parse(line);
    let out;
    try {
        const res = await dmarc({
            headerFrom: `user@${c.from}`,
            spfDomains: c.spf.map(domain => ({ domain })),
            dkimDomains: c.dkim.map(domain => ({ domain })),
            resolver
        });
        out = { result: res.status?.result, policy: res.policy || '', policyDomain: res.policyDomain || '', error: res.error || '' };
    } catch (err) {
        out = { result: 'exception', policy: '', policyDomain: '', error: String(err && err.message) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}
