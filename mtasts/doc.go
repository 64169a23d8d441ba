// Package mtasts checks a domain's SMTP MTA Strict Transport Security
// (RFC 8461): the _mta-sts TXT record, the policy file served over HTTPS,
// and the domain's MX hosts against the policy's mx patterns.
//
//   - [ParseRecord] reads "v=STSv1; id=…" (§3.1) and [ParsePolicy] the
//     policy file (§3.2: version, mode, mx, max_age, LF or CRLF lines,
//     unknown keys kept and ignored), both with byte spans; [Match] is
//     the mx pattern rule of §4.1, where "*." stands for exactly one
//     label.
//   - [Lookup] asks for the record (one query) and, when told to, fetches
//     https://mta-sts.<domain>/.well-known/mta-sts.txt: the host name is
//     resolved through the check's resolver (two queries), so a zone file
//     can point it at a test server; TLS is verified against the system
//     roots (SSL_CERT_FILE and SSL_CERT_DIR honoured) plus Options.Roots;
//     redirects are not followed (§3.3); only a 200 counts; the media
//     type must be text/plain; at most [MaxPolicyBytes] are read within
//     Options.Timeout. Then it looks up the MX records (one query) and
//     says, for each MX host no pattern matches, what happens to mail:
//     in enforce mode senders skip that host (and deliver nothing when
//     no host matches), in testing mode they deliver and report.
//
// Fetching is off in the zero Options: an offline check (zone files, no
// fallback) must not reach the network, and the caller who runs live
// sets Options.Fetch. Options.Policy lints a policy file about to be
// deployed instead. Names outside the zone files are "not verified
// offline" (Report.Status, PolicyResult.Status, Report.MXStatus), never
// missing.
//
// A changed policy needs a changed id (§3.1), which one look from outside
// cannot tell. Keep Report.Seen (the id and the policy's SHA-256) from a
// check and pass it as Options.Previous to the next: a policy that
// changed under the same id is reported as mtasts.id-unchanged.
package mtasts
