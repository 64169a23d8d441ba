package httpfetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/internal/httpfetch"
	"github.com/domainlint/domainlint/resolver"
)

// TestGlobal is a table over IANA's IPv4 and IPv6 Special-Purpose Address
// Registries (and the address-space registries around them): every block
// IANA does not mark globally reachable is refused, at its first and last
// addresses, and so is every form that embeds such an IPv4 address
// (NAT64, 6to4, Teredo, IPv4-compatible, IPv4-mapped). iana is the
// registry's "Globally Reachable" (true, false, or "n/a": decided by what
// is embedded); a row where we are stricter says so.
func TestGlobal(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		global bool
		block  string
	}{
		// IPv4 Special-Purpose Address Registry.
		{"0.0.0.0", false, "0.0.0.0/32 this host on this network"},
		{"0.0.0.1", false, "0.0.0.0/8 this network"},
		{"0.255.255.255", false, "0.0.0.0/8 this network"},
		{"10.0.0.1", false, "10.0.0.0/8 private-use"},
		{"10.255.255.255", false, "10.0.0.0/8 private-use"},
		{"100.64.0.0", false, "100.64.0.0/10 shared address space"},
		{"100.127.255.255", false, "100.64.0.0/10 shared address space"},
		{"127.0.0.1", false, "127.0.0.0/8 loopback"},
		{"127.255.255.254", false, "127.0.0.0/8 loopback"},
		{"169.254.169.254", false, "169.254.0.0/16 link local (cloud metadata)"},
		{"172.16.0.1", false, "172.16.0.0/12 private-use"},
		{"172.31.255.255", false, "172.16.0.0/12 private-use"},
		{"192.0.0.1", false, "192.0.0.0/24 IETF protocol assignments; 192.0.0.0/29 DS-Lite"},
		{"192.0.0.8", false, "192.0.0.8/32 IPv4 dummy address"},
		{"192.0.0.9", false, "192.0.0.9/32 PCP anycast: IANA true, refused (stricter)"},
		{"192.0.0.10", false, "192.0.0.10/32 TURN anycast: IANA true, refused (stricter)"},
		{"192.0.0.170", false, "192.0.0.170/32 NAT64/DNS64 discovery"},
		{"192.0.0.255", false, "192.0.0.0/24 IETF protocol assignments"},
		{"192.0.2.1", false, "192.0.2.0/24 documentation (TEST-NET-1)"},
		{"192.31.196.1", true, "192.31.196.0/24 AS112-v4: IANA true"},
		{"192.52.193.1", true, "192.52.193.0/24 AMT: IANA true"},
		{"192.88.99.1", false, "192.88.99.0/24 deprecated 6to4 relay anycast"},
		{"192.168.0.1", false, "192.168.0.0/16 private-use"},
		{"192.168.255.255", false, "192.168.0.0/16 private-use"},
		{"192.175.48.1", true, "192.175.48.0/24 direct delegation AS112: IANA true"},
		{"198.18.0.1", false, "198.18.0.0/15 benchmarking"},
		{"198.19.255.255", false, "198.18.0.0/15 benchmarking"},
		{"198.51.100.7", false, "198.51.100.0/24 documentation (TEST-NET-2)"},
		{"203.0.113.9", false, "203.0.113.0/24 documentation (TEST-NET-3)"},
		{"240.0.0.1", false, "240.0.0.0/4 reserved"},
		{"254.255.255.255", false, "240.0.0.0/4 reserved"},
		{"255.255.255.255", false, "255.255.255.255/32 limited broadcast"},
		// IPv4 multicast address space registry.
		{"224.0.0.1", false, "224.0.0.0/4 multicast"},
		{"239.255.255.255", false, "224.0.0.0/4 multicast"},
		// Global neighbours of the blocks above.
		{"1.1.1.1", true, "global"},
		{"8.8.8.8", true, "global"},
		{"11.0.0.0", true, "global, after 10/8"},
		{"100.63.255.255", true, "global, before 100.64/10"},
		{"100.128.0.0", true, "global, after 100.64/10"},
		{"172.32.0.0", true, "global, after 172.16/12"},
		{"198.20.0.0", true, "global, after 198.18/15"},
		{"223.255.255.255", true, "global, before multicast"},

		// IPv6 Special-Purpose Address Registry.
		{"::", false, "::/128 unspecified"},
		{"::1", false, "::1/128 loopback"},
		{"::ffff:127.0.0.1", false, "::ffff:0:0/96 IPv4-mapped: loopback"},
		{"::ffff:10.0.0.1", false, "::ffff:0:0/96 IPv4-mapped: private"},
		{"::ffff:192.0.2.1", false, "::ffff:0:0/96 IPv4-mapped: documentation"},
		{"::ffff:8.8.8.8", true, "::ffff:0:0/96 IPv4-mapped: dialled as 8.8.8.8"},
		{"64:ff9b::a00:1", false, "64:ff9b::/96 NAT64 of 10.0.0.1"},
		{"64:ff9b::7f00:1", false, "64:ff9b::/96 NAT64 of 127.0.0.1"},
		{"64:ff9b::a9fe:a9fe", false, "64:ff9b::/96 NAT64 of 169.254.169.254"},
		{"64:ff9b::c000:201", false, "64:ff9b::/96 NAT64 of 192.0.2.1"},
		{"64:ff9b::808:808", true, "64:ff9b::/96 NAT64 of 8.8.8.8: IANA true"},
		{"64:ff9b::1:808:808", false, "64:ff9b::/96's neighbour: not 2000::/3"},
		{"64:ff9b:1::808:808", false, "64:ff9b:1::/48 local-use NAT64, even of a global address"},
		{"64:ff9b:1::a00:1", false, "64:ff9b:1::/48 local-use NAT64 of 10.0.0.1"},
		{"100::1", false, "100::/64 discard-only"},
		{"100:0:0:1::1", false, "100:0:0:1::/64 dummy prefix"},
		{"2001::1", false, "2001::/32 Teredo of server 0.0.0.0"},
		{"2001:0:808:808::fefe:fefe", true, "2001::/32 Teredo: server 8.8.8.8, client 1.1.1.1"},
		{"2001:0:808:808::f5ff:fffe", false, "2001::/32 Teredo: client 10.0.0.1"},
		{"2001:0:808:808::80ff:fffe", false, "2001::/32 Teredo: client 127.0.0.1"},
		{"2001:0:a00:1::fefe:fefe", false, "2001::/32 Teredo: server 10.0.0.1"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false, "2001::/32 Teredo, RFC 4380's example: client 192.0.2.45"},
		{"2001:1::1", false, "2001:1::1/128 PCP anycast: IANA true, refused (stricter)"},
		{"2001:1::3", false, "2001:1::3/128 DNS-SD SRP anycast: IANA true, refused (stricter)"},
		{"2001:2::1", false, "2001:2::/48 benchmarking"},
		{"2001:3::1", false, "2001:3::/32 AMT: IANA true, refused (stricter)"},
		{"2001:4:112::1", false, "2001:4:112::/48 AS112-v6: IANA true, refused (stricter)"},
		{"2001:10::1", false, "2001:10::/28 deprecated ORCHID"},
		{"2001:20::1", false, "2001:20::/28 ORCHIDv2: IANA true, refused (stricter)"},
		{"2001:30::1", false, "2001:30::/28 drone remote ID: IANA true, refused (stricter)"},
		{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", false, "2001::/23 IETF protocol assignments"},
		{"2001:200::1", true, "global, after 2001::/23"},
		{"2001:db8::1", false, "2001:db8::/32 documentation"},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", false, "2001:db8::/32 documentation"},
		{"2002:a00:1::1", false, "2002::/16 6to4 of 10.0.0.1"},
		{"2002:7f00:1::1", false, "2002::/16 6to4 of 127.0.0.1"},
		{"2002:c000:201::1", false, "2002::/16 6to4 of 192.0.2.1"},
		{"2002::1", false, "2002::/16 6to4 of 0.0.0.0"},
		{"2002:808:808::1", true, "2002::/16 6to4 of 8.8.8.8: n/a, decided by it"},
		{"2620:4f:8000::1", true, "2620:4f:8000::/48 direct delegation AS112: IANA true"},
		{"3fff::1", false, "3fff::/20 documentation"},
		{"3fff:fff:ffff::1", false, "3fff::/20 documentation"},
		{"5f00::1", false, "5f00::/16 SRv6 SIDs"},
		{"fc00::1", false, "fc00::/7 unique-local"},
		{"fd12:3456::1", false, "fc00::/7 unique-local"},
		{"fe80::1", false, "fe80::/10 link-local"},
		{"fe80::1%eth0", false, "fe80::/10 link-local, with a zone"},
		// IPv6 address space registry: outside 2000::/3, reserved.
		{"::7f00:1", false, "::/96 IPv4-compatible (deprecated) of 127.0.0.1"},
		{"::a00:1", false, "::/96 IPv4-compatible of 10.0.0.1"},
		{"::808:808", false, "::/96 IPv4-compatible of 8.8.8.8 (deprecated, RFC 4291)"},
		{"::ffff:0:808:808", false, "::ffff:0:0:0/96 IPv4-translated (RFC 2765)"},
		{"fec0::1", false, "fec0::/10 site-local (deprecated, RFC 3879)"},
		{"ff02::1", false, "ff00::/8 multicast"},
		{"ff0e::1", false, "ff00::/8 multicast, global scope"},
		{"4000::1", false, "4000::/3 reserved by IETF"},
		{"1fff:ffff::1", false, "reserved by IETF, before 2000::/3"},
		{"2606:4700:4700::1111", true, "global unicast"},
		{"2a00:1450:4001::1", true, "global unicast"},
		{"3ffe::1", true, "global unicast (old 6bone, returned)"},
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := httpfetch.Global(a); got != tc.global {
			t.Errorf("Global(%s) = %v, want %v: %s", tc.addr, got, tc.global, tc.block)
		}
	}
	if httpfetch.Global(netip.Addr{}) {
		t.Error("the zero Addr is global")
	}
}

// TestFetchRefusesNonGlobal: a policy or indicator host whose addresses
// are special-purpose ones — the forms the second hostile round slipped
// past the guard — is never fetched: the reason is Refused.
func TestFetchRefusesNonGlobal(t *testing.T) {
	var b strings.Builder
	b.WriteString("@ IN SOA ns h 1 3600 600 86400 300\n")
	addrs := []string{"64:ff9b::a00:1", "64:ff9b::7f00:1", "::7f00:1", "2002:a00:1::1", "fec0::1", "0.0.0.1", "240.0.0.1",
		"192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1", "3fff::1", "2001:0:808:808::80ff:fffe", "64:ff9b:1::808:808",
		"::ffff:127.0.0.1", "fe80::1", "fc00::1", "100.64.0.1", "169.254.169.254", "ff02::1", "::", "0.0.0.0"}
	for i, a := range addrs {
		qt := "AAAA"
		if netip.MustParseAddr(a).Is4() {
			qt = "A"
		}
		fmt.Fprintf(&b, "h%d IN %s %s\n", i, qt, a)
	}
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "special.test", Text: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range addrs {
		for _, u := range []string{fmt.Sprintf("https://h%d.special.test/", i), "https://" + netip.AddrPortFrom(netip.MustParseAddr(a), 443).String() + "/"} {
			_, err := httpfetch.Get(context.Background(), zones, u, httpfetch.Options{Timeout: 2e9})
			var fe *httpfetch.Error
			if !errors.As(err, &fe) || fe.Reason != httpfetch.Refused {
				t.Errorf("%s (%s): %v; want it refused", u, a, err)
			}
		}
	}
}
