// Package tlsrpt checks a domain's SMTP TLS Reporting record (RFC 8460):
// the TXT record at _smtp._tls.<domain> that tells sending MTAs where to
// report failures to establish TLS with the domain's MX hosts.
//
// [Parse] reads "v=TLSRPTv1; rua=…" with byte spans; rua holds one or
// more mailto: or https: URIs separated by commas. [Lookup] asks for the
// record (one query) and lints it. A TLS-RPT record is optional, but once
// the domain publishes MTA-STS or DANE senders can refuse its mail over
// TLS problems, and without reports nobody hears of it: the caller says
// so with Options.MTASTS (from mtasts.Report.Published) and Options.DANE,
// and a missing record is then tlsrpt.missing.
//
// A name outside the zone files in an offline check is "not verified
// offline" (Report.Status StatusUnverified), never missing.
package tlsrpt
