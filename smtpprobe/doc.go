// Package smtpprobe asks a domain's mail servers what they answer: an
// opt-in SMTP probe of each MX host for STARTTLS (RFC 3207), the TLS it
// negotiates, the certificate chain it presents, and whether that chain
// satisfies the domain's MTA-STS policy (RFC 8461) and TLSA records (RFC
// 7672, RFC 7671).
//
// A [Prober] connects to port 25 of each MX host's addresses (at most
// Options.MaxHosts hosts and Options.MaxAddrs addresses each), reads the
// greeting, says EHLO, STARTTLS, completes a TLS handshake that accepts
// any certificate so as to record it, and QUITs: no mail is sent. It then
// verifies the chain itself, against the system roots and Options.Roots,
// and for the MX host's name. Every step has a time bound, every reply a
// size bound; the Prober caps the connections open at once in total and
// per destination address, across everything it probes (one Prober for a
// whole scan). Addresses are resolved through the check's
// resolver.Resolver and dialled through httpfetch's guard: loopback,
// private, link-local and every other non-global address is refused
// unless Options.AllowPrivate.
//
// Each address gives a [HostResult] with a [Status]. When no server can
// be reached at all (every connection refused, timed out or unreachable:
// outbound port 25 is blocked on many networks) the [Report] is
// NotChecked and there are no findings: the domain is not failed for
// where the probe runs from.
//
// [Check] turns a report into findings (the smtp.* rules of [Rules]): no
// STARTTLS, a failed handshake, TLS below 1.2, an expired certificate or
// one for another name, a chain an MTA-STS sender would refuse (given the
// policy in [Input]), and TLSA records that do not match the served chain
// ([Match]: DANE-EE(3) and DANE-TA(2), selectors Cert(0) and SPKI(1),
// matching types Full(0), SHA2-256(1) and SHA2-512(2)). A record that
// matches nothing while another matches is a next key published for a
// rollover, reported as information, not an error.
//
// A [Recording] keeps what the servers said (the exchange before TLS, the
// negotiated parameters and the chain as DER) in a text file; [NewReplay]
// answers from it, so tests and offline runs give the same findings
// without the network.
package smtpprobe
