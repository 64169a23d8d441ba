package dane_test

import (
	"context"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// simulated answers from zone files as a resolver would that validates
// (or, with validating false, that does not): see testdata/dane.zone. It
// has no Holds method, so its answers count as live ones.
type simulated struct {
	zones      *resolver.Zones
	validating bool
}

func (s simulated) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(name, ".")), ".")
	switch {
	case name == "." || name == "":
		return &resolver.Answer{Name: ".", Type: qtype, AD: s.validating}, nil
	case slices.Contains(labels, "bogus"):
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: dns.RcodeServerFailure, Err: resolver.ErrTemporary}
	case slices.Contains(labels, "timeout"):
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: context.DeadlineExceeded}
	}
	a, err := s.zones.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	c := *a
	c.AD = s.validating && !slices.Contains(labels, "insecure")
	return &c, nil
}
