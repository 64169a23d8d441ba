package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The synthetic world: N customer domains under the zone "test." (one zone,
// so the server loads fast), SPF providers under "test." too, DKIM keys in
// the provider zone "dkim.example." (a CNAME into another zone, answered
// with the alias only, as real servers do), report authorizations in
// "example.". The generator knows which questions a full check of every
// domain must ask: questions.txt is that list, deduplicated — the minimum.

const providers = 36

// worldNS and rootNS are the loopback addresses of the Unbound topology
// (bench/run.sh): Knot serves the world's zones on worldNS port 53, and
// the root zone, which delegates test. and example. there, on rootNS.
const (
	worldNS = "127.0.53.2"
	rootNS  = "127.0.53.1"
)

type world struct {
	zones     map[string]*strings.Builder // origin → zone text
	questions map[string]bool             // "name TYPE"
	domains   []string
}

func (w *world) zone(origin string) *strings.Builder {
	if b, ok := w.zones[origin]; ok {
		return b
	}
	b := &strings.Builder{}
	// ns.<origin> is 127.0.53.2, where run.sh's Unbound topology serves
	// the world on port 53 behind a root on 127.0.53.1.
	fmt.Fprintf(b, "$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n@ IN NS ns.%s.\nns IN A %s\n", origin, origin, origin, origin, worldNS)
	w.zones[origin] = b
	return b
}

func (w *world) ask(name, typ string) { w.questions[name+" "+typ] = true }

// provider k has an include chain of depth 1–4 ending in an a term: it
// costs depth+1 lookups. spfQuestions are the questions walking it asks.
func providerDepth(k int) int { return 1 + k%4 }

func (w *world) providers() {
	z := w.zone("test")
	for k := range providers {
		d := providerDepth(k)
		for lvl := 1; lvl <= d; lvl++ {
			name := fmt.Sprintf("_spf%d.prov%02d", lvl, k)
			if lvl < d {
				fmt.Fprintf(z, "%s IN TXT \"v=spf1 ip4:198.18.%d.0/24 include:_spf%d.prov%02d.test ~all\"\n", name, k, lvl+1, k)
			} else {
				fmt.Fprintf(z, "%s IN TXT \"v=spf1 ip4:198.19.%d.0/24 a:out.prov%02d.test ~all\"\n", name, k, k)
			}
		}
		fmt.Fprintf(z, "out.prov%02d IN A 198.19.%d.1\n", k, k)
	}
}

func (w *world) askProvider(k int) {
	for lvl := 1; lvl <= providerDepth(k); lvl++ {
		w.ask(fmt.Sprintf("_spf%d.prov%02d.test", lvl, k), "TXT")
	}
	w.ask(fmt.Sprintf("out.prov%02d.test", k), "A")
}

func generate(n int, dir string, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := &world{zones: map[string]*strings.Builder{}, questions: map[string]bool{}}
	w.providers()
	tz, dz, ez := w.zone("test"), w.zone("dkim.example"), w.zone("example")
	for i := range n {
		org := fmt.Sprintf("d%06d.test", i)
		dom := org
		rel := fmt.Sprintf("d%06d", i)
		inherit := rng.IntN(100) < 25 // DMARC from the organizational domain
		if inherit {
			dom = "mail." + org
			rel = "mail." + rel
		}
		w.domains = append(w.domains, dom)
		fmt.Fprintf(tz, "%s IN A 192.0.2.%d\n", rel, 1+i%250)
		fmt.Fprintf(tz, "%s IN MX 10 mx.%s.test.\nmx.%s IN A 192.0.2.25\n", rel, rel, rel)

		// SPF: 1–3 providers; some near and some over the limit.
		w.ask(dom, "TXT")
		roll := rng.IntN(100)
		switch {
		case roll < 5: // no SPF at all
		case roll < 8: // two SPF records: permerror, not walked
			fmt.Fprintf(tz, "%s IN TXT \"v=spf1 -all\"\n%s IN TXT \"v=spf1 mx -all\"\n", rel, rel)
		default:
			terms := []string{fmt.Sprintf("ip4:192.0.2.%d", i%250)}
			np := 1 + rng.IntN(3)
			for j := 0; j < np; j++ {
				k := rng.IntN(providers)
				terms = append(terms, fmt.Sprintf("include:_spf1.prov%02d.test", k))
				w.askProvider(k)
			}
			if rng.IntN(2) == 0 {
				terms = append(terms, "mx")
				w.ask(dom, "MX")
			}
			if roll < 10 {
				terms = append(terms, "ip4:192.0.2.300") // a syntax error
			}
			all := "-all"
			if rng.IntN(3) == 0 {
				all = "~all"
			}
			fmt.Fprintf(tz, "%s IN TXT \"v=spf1 %s %s\"\n", rel, strings.Join(terms, " "), all)
		}

		// DMARC: at the domain, at the organizational domain, or missing.
		droll := rng.IntN(100)
		policyDomain := dom
		if inherit {
			policyDomain = org
		}
		rua := "mailto:dmarc@" + org
		external := droll >= 5 && rng.IntN(100) < 5
		if external {
			rua = "mailto:" + strings.TrimSuffix(org, ".test") + "@reports.example"
			fmt.Fprintf(ez, "%s._report._dmarc.reports IN TXT \"v=DMARC1\"\n", policyDomain)
		}
		record := fmt.Sprintf("v=DMARC1; p=%s; rua=%s", []string{"none", "quarantine", "reject"}[rng.IntN(3)], rua)
		switch {
		case droll < 5:
		case inherit:
			fmt.Fprintf(tz, "_dmarc.%s IN TXT %q\n", strings.TrimPrefix(rel, "mail."), record)
		default:
			fmt.Fprintf(tz, "_dmarc.%s IN TXT %q\n", rel, record)
		}
		labels := strings.Split(dom, ".")
		for j := range labels {
			w.ask("_dmarc."+strings.Join(labels[j:], "."), "TXT")
		}
		if external {
			w.ask(policyDomain+"._report._dmarc.reports.example", "TXT")
		}

		// DKIM: selector1 and selector2 CNAMEs into the provider zone;
		// some dangle.
		dangling := rng.IntN(100) < 10
		for s := 1; s <= 2; s++ {
			target := fmt.Sprintf("s%d-%s", s, strings.ReplaceAll(dom, ".", "-"))
			fmt.Fprintf(tz, "selector%d._domainkey.%s IN CNAME %s.dkim.example.\n", s, rel, target)
			if !dangling {
				fmt.Fprintf(dz, "%s IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n", target)
			}
			w.ask(fmt.Sprintf("selector%d._domainkey.%s", s, dom), "TXT")
			w.ask(target+".dkim.example", "TXT")
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for origin, b := range w.zones {
		if err := os.WriteFile(filepath.Join(dir, origin+".zone"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	root := fmt.Sprintf(`$ORIGIN .
$TTL 86400
@ IN SOA root-server. hostmaster.root-server. 1 1800 900 604800 86400
@ IN NS root-server.
root-server. IN A %s
test. 172800 IN NS ns.test.
ns.test. 172800 IN A %s
example. 172800 IN NS ns.example.
ns.example. 172800 IN A %s
`, rootNS, worldNS, worldNS)
	if err := os.WriteFile(filepath.Join(dir, "root.zone"), []byte(root), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "root.hints"), []byte(fmt.Sprintf(". 3600000 NS root-server.\nroot-server. 3600000 A %s\n", rootNS)), 0o644); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, "domains.txt"), w.domains); err != nil {
		return err
	}
	qs := make([]string, 0, len(w.questions))
	for q := range w.questions {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	return writeLines(filepath.Join(dir, "questions.txt"), qs)
}

func writeLines(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, l := range lines {
		bw.WriteString(l + "\n")
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
