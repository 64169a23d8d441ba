// Package m365 diffs a domain's zone against the record set Microsoft 365
// expects (records.Set) and says where the domain stands in Microsoft's
// onboarding order, as a check of package analysis.
//
// The map of the part:
//
//   - [NewCheck] is the check ("m365"): it requires the SPF and DKIM
//     checks (spf.NewCheck, dkim.NewCheck), reads their results through
//     Pass.ResultOf — the SPF tree for the includes behind the record, the
//     DKIM selectors for whose keys resolve — and returns a [*Result]: the
//     diff, one [Entry] per expected record with its [Status] (ok,
//     missing, wrong, conflict, error) and why.
//   - [Rules] are its rules (m365.missing, m365.wrong, m365.conflict, …,
//     and the expected set's own); each finding carries its fix as edits
//     computed from what is published, so that applying one never loses a
//     sender, a report address or a tag (an SPF merge through spf.Merge, a
//     DMARC repair through dmarc.Repair).
//   - Where the diff and a protocol check report one defect at one name
//     (m365.missing beside dkim.missing, m365.conflict beside
//     spf.multiple-records, …), the protocol's finding is kept with the
//     diff's fixes first: the check declares those rules in
//     Check.Supersedes and folds them with Pass.Supersede.
//   - [Selectors] are the DKIM selectors a set expects keys at (selector1,
//     selector2), for dkim.CheckOptions.Expected.
//   - [Onboard] reads the [Stage] (unverified, verified, old-provider,
//     cut-over, dkim-pending, signing, dmarc-monitoring, enforcing) and the
//     one next step from a [StageInput]: the diff, the DKIM, DMARC and
//     enforce results and the report's findings.
//
// Package check runs the check by default when Options.Set (or Expect)
// gives a set, and keeps the diff in Report.Diff and the stage in
// Report.Onboarding.
package m365
