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
//
// # Judgement calls
//
//   - Records at the wrong name are dmarc.misplaced: v=DMARC1 at the
//     domain itself (one more question, the domain's TXT records, which
//     the SPF check asks too), or an SPF record at _dmarc. When the
//     misplaced record is the only policy there is, the finding is an
//     error and stands in for dmarc.missing.
//   - A _dmarc record wrapped in literal quote characters, or starting
//     with whitespace, is skipped by receivers ([IsDMARC] rejects both, as
//     spf.IsSPF does): Lookup says so (dmarc.unrecognized, with the record
//     as it should be) instead of dmarc.missing.
//   - Report destinations must receive mail (dmarc.rua-no-mx): one MX
//     question per destination domain, at most [MaxReportChecks]; a
//     domain without MX is asked for A and AAAA, since RFC 5321 §5.1
//     delivers to those ("implicit MX"), and only one with neither, with a
//     null MX, or NXDOMAIN is flagged. A destination in another
//     organization is checked only once it authorizes the reports, so one
//     problem makes one finding and the questions stay within the
//     authorization checks' bound.
//   - A lookup that times out or fails (SERVFAIL, REFUSED) while checking
//     report authorization or a destination's MX is "could not check"
//     ([ReportAuth].Err, [ReportHost].Err), never "unauthorized" nor
//     "no MX"; offline, a destination outside the zone files is "not
//     verified offline". Neither is a finding.
//   - np= applies to a domain that does not exist, and only NXDOMAIN says
//     that (RFC 8020); NODATA is existence, as receivers read it. But a
//     server that answers NODATA for names that do not exist ("black
//     lies", compact denial of existence, RFC 9824; a wildcard does the
//     same) gives that answer either way. After a NODATA, Lookup asks a
//     random name beside the domain: when it gets NODATA too,
//     [Discovery].ExistsNote says so, and dmarc.existence-unknown (info)
//     when np= differs from the policy that applies otherwise.
//   - The public suffix list's private section (github.io, herokuapp.com
//     and other vendors' and institutions' domains) makes each customer's
//     name an organizational domain for RFC 7489; the RFC 9989 tree walk
//     stops only at a psd=n record or the top, and may apply the vendor's
//     policy. dmarc.algorithms-differ names both; the fixtures
//     testdata/psl-*.zone pin it.
//   - RFC 9989's policy is the Author Domain's record, else its
//     organizational domain's, else its Public Suffix Domain's (§4.10.1):
//     not the first record the tree walk meets. A record between the
//     domain and its organizational domain (at mid.example.com for mail
//     from x.mid.example.com, when example.com has one too and neither
//     says psd=n) decides nothing.
//   - A record without a valid p=, or with an sp= (np=, for RFC 9989)
//     that is not valid, is applied as p=none when rua= holds a
//     syntactically valid URI (an https: one counts), and not at all
//     otherwise: [Evaluate] returns result none (RFC 7489 §6.6.3 step 6,
//     RFC 9989 §4.10.1).
package dmarc
