// Package dnssec reports whether the answers that matter for a domain's
// mail were authenticated by DNSSEC: the MX RRset, the TLSA RRsets of the
// MX hosts (_25._tcp.<host>, RFC 7672), the zone's DNSKEY, and any names
// the caller adds.
//
// domainlint does not validate signatures itself. It reads the AD bit of
// the resolver it is given (resolver.Answer.AD), which means something only
// when that resolver validates. So [Lookup] first finds out whether it
// does: any authenticated answer proves it; otherwise a probe, a name known
// to be signed (the root's DNSKEY by default, [Options.Probe] to change
// it), is asked. The outcome is a [Validation]:
//
//   - [Validating]: an answer without AD is [Insecure] (the zone is
//     unsigned, or its parent publishes no DS), and a SERVFAIL is [Bogus]
//     (a validation failure; with [Options.Server] it is confirmed by
//     asking again with checking disabled, RFC 4035 §3.2.2);
//   - [NotValidating]: the AD bit says nothing, every answer is
//     [Indeterminate], and the report says so instead of calling the zone
//     unsigned;
//   - [Offline]: the answers came from zone files (resolver.Zones), which
//     carry no AD bit: [ZoneFile], "not verifiable offline". Names outside
//     the files are [Unverified], a status and never a finding.
//
// Lookup costs one query for the MX RRset (none when [Options.MX] is
// given), one for the DNSKEY, one TLSA query per MX host (at most
// [MaxHosts]), one per extra name (at most [MaxNames]), at most one probe,
// and with [Options.Server] one query with CD=1 per SERVFAIL.
//
// [Assess] is the classification alone, for packages such as dane that
// ask their own questions.
package dnssec
