// Package bimi checks a domain's Brand Indicators for Message
// Identification (draft-brand-indicators-for-message-identification): the
// BIMI Assertion Record at <selector>._bimi.<domain>, the DMARC policy
// BIMI requires, and, optionally, the SVG indicator the record points at.
//
//   - [Parse] reads "v=BIMI1; l=…; a=…" (§4.3): v first, l= required
//     (empty with an empty a= is a declination, §4.3.1), single https:
//     URIs, lps= and avp= values.
//   - [Lookup] asks for the record at the domain, then at its
//     organizational domain (§7.2; at most two queries). BIMI needs DMARC
//     at enforcement (§1): p=quarantine or p=reject for the domain and its
//     organizational domain, no pct below 100, no t=y, and no sp=none.
//     Lookup takes the DMARC policy as input (Options.DMARC, the
//     *dmarc.Discovery of dmarc.Lookup, and Options.OrgDMARC for a
//     subdomain with a record of its own) and asks no _dmarc names.
//   - With Options.Fetch, Lookup fetches the indicator over HTTPS through
//     the check's resolver (at most [MaxSVGBytes], within
//     Options.Timeout, no redirects) and applies [CheckSVG], the basic
//     SVG Tiny PS checks: baseProfile="tiny-ps", version 1.2, a title, a
//     square viewBox, no scripts, event handlers, animation,
//     foreignObject, images or external references. It is not a full
//     profile validation, and the a= mark certificate is not fetched.
//
// Fetching is off in the zero Options: an offline check (zone files, no
// fallback) must not reach the network, and the caller who runs live
// sets Options.Fetch. A name outside the zone files is "not verified
// offline" (Report.Status, Indicator.Status), never missing.
package bimi
