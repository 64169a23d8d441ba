package resolvertest_test

import (
	"context"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// joiner is a broken resolver: it joins each TXT record's strings.
type joiner struct{ r resolver.Resolver }

func (j joiner) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := j.r.Lookup(ctx, name, qtype)
	if err != nil || qtype != dns.TypeTXT {
		return a, err
	}
	b := *a
	b.Records = nil
	for _, rr := range a.Records {
		t := dns.Copy(rr).(*dns.TXT)
		t.Txt = []string{strings.Join(t.Txt, "")}
		b.Records = append(b.Records, t)
	}
	return &b, nil
}
