package spf_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
)

const realistic = "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.17 ip6:2001:db8:1234::/48 include:spf.protection.outlook.com include:_spf.google.com include:mail.zendesk.com mx a:smtp.example.com ~all"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spf.Parse(realistic); err != nil {
			b.Fatal(err)
		}
	}
}

// tenLookupTree is a zone whose apex record costs exactly 10 lookups
// through nested includes.
func tenLookupTree() string {
	var z strings.Builder
	z.WriteString("$ORIGIN bench.test.\n@ IN SOA ns h 1 3600 600 86400 300\nh IN A 192.0.2.1\nh IN MX 10 h.bench.test.\n")
	z.WriteString(`@ IN TXT "v=spf1 include:i1.bench.test include:i2.bench.test include:i3.bench.test -all"` + "\n")
	for i := 1; i <= 2; i++ {
		fmt.Fprintf(&z, `i%d IN TXT "v=spf1 ip4:192.0.2.%d a:h.bench.test mx:h.bench.test -all"`+"\n", i, i)
	}
	z.WriteString(`i3 IN TXT "v=spf1 a:h.bench.test mx:h.bench.test exists:h.bench.test -all"` + "\n")
	return z.String()
}

func BenchmarkLint(b *testing.B) {
	srv := dnstest.New(b, resolver.ZoneSource{Origin: "bench.test", Text: tenLookupTree()})
	lint := spf.Linter{SkipSPFType: true}
	c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	rep, _, err := lint.Lint(context.Background(), c, "bench.test")
	if err != nil {
		b.Fatal(err)
	}
	if rep.Lookups != 10 {
		b.Fatalf("tree costs %d lookups, want 10", rep.Lookups)
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
			b.StartTimer()
			if _, _, err := lint.Lint(context.Background(), c, "bench.test"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := lint.Lint(context.Background(), c, "bench.test"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheck evaluates check_host() over the ten-lookup tree through a
// warm caching client: a stranger, which only the last include's exists
// matches (every term evaluated), a client that the first include passes,
// and an IPv6 client, which the a terms leave over the void limit.
func BenchmarkCheck(b *testing.B) {
	srv := dnstest.New(b, resolver.ZoneSource{Origin: "bench.test", Text: tenLookupTree()})
	c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	for _, tc := range []struct {
		name, ip string
		want     spf.Result
	}{
		{"stranger", "198.51.100.7", spf.Pass},
		{"pass", "192.0.2.1", spf.Pass},
		{"ipv6-void", "2001:db8::1", spf.PermError},
	} {
		ip := netip.MustParseAddr(tc.ip)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := spf.Check(context.Background(), c, ip, "helo.bench.test", "user@bench.test")
				if err != nil || v.Result != tc.want {
					b.Fatalf("%+v, %v; want %s", v, err, tc.want)
				}
			}
		})
	}
}
