// Package dkim lints DKIM key records and verifies DKIM signatures.
//
//   - [ParseKey] reads a key record (RFC 6376 §3.6.1; Ed25519 keys per RFC
//     8463) with the byte span of every tag, decodes p= into a public key
//     (RSA as PKIX or, per RFC 6376 erratum 3017, bare PKCS#1) and reports
//     its type and size.
//   - [Lookup] fetches <selector>._domainkey.<domain>, following CNAME
//     chains: Microsoft 365 publishes selector1 and selector2 as CNAMEs into
//     the tenant, so the chain is part of the answer and of every finding
//     about it. A target that does not exist is dkim.dangling-cname (in
//     Microsoft 365: DKIM signing not enabled), a loop or an over-long chain
//     dkim.cname-loop.
//   - [Discover] probes many selectors at once, [DefaultSelectors] when none
//     are given.
//   - [Verify] verifies every DKIM-Signature of a message with
//     github.com/emersion/go-msgauth over a resolver.Resolver, and lints the
//     keys that signed it. A key lookup that fails temporarily makes the
//     signature temperror, never fail.
//
// Errors are for what could not be checked; everything wrong with the
// records is a lint.Finding from [Rules].
package dkim
