package lint

import (
	"cmp"
	"slices"
)

// Collector gathers findings as a check makes them and keeps only what
// Bound would keep: per rule and name the first MaxPerRule+1 in Sort's
// order, and a count of the rest. Its memory grows with the number of
// rules and names, not of findings: a record of 30,000 one-octet strings
// makes 30,000 string-boundary findings, and a walk of such records held
// them all (about 100 MB a domain) until Bound ran at its end. The zero
// Collector is ready to use; it is not safe for concurrent use.
type Collector struct {
	buckets map[bucketKey]*bucket
	order   []*bucket // in the order their first finding came
	seq     int
}

type bucketKey struct{ rule, name string }

type bucket struct {
	kept  []seqFinding // at most MaxPerRule+1, in Sort's order
	count int
}

type seqFinding struct {
	Finding
	seq int // insertion order: Sort is stable
}

func compareSeq(a, b seqFinding) int {
	return cmp.Or(
		cmp.Compare(a.Severity, b.Severity),
		cmp.Compare(a.Span.Start, b.Span.Start),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.seq, b.seq),
	)
}

// Add adds findings.
func (c *Collector) Add(fs ...Finding) {
	if c.buckets == nil {
		c.buckets = map[bucketKey]*bucket{}
	}
	for _, f := range fs {
		k := bucketKey{f.Rule, f.Name}
		b := c.buckets[k]
		if b == nil {
			b = &bucket{}
			c.buckets[k] = b
			c.order = append(c.order, b)
		}
		b.count++
		c.seq++
		sf := seqFinding{f, c.seq}
		i, _ := slices.BinarySearchFunc(b.kept, sf, compareSeq)
		switch {
		case len(b.kept) < MaxPerRule+1:
			b.kept = slices.Insert(b.kept, i, sf)
		case i < len(b.kept):
			copy(b.kept[i+1:], b.kept[i:len(b.kept)-1])
			b.kept[i] = sf
		}
	}
}

// Len returns the number of findings added.
func (c *Collector) Len() int { return c.seq }

// Findings returns Bound of every finding added.
func (c *Collector) Findings() []Finding {
	var out []Finding
	for _, b := range c.order {
		for i, f := range b.kept {
			switch {
			case i < MaxPerRule || b.count == MaxPerRule+1:
				out = append(out, clip(f.Finding))
			default:
				out = append(out, foldNote(f.Finding, b.count))
			}
		}
	}
	Sort(out)
	return out
}
