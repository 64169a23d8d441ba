package resolvertest_test

import (
	"fmt"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/resolver/resolvertest"
)

// The resolvers that come with domainlint pass their own conformance test.
func TestZones(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: resolvertest.Origin, Text: resolvertest.Zone})
	if err != nil {
		t.Fatal(err)
	}
	resolvertest.Test(t, z)
}

func TestClient(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{Origin: resolvertest.Origin, Text: resolvertest.Zone})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resolvertest.Test(t, c)
	resolvertest.Test(t, c) // again, from the cache
}

// recorder is a testing TB that keeps what it is told.
type recorder struct{ errs []string }

func (*recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// A resolver that joins TXT strings (as net.Resolver does) fails.
func TestCatchesJoinedTXT(t *testing.T) {
	z, _ := resolver.NewZones(resolver.ZoneSource{Origin: resolvertest.Origin, Text: resolvertest.Zone})
	var r recorder
	resolvertest.Test(&r, joiner{z})
	if len(r.errs) == 0 {
		t.Fatal("a resolver that joins TXT strings passes")
	}
	t.Logf("%d problems, e.g. %s", len(r.errs), r.errs[0])
}
