package httpfetch

import "net/netip"

// Global reports whether a fetch may dial a: a unicast address that is
// globally reachable by IANA's IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and its updates), checked on the address itself,
// whatever name led to it.
//
//   - An IPv4-mapped address (::ffff:a.b.c.d) is its IPv4 address; a zone
//     (fe80::1%eth0) is ignored.
//   - IPv4: refused are 0.0.0.0/8 ("this network"), 10/8, 172.16/12 and
//     192.168/16 (private), 100.64/10 (shared, CGN), 127/8 (loopback),
//     169.254/16 (link-local), 192.0.0.0/24 (IETF protocol assignments,
//     DS-Lite, NAT64 discovery), 192.0.2/24, 198.51.100/24 and 203.0.113/24
//     (documentation), 192.88.99/24 (the deprecated 6to4 relay anycast),
//     198.18/15 (benchmarking), 224/4 (multicast), 240/4 (reserved) and
//     255.255.255.255.
//   - IPv6: only 2000::/3 is global unicast (IANA's IPv6 address space);
//     everything else is refused — ::/128, ::1, the deprecated
//     IPv4-compatible ::/96, 64:ff9b:1::/48 (local-use NAT64), 100::/64
//     (discard), fc00::/7 (unique local), fe80::/10 (link-local), the
//     deprecated site-local fec0::/10, 5f00::/16 (SRv6 SIDs), ff00::/8
//     (multicast) — except the NAT64 well-known prefix 64:ff9b::/96,
//     judged by the IPv4 address it embeds (RFC 6052 §3.1: a translator
//     reaches that address). Within 2000::/3, refused are 2001::/23 (IETF
//     protocol assignments: benchmarking, ORCHID, AMT, protocol anycast)
//     but for Teredo, 2001:db8::/32 and 3fff::/20 (documentation); 6to4
//     (2002::/16) and Teredo (2001::/32) are judged by the IPv4 addresses
//     they embed (6to4's, and Teredo's server and client both).
//
// Stricter than the registries: the few more-specific blocks IANA marks
// globally reachable inside a block it does not (192.0.0.9/32 and
// 192.0.0.10/32, protocol anycast and overlay identifiers in 2001::/23)
// are refused — no HTTPS policy host lives there. A NAT64 network-specific
// prefix is indistinguishable from global unicast; a scanner behind one
// must not count on this guard for the IPv4 addresses it embeds.
func Global(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return global4(a)
	}
	switch {
	case nat64.Contains(a):
		return global4(embedded(a, 12))
	case !global6.Contains(a):
		return false
	case teredo.Contains(a):
		b := a.As16()
		var client [4]byte
		for i := range client {
			client[i] = ^b[12+i]
		}
		return global4(embedded(a, 4)) && global4(netip.AddrFrom4(client))
	case sixToFour.Contains(a):
		return global4(embedded(a, 2))
	}
	for _, p := range special6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// embedded is the IPv4 address at byte offset off of an IPv6 address.
func embedded(a netip.Addr, off int) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[off : off+4]))
}

func global4(a netip.Addr) bool {
	for _, p := range special4 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	global6   = netip.MustParsePrefix("2000::/3")
	teredo    = netip.MustParsePrefix("2001::/32")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// special4 are the IPv4 blocks that are not globally reachable.
var special4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("10.0.0.0/8"),      // private (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (RFC 6598)
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback (RFC 1122)
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local (RFC 3927)
	netip.MustParsePrefix("172.16.0.0/12"),   // private (RFC 1918)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation, TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("192.168.0.0/16"),  // private (RFC 1918)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation, TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation, TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast (RFC 5771)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved (RFC 1112)
}

// special6 are the blocks inside 2000::/3 that are not globally reachable
// (Teredo and 6to4 are judged by what they embed, before these).
var special6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments (RFC 2928)
	netip.MustParsePrefix("2001:db8::/32"), // documentation (RFC 3849)
	netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
}
