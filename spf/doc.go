// Package spf parses, lints and evaluates SPF records (RFC 7208).
//
// # Parsing
//
// [Parse] reads a record by the grammar of RFC 7208 §12 and keeps each
// term's byte span; [Record.String] prints it back in canonical form. Text
// that is not an SPF record at all yields [ErrNotSPF]; a broken record, a
// [*SyntaxError] naming the term and its offset.
//
// # Linting and the cost model
//
// [Lint] fetches a domain's record, follows include and redirect through the
// whole tree and returns a [Report] (the tree, printable with
// [Report.Tree]) and findings from [Rules]. Lookups are counted the way
// RFC 7208 §4.6.4 says, as a receiver evaluating every term would:
//
//   - include, a, mx, ptr, exists and redirect each cost 1 toward the limit
//     of 10; an include or redirect adds whatever its target's record costs;
//   - all, ip4, ip6, exp= and unknown modifiers cost nothing;
//   - redirect= next to an all mechanism is never used and costs nothing;
//   - evaluation stops at the first mechanism that matches (§4.6.2), so
//     mechanisms after all, and after an include whose record passes
//     every client (all its mechanisms +, ending in +all), are never
//     reached: they cost nothing and are reported (spf.dead-terms). The
//     include itself is flagged where it matters, as spf.pass-all on the
//     record it reaches;
//   - the address lookups behind an mx (one per MX name) count toward the
//     separate limit of 10 MX names, not toward the 10; the walk asks only
//     for the MX records and flags more than 10 (spf.mx-limit). RFC 7208
//     §4.6.4 can be read two ways: a limit on the MX records returned, or
//     on the address lookups evaluation makes, which a client matching
//     an early host never reaches. spf.mx-limit fires statically, as soon
//     as the target has more than 10 MX records, because Lint's count is
//     the worst case over clients; evaluation by [Check] (like pyspf)
//     counts the records first, so a client matching the first host gets
//     permerror too. Both readings are pinned in the tests;
//   - an mx whose target publishes a null MX (RFC 7505, "MX 0 .")
//     matches no host: it costs its lookup, is not void (the answer holds
//     a record), and "." is not asked for addresses (spf.null-mx on the
//     domain's own records);
//   - ptr costs 1; its lookups depend on the client, so none are made;
//   - a void lookup is one answered NXDOMAIN or with no records (NODATA):
//     an include or redirect target with no TXT records at all, an a
//     target with neither A nor AAAA, an mx target with no MX, an exists
//     target with no A; more than 2 is an error; every void lookup is
//     listed, a repeated void term once per evaluation;
//   - an a target with addresses of one family only is void for clients
//     of the other (RFC 7208 §5.3 asks for the client's family): the
//     report counts voids per family (VoidIPv4, VoidIPv6), the tree marks
//     such terms "VOID for IPv4 clients", and more than 2 for one family
//     is a warning (spf.void-lookup-limit). Each a term costs two
//     questions (A and AAAA), one for NXDOMAIN;
//   - a target built from sender macros (%{s}, %{l}, %{i}, …) cannot be
//     counted statically: the term costs 1 and what lies below it is
//     reported (spf.macro), never guessed. Two macros are known
//     statically and expanded: %{d}, the current domain — inside an
//     included record, the include's own domain, not the one linted —
//     and %{o}, the domain of the sender, which is the domain linted in
//     every record of the tree (so a provider's mx:%{o} looks up the
//     customer's MX);
//   - counting goes on past 10, up to [Linter.MaxWalk] terms, and the
//     report names the term whose lookup was the 11th;
//   - the count is the worst case over clients: every reachable term, as
//     for a client that matches none of them. For one known client,
//     evaluation ([Check]) may stop earlier and count fewer;
//   - where Lint and evaluation report one problem differently, Lint names
//     the cause: an include loop is spf.include-loop (evaluation ends it
//     in permerror through the limit), and a macro target counts 1 and is
//     flagged spf.macro;
//   - a target outside the zone files of an offline check is not looked
//     up (spf.unverified): the count is then a lower bound, and
//     spf.lookup-limit fires only when the verified part alone is over.
//
// DNS answers come from a [resolver.Resolver], so the same walk runs over
// live DNS or over a zone file before it is deployed.
//
// # Records that are not what they look like
//
//   - A TXT record that starts with whitespace, or is wrapped in literal
//     quote characters (`"\"v=spf1 -all\""`, a zone file's quotes typed
//     into a DNS panel), is not an SPF record: RFC 7208 §4.5 selects
//     records that begin with "v=spf1" exactly, and [IsSPF] rejects both,
//     as dmarc.IsDMARC does. When the domain has no SPF record but such a
//     one, Lint says so (spf.unrecognized, with the record as it should
//     be) instead of spf.missing; at an include target it says so in
//     spf.include-missing. [Unwrap] tells the two apart.
//   - A Sender ID record (spf2.0/…, RFC 4406, historic since RFC 6686)
//     beside or instead of SPF is spf.sender-id: no receiver evaluates
//     it, and its list of senders drifts from the SPF record's.
//
// # Evaluation
//
// [Check] computes check_host() over the resolver by walking the terms
// this package's strict parser made of each record it reaches: a record
// that breaks the grammar anywhere is a permerror before any of its terms
// is evaluated, as RFC 7208 §4.6 requires. The lookup limits of §4.6.4
// (10 DNS mechanisms and redirects, 2 void lookups, 10 MX records per mx,
// 10 PTR names) and the macro expansion of §7 (names over 253 characters
// lose labels on the left) are the evaluator's own. The RFC 7208 test
// suite runs in this package's tests with no scenario skipped, and
// generated worlds are compared with pyspf and Mail::SPF.
package spf
