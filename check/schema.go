package check

import _ "embed"

// SchemaVersion is the version of the report's JSON contract,
// MAJOR.MINOR, described by ReportSchema: a field is added to the
// schema's closed core only with a new MINOR version, and removed,
// renamed or changed only with a new MAJOR one. The domainlint command
// writes it in every JSON line ("schema_version"), beside the version of
// the tool ("tool_version"), and in SARIF in the tool's properties.
const SchemaVersion = "1.0"

//go:embed report.schema.json
var reportSchema []byte

// ReportSchema returns the JSON Schema (draft 2020-12) of a report as the
// domainlint command writes it with -format json: the Report's JSON
// object, with "schema_version" and "tool_version" after "domain". The
// file is check/report.schema.json in the repository.
func ReportSchema() []byte { return append([]byte(nil), reportSchema...) }
