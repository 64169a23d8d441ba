package unboundtest

import (
	"context"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Simulated answers from zone files as a resolver would that validates
// DNSSEC (or, with Validating false, one that does not), driven by labels
// in the names asked: a name with a label "bogus" fails with SERVFAIL,
// "timeout" with a deadline, "insecure" answers without the AD bit; the
// root answers NODATA (the DNSSEC probe). It has no Holds method, so its
// answers count as live ones. Fixtures for the dnssec and dane packages.
type Simulated struct {
	Zones      *resolver.Zones
	Validating bool
}

// Lookup answers as described on Simulated.
func (s Simulated) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(name, ".")), ".")
	switch {
	case name == "." || name == "":
		return &resolver.Answer{Name: ".", Type: qtype, AD: s.Validating}, nil
	case slices.Contains(labels, "bogus"):
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: dns.RcodeServerFailure, Err: resolver.ErrTemporary}
	case slices.Contains(labels, "timeout"):
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: context.DeadlineExceeded}
	}
	a, err := s.Zones.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	c := *a
	c.AD = s.Validating && !slices.Contains(labels, "insecure")
	return &c, nil
}
