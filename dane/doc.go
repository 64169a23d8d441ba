// Package dane checks DANE for SMTP (RFC 7672, with RFC 6698 and RFC
// 7671): the TLSA records at _25._tcp.<host> of a domain's MX hosts, and
// whether senders can trust them.
//
// [Lookup] asks each MX host's TLSA RRset and lints it:
//
//   - each record's parameters and data ([TLSA.Problems]): 3 1 1 (and 2 1
//     1) are what RFC 7672 §3.1.1 recommends; PKIX-TA(0) and PKIX-EE(1)
//     are unusable for SMTP (§3.1.3); Full(0) data is discouraged; a
//     SHA2-256 digest must be 32 octets, a SHA2-512 one 64;
//   - authentication: senders use TLSA records only when a validating
//     resolver authenticated them, and the MX RRset that named the host
//     (§2.2); a bogus or failed lookup makes them defer mail (§2.1.1). The
//     DNSSEC verdicts come from [dnssec.Assess], which tells an unsigned
//     zone from a resolver that does not validate, and zone files
//     ("not verifiable offline") from both;
//   - the host set: some hosts with TLSA and others without, a signed
//     domain whose MX host's zone is not, a signed domain without DANE.
//
// With [Options.RequireM365] it also says what Microsoft 365's inbound
// DANE still needs (what Office365DnsChecker's -DANERequired checks): the
// MX <token>.<letter>-v1.mx.microsoft ([records.MXDANE], as
// [records.MXKindOf] tells), as the only MX, on a DNSSEC-signed domain.
// The token cannot be derived: the value comes from
// Enable-DnssecForVerifiedDomain or Microsoft Graph.
//
// Lookup asks the MX RRset (unless [Options.MX] is given), one TLSA RRset
// per MX host (at most [MaxHosts]), the domain's DNSKEY with RequireM365,
// and at most one probe. It is DNS-only: no TLS handshake is made, so
// whether the servers' certificates match the records is not checked.
package dane
