package resolver_test

import (
	"encoding/json"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// TestHops: a CNAME chain's steps, lowercase and without trailing dots,
// written "owner -> target" in JSON and read back.
func TestHops(t *testing.T) {
	a, _ := dns.NewRR("Alias.Example. 300 IN CNAME Mid.Example.")
	b, _ := dns.NewRR("mid.example. 300 IN CNAME host.example.")
	hops := resolver.Hops([]*dns.CNAME{a.(*dns.CNAME), b.(*dns.CNAME)})
	want := []resolver.Hop{{Owner: "alias.example", Target: "mid.example"}, {Owner: "mid.example", Target: "host.example"}}
	if len(hops) != 2 || hops[0] != want[0] || hops[1] != want[1] {
		t.Fatalf("Hops = %v, want %v", hops, want)
	}
	out, err := json.Marshal(hops)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != `["alias.example -\u003e mid.example","mid.example -\u003e host.example"]` {
		t.Errorf("JSON %s", got)
	}
	var back []resolver.Hop
	if err := json.Unmarshal(out, &back); err != nil || len(back) != 2 || back[0] != want[0] || back[1] != want[1] {
		t.Errorf("read back %v, %v; want %v", back, err, want)
	}
	var h resolver.Hop
	if err := h.UnmarshalText([]byte("no arrow")); err == nil {
		t.Errorf("%q read as a step: %v", "no arrow", h)
	}
	if resolver.Hops(nil) != nil {
		t.Error("Hops(nil) is not nil")
	}
}
