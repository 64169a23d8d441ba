package check

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/domainlint/domainlint/lint"
)

// SARIF 2.1.0 (OASIS), the subset domainlint writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
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
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
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

// WriteSARIF writes the reports' findings as one SARIF 2.1.0 log, with the
// whole rule catalogue (Rules) as the tool's rules, so scanners' results
// load into code-scanning tools. Each result's logical location is the DNS
// name and type; artifact, when not empty, is the zone file the findings
// come from.
func WriteSARIF(w io.Writer, reports []*Report, artifact string) error {
	rules := Rules()
	index := map[string]int{}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "domainlint", InformationURI: "https://github.com/domainlint/domainlint"}}, Results: []sarifResult{}}
	for i, r := range rules {
		index[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, ShortDescription: sarifText{r.Summary}, HelpURI: r.URL,
			DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
			Properties:           map[string]any{"citation": r.Citation},
		})
	}
	for _, rep := range reports {
		for _, f := range rep.Findings {
			i, ok := index[f.Rule]
			if !ok {
				return fmt.Errorf("check: finding of unknown rule %q", f.Rule)
			}
			loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Name, FullyQualifiedName: f.Name + " " + f.Type, Kind: "resource"}}}
			if artifact != "" {
				loc.PhysicalLocation = &sarifPhysical{}
				loc.PhysicalLocation.ArtifactLocation.URI = artifact
			}
			props := map[string]any{"domain": rep.Domain, "citation": f.Citation}
			if f.Record != "" {
				props["record"] = f.Record
				props["span"] = f.Span
			}
			if len(f.Fixes) > 0 {
				props["fix"] = f.FixText()
			}
			run.Results = append(run.Results, sarifResult{RuleID: f.Rule, RuleIndex: i, Level: sarifLevel(f.Severity),
				Message: sarifText{f.Message}, Locations: []sarifLocation{loc}, Properties: props})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
