package tagvalue

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDuplicates: a tag named twice (in any case) is a problem, among a
// few tags and among many.
func TestDuplicates(t *testing.T) {
	for _, n := range []int{2, manyTags - 1, manyTags, manyTags + 1, 100} {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "t%d=v; ", i)
		}
		b.WriteString("T1=again")
		tags, probs := Parse(b.String())
		if len(tags) != n+1 || len(probs) != 1 || !strings.Contains(probs[0].Reason, "more than once") {
			t.Errorf("%d tags and a repeat: %d tags, problems %v", n, len(tags), probs)
		}
	}
}

// TestManyTagsLinear: a hostile record of 20,000 distinct tags parses in
// linear time (tags compared pairwise would take seconds).
func TestManyTagsLinear(t *testing.T) {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "t%d=1;", i)
	}
	start := time.Now()
	tags, probs := Parse(b.String())
	if took := time.Since(start); took > 500*time.Millisecond || len(tags) != 20000 || len(probs) != 0 {
		t.Errorf("took %v, %d tags, %d problems", took, len(tags), len(probs))
	}
}

// TestDuplicatesLowercased: names are the same when lowercased, as they
// were compared before the linear scan, among a few tags and among many:
// an invalid name that only case-folds to a later one ("ſ", "s") is no
// repeat, one that lowercases to it (the Kelvin sign, "k") is.
func TestDuplicatesLowercased(t *testing.T) {
	for _, n := range []int{0, manyTags} {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "t%d=v; ", i)
		}
		pre := b.String()
		_, probs := Parse(pre + "\u017f=1; s=2")
		for _, p := range probs {
			if strings.Contains(p.Reason, "more than once") {
				t.Errorf("%d tags before: %q is no repeat of \"ſ\": %v", n, "s", p)
			}
		}
		_, probs = Parse(pre + "\u212a=1; k=2")
		found := false
		for _, p := range probs {
			found = found || strings.Contains(p.Reason, "more than once")
		}
		if !found {
			t.Errorf("%d tags before: \"k\" after the Kelvin sign not reported as a repeat: %v", n, probs)
		}
	}
}
