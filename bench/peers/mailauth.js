// Peer runner for mailauth (npm): SPF check_host or DMARC record discovery
// for every domain, against one DNS server, at a fixed concurrency.
// usage: node mailauth.js spf|dmarc PORT DOMAINS_FILE CONCURRENCY VERSION
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Resolver } = require('node:dns').promises;
const base = path.join(__dirname, '..', '.node', 'node_modules', 'mailauth', 'lib');
const { spf } = require(path.join(base, 'spf'));
const getDmarcRecord = require(path.join(base, 'dmarc', 'get-dmarc-record'));

const [workload, port, file, conc] = process.argv.slice(2);
const r = new Resolver({ timeout: 3000, tries: 2 });
r.setServers([`127.0.0.1:${port}`]);
const resolver = (name, rr) => r.resolve(name, rr);
const domains = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

const tally = {};
let next = 0;
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= domains.length) return;
    const d = domains[i];
    let res;
    try {
      if (workload === 'spf') {
        const out = await spf({ sender: `postmaster@${d}`, ip: '203.0.113.77', helo: 'helo.bench.example', mta: 'bench', resolver });
        res = out.status.result;
      } else {
        const rec = await getDmarcRecord(d, resolver);
        res = rec ? 'found' : 'none';
      }
    } catch (e) {
      res = 'error';
    }
    tally[res] = (tally[res] || 0) + 1;
  }
}
(async () => {
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Number(conc) }, worker));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ workload, impl: 'mailauth', domains: domains.length, seconds: secs, sent: -1, rss_kb: Math.round(process.resourceUsage().maxRSS), results: tally }));
})();
