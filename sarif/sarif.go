// Package sarif writes domainlint's reports (check.Report) as one SARIF
// 2.1.0 log (OASIS), the format code-scanning tools load — GitHub's
// among them.
//
//   - [Write] writes a slice of reports; [NewWriter] streams them, a
//     report's results written as it is added, so that a sweep's log
//     holds no more in memory than its JSON. The output is the same.
//   - [Options] say where findings stand. With none, a result points at
//     its DNS name and type (a logical location). With a zone file
//     (Artifact) and its lines (Line, from zoneedit's File.LineOf), each
//     result points at its record's line, and the columns of its span
//     (LineText); with Lines and AddLine, a fix's edits become SARIF
//     replacements. A DNS-as-code source (package zonesrc) places each
//     finding itself (Locate).
//   - The tool's rules are the whole catalogue, or Options.Rules; a
//     finding of a rule not in it is an error, never a silent result.
//     The driver's properties carry the report schema's version
//     (check.SchemaVersion).
package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
)

// SARIF 2.1.0 (OASIS), the subset domainlint writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactURI `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind,omitempty"`
	Results            []sarifResult               `json:"results"`
}

// sarifArtifactURI is an artifactLocation: a URI, relative to the root
// its uriBaseId names when it has one.
type sarifArtifactURI struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string         `json:"name"`
	Version         string         `json:"version,omitempty"`
	SemanticVersion string         `json:"semanticVersion,omitempty"`
	InformationURI  string         `json:"informationUri"`
	Properties      map[string]any `json:"properties,omitempty"`
	Rules           []sarifRule    `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Fixes      []sarifFix      `json:"fixes,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactURI `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifText           `json:"description"`
	ArtifactChanges []sarifArtifactEdit `json:"artifactChanges"`
}

type sarifArtifactEdit struct {
	ArtifactLocation sarifArtifactURI   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifLines `json:"deletedRegion"`
	InsertedContent *sarifText `json:"insertedContent,omitempty"`
}

type sarifLines struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func sarifLevel(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Warning:
		return "warning"
	}
	return "note"
}

// Write writes the reports' findings as one log, as opts says.
func Write(w io.Writer, reports []*check.Report, opts Options) error {
	sw := NewWriter(w, opts)
	for _, rep := range reports {
		if err := sw.Add(rep); err != nil {
			return err
		}
	}
	return sw.Close()
}

// Options say what a log holds beyond the reports' findings: the tool's
// version, where the findings stand (a zone file and its lines, or the
// files of a DNS-as-code source), and the rule catalogue. The zero
// Options write every finding at its DNS name alone, with the whole
// catalogue (check.Rules).
type Options struct {
	// ToolVersion is the tool's version as it names itself
	// (tool.driver.version), and SemanticVersion the same in Semantic
	// Versioning 2.0, without a "v" (tool.driver.semanticVersion); empty:
	// left out. The driver's properties carry check.SchemaVersion as
	// "reportSchemaVersion" whatever they are.
	ToolVersion, SemanticVersion string
	// Artifact is the zone file the findings are about, as the log names
	// it: a path relative to the repository root (with slashes), for code
	// scanning.
	Artifact string
	// BaseID, when set, is the uriBaseId Artifact is relative to
	// ("SRCROOT", which code-scanning tools resolve to the repository
	// root), and BaseURI, when set too, where that root is: an absolute
	// URI ending in "/" (file:///src/repo/), written as the run's
	// originalUriBaseIds.
	BaseID, BaseURI string
	// LineText, when set with Line, gives the text of a line of Artifact
	// (from 1): a finding whose record text (the text its span is in)
	// stands once on its line gets the columns of its span as well
	// (startColumn, endColumn, in Unicode code points: the run's
	// columnKind); the whole record's for a zero span.
	LineText func(line int) string
	// Line, when set, gives the 1-based line of the record a finding is
	// about in Artifact, or 0 when the file holds no such record (the
	// finding then points at the domain alone). zoneedit's
	// File.LineOf is one.
	Line func(f lint.Finding) int
	// Locate, when set, places each finding itself: the file (relative
	// to the repository root) and 1-based line of what wrote the record,
	// "" and 0 for none. It is for sources that are not one zone file (a
	// Terraform module, octoDNS YAML), and takes the place of Artifact and
	// Line.
	Locate func(f lint.Finding) (uri string, line int)
	// Lines, when set, gives the lines a record to delete stands on, and
	// AddLine the line a record to add goes before, so that a fix's edits
	// become SARIF replacements (0, 0 when not found). Without them, fixes
	// are only in the results' properties, as text.
	Lines   func(rr string) (first, last int)
	AddLine func(rr string) int
	// Rules is the catalogue written as the tool's rules: that of the
	// checks that ran (check.Rules() when nil). A finding of a rule not
	// in it is an error.
	Rules []lint.Rule
}

// NewWriter returns a Writer that writes one log to w, a report at a
// time, so that a sweep's SARIF holds no more in memory than its JSON:
// the tool and its rules first, then each report's results as it is
// added, then the end of the log at Close. The output is what Write gives
// for the same reports. After an error (a finding of a rule not in the
// catalogue, or w's), the log is incomplete and the writer writes no more.
func NewWriter(w io.Writer, opts Options) *Writer {
	return &Writer{s: opts, w: w}
}

// Writer streams one SARIF log; see NewWriter.
type Writer struct {
	s       Options
	w       io.Writer
	index   map[string]int // rule ID → its index in the tool's rules
	tail    []byte         // what closes the log after the results
	results int
	err     error
}

// start writes the log up to its results.
func (sw *Writer) start() error {
	if sw.index != nil || sw.err != nil {
		return sw.err
	}
	rules := sw.s.Rules
	if rules == nil {
		rules = check.Rules()
	}
	sw.index = map[string]int{}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "domainlint", Version: sw.s.ToolVersion, SemanticVersion: sw.s.SemanticVersion,
		InformationURI: "https://github.com/domainlint/domainlint", Properties: map[string]any{"reportSchemaVersion": check.SchemaVersion}}}, Results: []sarifResult{}}
	if sw.s.Artifact != "" && sw.s.BaseID != "" && sw.s.BaseURI != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactURI{sw.s.BaseID: {URI: sw.s.BaseURI}}
	}
	if sw.s.LineText != nil {
		run.ColumnKind = "unicodeCodePoints"
	}
	for i, r := range rules {
		sw.index[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, ShortDescription: sarifText{r.Summary}, HelpURI: r.URL,
			DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
			Properties:           map[string]any{"citation": r.Citation},
		})
	}
	doc, err := json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		sw.err = err
		return err
	}
	// The empty results array is the last one in the document (a string
	// holding the same text would have its quotes escaped): the results
	// go between its brackets.
	const empty = `"results": []`
	at := bytes.LastIndex(doc, []byte(empty)) + len(empty) - 1
	sw.tail = append(doc[at:len(doc):len(doc)], '\n')
	_, sw.err = sw.w.Write(doc[:at])
	return sw.err
}

// Add writes the results of one report's findings.
func (sw *Writer) Add(rep *check.Report) error {
	if err := sw.start(); err != nil {
		return err
	}
	s := sw.s
	artifact := s.Artifact
	var buf bytes.Buffer
	for _, f := range rep.Findings {
		i, ok := sw.index[f.Rule]
		if !ok {
			sw.err = fmt.Errorf("sarif: finding of unknown rule %q", f.Rule)
			return sw.err
		}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Name, FullyQualifiedName: f.Name + " " + f.Type, Kind: "resource"}}}
		line, uri := 0, artifact
		switch {
		case s.Locate != nil:
			uri, line = s.Locate(f)
		case artifact != "" && s.Line != nil:
			line = s.Line(f)
		}
		if uri != "" && (s.Line == nil && s.Locate == nil || line > 0) {
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifactURI{URI: uri, URIBaseID: s.BaseID}}
			if line > 0 {
				loc.PhysicalLocation.Region = s.region(f, line)
			}
		}
		props := map[string]any{"domain": rep.Domain, "citation": f.Citation}
		if f.Record != "" {
			props["record"] = f.Record
			props["span"] = f.Span
		}
		if len(f.Fixes) > 0 {
			props["fix"] = f.FixText()
		}
		res, err := json.MarshalIndent(sarifResult{RuleID: f.Rule, RuleIndex: i, Level: sarifLevel(f.Severity),
			Message: sarifText{f.Message}, Locations: []sarifLocation{loc}, Fixes: s.fixes(f), Properties: props}, "        ", "  ")
		if err != nil {
			sw.err = err
			return err
		}
		if sw.results > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n        ")
		buf.Write(res)
		sw.results++
	}
	_, sw.err = sw.w.Write(buf.Bytes())
	return sw.err
}

// Close writes the end of the log.
func (sw *Writer) Close() error {
	if err := sw.start(); err != nil {
		return err
	}
	if sw.results > 0 {
		if _, sw.err = io.WriteString(sw.w, "\n      "); sw.err != nil {
			return sw.err
		}
	}
	_, sw.err = sw.w.Write(sw.tail)
	if sw.err == nil {
		sw.err = errors.New("sarif: log already closed")
		return nil
	}
	return sw.err
}

// fixes turns a finding's fixes into SARIF fixes on the artifact: a
// deletion replaces the record's lines with nothing, an addition inserts a
// line where AddLine says. A fix whose deletions cannot be
// placed is left out (it is still in the properties as text).
func (s Options) fixes(f lint.Finding) []sarifFix {
	if s.Artifact == "" || s.Lines == nil || s.AddLine == nil {
		return nil
	}
	var out []sarifFix
	for _, x := range f.Fixes {
		if len(x.Edits) == 0 {
			continue
		}
		ch := sarifArtifactEdit{ArtifactLocation: s.artifactURI()}
		ok := true
	edits:
		for _, e := range x.Edits {
			switch e.Op {
			case lint.Delete:
				first, last := s.Lines(e.RR)
				if first == 0 {
					// The fix is left out: its other edits need no placing.
					ok = false
					break edits
				}
				ch.Replacements = append(ch.Replacements, sarifReplacement{DeletedRegion: sarifLines{StartLine: first, StartColumn: 1, EndLine: last + 1, EndColumn: 1}})
			case lint.Add:
				at := s.AddLine(e.RR)
				ch.Replacements = append(ch.Replacements, sarifReplacement{DeletedRegion: sarifLines{StartLine: at, StartColumn: 1, EndLine: at, EndColumn: 1},
					InsertedContent: &sarifText{e.RR + "\n"}})
			}
		}
		if ok {
			out = append(out, sarifFix{Description: sarifText{x.Message}, ArtifactChanges: []sarifArtifactEdit{ch}})
		}
	}
	return out
}

func (s Options) artifactURI() sarifArtifactURI {
	return sarifArtifactURI{URI: s.Artifact, URIBaseID: s.BaseID}
}

// region is where f stands on line: the line, and the columns of its span
// when its record text stands once on the line (LineText).
func (s Options) region(f lint.Finding, line int) *sarifRegion {
	r := &sarifRegion{StartLine: line}
	if s.LineText == nil || f.Record == "" {
		return r
	}
	text := s.LineText(line)
	at := strings.Index(text, f.Record)
	if at < 0 || strings.Count(text, f.Record) != 1 {
		return r
	}
	start, end := f.Span.Start, f.Span.End
	if f.Span.IsZero() {
		start, end = 0, len(f.Record)
	}
	if start < 0 || end < start || end > len(f.Record) || !utf8.ValidString(f.Record[:start]) || !utf8.ValidString(f.Record[start:end]) {
		return r
	}
	col := utf8.RuneCountInString(text[:at]) + 1
	r.StartColumn = col + utf8.RuneCountInString(f.Record[:start])
	r.EndColumn = r.StartColumn + utf8.RuneCountInString(f.Record[start:end])
	return r
}
