// Package dmarc parses and lints DMARC records, discovers the policy that
// applies to a domain, and evaluates messages against it.
//
// RFC 9989 (DMARCbis) obsoletes RFC 7489 and RFC 9091: it finds the
// organizational domain with a DNS tree walk instead of the public suffix
// list, adds the np, psd and t tags and removes pct, rf and ri. Receivers
// run both for years, so this package speaks both and says where they
// disagree:
//
//   - [Parse] reads a record by either standard ([RFC9989] or the strict
//     [RFC7489]), with byte spans for every tag and report URI;
//   - [Lookup] finds the policy for a domain under both algorithms (the
//     tree walk asks at most [MaxTreeWalk] names), lints the records it
//     finds, and checks that report destinations in other organizations
//     authorize the reports (RFC 7489 §7.1; at most [MaxReportChecks]
//     queries);
//   - [Evaluate] decides identifier alignment and the disposition;
//   - [CheckMessage] runs SPF, DKIM and DMARC on a whole message, explains
//     the verdict step by step and renders an Authentication-Results field.
package dmarc
