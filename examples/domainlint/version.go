package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/domainlint/domainlint/check"
)

// buildInfo is the version of the command, as the Go toolchain recorded
// it in the binary.
type buildInfo struct {
	// Version is the main module's version: a release (v1.2.3), a
	// pseudo-version, or "(devel)" for a build from a checkout the
	// toolchain did not stamp.
	Version string `json:"tool_version"`
	// Revision is the VCS revision built, when recorded, with
	// "+modified" when the work tree had changes.
	Revision string `json:"revision,omitempty"`
	// SchemaVersion is the report schema's (check.SchemaVersion).
	SchemaVersion string `json:"schema_version"`
}

// versionOf reads the build information debug.ReadBuildInfo returned.
func versionOf(bi *debug.BuildInfo, ok bool) buildInfo {
	v := buildInfo{Version: "(devel)", SchemaVersion: check.SchemaVersion}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if v.Revision != "" && modified {
		v.Revision += "+modified"
	}
	return v
}

// version is this binary's, read once.
var version = sync.OnceValue(func() buildInfo { return versionOf(debug.ReadBuildInfo()) })

var semverRE = regexp.MustCompile(`^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

// SemanticVersion is the version as Semantic Versioning 2.0 writes it,
// for SARIF's tool.driver.semanticVersion: a release or pseudo-version
// without its "v"; a development build is 0.0.0-devel, with the first 12
// characters of its revision as build metadata when known.
func (v buildInfo) SemanticVersion() string {
	if m := semverRE.FindStringSubmatch(v.Version); m != nil {
		return m[1]
	}
	s := "0.0.0-devel"
	if rev, _, _ := strings.Cut(v.Revision, "+"); rev != "" {
		s += "+" + rev[:min(len(rev), 12)]
	}
	return s
}

// printVersion writes the version: a line for people, or with -format
// json one object.
func printVersion(w io.Writer, format string) int {
	v := version()
	if format == "json" {
		if err := json.NewEncoder(w).Encode(v); err != nil {
			return exitFailure
		}
		return exitOK
	}
	fmt.Fprintf(w, "domainlint %s", v.Version)
	if v.Revision != "" {
		fmt.Fprintf(w, " (revision %s)", v.Revision)
	}
	fmt.Fprintf(w, "\nreport schema %s (check/report.schema.json)\n", v.SchemaVersion)
	return exitOK
}

// jsonReport is a line of -format json: check.Report with the versions of
// the schema it follows and of the tool that wrote it, after the domain
// (every line still starts {"domain":", which -resume relies on). The
// versions are the command's, not the library's: check.Report stays the
// library's data, and a program that encodes reports itself writes what
// it is.
type jsonReport struct {
	Domain        string `json:"domain"`
	SchemaVersion string `json:"schema_version"`
	ToolVersion   string `json:"tool_version"`
	*check.Report
}

func newJSONReport(rep *check.Report) jsonReport {
	return jsonReport{Domain: rep.Domain, SchemaVersion: check.SchemaVersion, ToolVersion: version().Version, Report: rep}
}
