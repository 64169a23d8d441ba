package main

import (
	"fmt"
	"io"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/domainlint/domainlint/zonesrc"
)

// notEvaluated says, once, which source values were not taken literally.
func notEvaluated(w io.Writer, loaded []*zonesrc.Loaded) {
	for _, l := range loaded {
		for _, n := range l.Zone.NotEvaluated {
			fmt.Fprintf(w, "domainlint: %s:%d: not evaluated: %s\n", n.Pos.File, n.Pos.Line, n.Message)
		}
	}
}

func locate(loaded []*zonesrc.Loaded) func(f lint.Finding) (string, int) {
	return func(f lint.Finding) (string, int) { return zonesrc.Locate(loaded, f) }
}

// zoneLocate places a finding at its record's line in a zone file, for
// the text output (nil when the file cannot be read again).
func zoneLocate(file, origin string) func(f lint.Finding) (string, int) {
	_, zf, err := zoneedit.ReadFile(file, origin)
	if err != nil {
		return nil
	}
	return func(f lint.Finding) (string, int) {
		if line := zf.Place(f, origin); line > 0 {
			return file, line
		}
		return "", 0
	}
}
