// Package zonesrc reads DNS where teams keep it — DNSControl, octoDNS,
// Terraform and Route 53 JSON — into the zone the checks read: an RFC 1035
// master file for each zone, with $ORIGIN and absolute names, and the
// source position of each of its records, so that a finding about a
// record can point at the line that wrote it.
//
//	zones, err := zonesrc.ReadTerraformFS(os.DirFS("."), "dns")
//	for _, z := range zones {
//		text, lines := z.MasterFile()
//		rz, err := resolver.NewZones(resolver.ZoneSource{Origin: z.Origin, Text: text})
//		rep := check.Domain(ctx, rz, z.Origin, opts)
//		// a record's line in text → lines[line], its place in the source
//	}
//
// Each reader applies its tool's own rules to what the zone publishes:
// how it splits and quotes TXT values, how it resolves relative names,
// its defaults. What the tool or its provider would refuse, or publish
// other than the author meant, is a [Problem] of one of the [Rules] —
// a TXT string over 255 octets the tool does not split, an unquoted
// Route 53 TXT value, a `;` octoDNS wants escaped, the same record set in
// two Terraform resources. The record is linted as it was meant, so that
// one defect gives one finding.
//
// Values are taken literally or not at all: a Terraform variable, a
// reference to another resource, a function call, an alias record are
// [Note]s "not evaluated", and the record is left out, never guessed. Read
// a plan (`terraform show -json`, [ReadTerraformPlan]) to lint the values
// Terraform evaluated.
//
// To check sources as the domainlint command's -zone does, [Load] reads
// zone files and DNS-as-code sources alike ([Sources]) and returns the
// resolver that answers from them, with names outside them answered by a
// snapshot (-replay), live DNS or nothing (-offline); [Locate] places a
// finding at its source line and [Findings] are the sources' own traps.
// Package check/checktest sets up its checks the same way.
//
// The readers take untrusted input: each reads at most [MaxInput] bytes
// and returns an error, never panics, on input it cannot read.
package zonesrc
