// Package mx checks where a domain's mail goes: its MX records (RFC 5321
// §5.1), the null MX (RFC 7505), and the set of records a domain that
// sends and receives no mail must publish.
//
// # MX records
//
// [Lookup] fetches a domain's MX records and looks up every target's
// addresses, reporting
//
//   - mx.cname: a target that is an alias. RFC 2181 §10.3 says an MX
//     must name the host's canonical name, and RFC 5321 §5.1 lets senders
//     refuse the alias; the fix names the canonical host;
//   - mx.ip-literal: a target that is an address written as a name
//     ("MX 10 192.0.2.1."): senders look up the A records of a host
//     named 192.0.2.1, which does not exist. Not looked up;
//   - mx.missing-target: a target that is NXDOMAIN;
//   - mx.no-address: a target with neither A nor AAAA (NODATA);
//   - mx.none: no MX at all (info). Mail then falls back to the domain's
//     own A/AAAA records (RFC 5321 §5.1, the "implicit MX"), which is
//     rarely what a web host wants. The finding names the two choices, as
//     alternative fixes: publish MX records for the hosts that receive the
//     domain's mail, or, if it sends and receives no mail, a null MX;
//   - mx.null-mixed: a null MX beside other MX records, which RFC 7505 §3
//     forbids; the fixes are the two ways out.
//
// A null MX alone ("MX 0 ." — the target is the root) is the valid
// declaration that the domain accepts no mail ([Report.Null]); it gets no
// finding and its "." is not looked up. A lone "." with a preference other
// than 0 is read as a null MX too, as senders read it.
//
// # Cost and bounds
//
// One MX question, then A (and AAAA only when there is no A) for at most
// [MaxHosts] distinct targets: at most 1+2×MaxHosts questions. Targets
// past the bound are listed as not checked (Report.Truncated). With no
// MX, the domain's A and AAAA are asked instead. Every answer comes
// through the resolver given, so a caching [resolver.Client] shares them
// across a sweep (and with spf's mx mechanism).
//
// Offline, over zone files alone, a target outside them is "not verified"
// (Report.Unverified), never missing: a provider's mail host is not in
// the customer's zone. A temporary failure is an error of the check
// (Report.Errors), never read as missing.
//
// A domain with a null MX is graded as one that sends and receives no
// mail by package parked, from this package's report and the others'.
package mx
