package smtpprobe

import (
	"context"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/miekg/dns"
)

// NewCheck returns the SMTP check, which requires the MX, DANE and
// MTA-STS checks given: prober probes each MX host (nil: the check does
// nothing), with the TLSA RRsets DNSSEC authenticated and the MTA-STS
// policy fetched. A parked domain (declared, or with a null MX) is not
// probed. Its result is the *Report.
func NewCheck(prober *Prober, parked bool, mxCheck, daneCheck, mtastsCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "smtp", Doc: "with Options.SMTP: each MX host as it answers on port 25 — STARTTLS, TLS version, certificates, and the TLSA records and MTA-STS policy matched against what it serves (RFC 3207, RFC 7672, RFC 8461)",
		Rules: Rules(), Requires: []*analysis.Check{mxCheck, daneCheck, mtastsCheck},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			if prober == nil {
				return nil, nil
			}
			m, _ := p.ResultOf[mxCheck].(*mx.Report)
			if m == nil || parked || m.Null() {
				return nil, nil
			}
			in := Input{TLSA: map[string][]*dns.TLSA{}}
			for _, h := range m.Hosts {
				if h.Target != "" && h.Target != "." {
					in.MX = append(in.MX, strings.TrimSuffix(strings.ToLower(h.Target), "."))
				}
			}
			if len(in.MX) == 0 {
				return nil, nil
			}
			if m, _ := p.ResultOf[mtastsCheck].(*mtasts.Report); m != nil && m.Policy != nil && m.Policy.Valid {
				in.Policy = m.Policy.Policy
			}
			if d, _ := p.ResultOf[daneCheck].(*dane.Report); d != nil {
				for _, h := range d.Hosts {
					if h.Status != dnssec.Secure {
						continue // senders use only authenticated RRsets (RFC 7672 §2.2)
					}
					host := strings.TrimSuffix(strings.ToLower(h.Host), ".")
					for _, t := range h.Records {
						in.TLSA[host] = append(in.TLSA[host],
							&dns.TLSA{Hdr: dns.RR_Header{Name: dns.Fqdn(h.TLSAName), Rrtype: dns.TypeTLSA, Class: dns.ClassINET}, Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Certificate: t.Hex})
					}
				}
			}
			r, fs, err := prober.Probe(ctx, p.Resolver, p.Domain, in)
			if err != nil {
				return nil, err
			}
			p.Report(fs...)
			return r, nil
		}}
}
