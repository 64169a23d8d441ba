// Package zoneedit edits an RFC 1035 master file as text, the way a
// person would: it finds the lines each record stands on, deletes records
// and adds new ones, and leaves every other line — comments, order,
// formatting, $ORIGIN and $TTL — as it was.
//
// A map of the package:
//
//   - [Parse] splits a zone file's text into statements, relative to the
//     zone's apex until a $ORIGIN says otherwise.
//   - Where things are: [File.LineOf] places a finding (owner, type, the
//     record text it quotes) on its 1-based line, [File.Line] a record,
//     [File.Lines] the lines a record to delete spans, [File.AddLine] the
//     line a record to add goes before. SARIF output (package sarif) and
//     checktest's messages point at lines with them.
//   - Edits: [File.Apply] makes a fix's [lint.Edit]s, all or none (a
//     deletion followed by an addition of the same owner and type replaces
//     the record in its lines); [File.BumpSerial] raises the SOA serial as
//     a person does (YYYYMMDDnn, or by one).
//   - [File.String] is the text with the edits made.
//
// Records from $INCLUDE and $GENERATE have no line of their own here and
// are not placed. zoneedit proves nothing: package zonefix applies a
// check's fixes through it and keeps only those that re-check clean.
package zoneedit
