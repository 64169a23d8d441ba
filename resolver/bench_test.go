package resolver_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// BenchmarkCacheHit: a question answered from the cache, the hot path of a
// sweep that asks shared providers again and again.
func BenchmarkCacheHit(b *testing.B) {
	srv := dnstest.New(b, fixtures...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "example.com.", dns.TypeTXT); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Lookup(ctx, "example.com.", dns.TypeTXT); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiss: a question sent to dnstest over loopback UDP.
func BenchmarkMiss(b *testing.B) {
	srv := dnstest.New(b, fixtures...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Lookup(ctx, "example.com.", dns.TypeA); err != nil {
			b.Fatal(err)
		}
	}
}
