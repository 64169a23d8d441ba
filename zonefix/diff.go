package zonefix

import (
	"fmt"
	"strings"
)

// Diff returns the unified diff (three lines of context) that turns a
// into b, with name as both files' name; "" when they are equal.
func Diff(name, a, b string) string {
	if a == b {
		return ""
	}
	x, y := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	ops := lineDiff(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", name, name)
	const ctx = 3
	// Group the operations into hunks of changes with their context.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			// A run of context longer than 2*ctx ends the hunk.
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		ax, bx := ops[start].ai, ops[start].bi
		an, bn := 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				an++
			}
			if o.kind != '-' {
				bn++
			}
		}
		// An empty side starts at 0 (diff -u writes "-0,0").
		as, bs := ax+1, bx+1
		if an == 0 {
			as = ax
		}
		if bn == 0 {
			bs = bx
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", as, an, bs, bn)
		for _, o := range ops[start:end] {
			line := o.text
			if !strings.HasSuffix(line, "\n") {
				line += "\n\\ No newline at end of file\n"
			}
			out.WriteString(string(o.kind) + line)
		}
		i = end
	}
	return out.String()
}

type op struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // the line indexes in a and b where the op stands
}

// lineDiff is a longest-common-subsequence diff of the lines between the
// common prefix and suffix (fixes change few lines of long files).
func lineDiff(x, y []string) []op {
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		p++
	}
	s := 0
	for s < len(x)-p && s < len(y)-p && x[len(x)-1-s] == y[len(y)-1-s] {
		s++
	}
	var ops []op
	for i := 0; i < p; i++ {
		ops = append(ops, op{' ', x[i], i, i})
	}
	mx, my := x[p:len(x)-s], y[p:len(y)-s]
	if len(mx)*len(my) > 4_000_000 {
		// Too large a middle for the table: all of it replaced.
		for i, l := range mx {
			ops = append(ops, op{'-', l, p + i, p})
		}
		for j, l := range my {
			ops = append(ops, op{'+', l, p + len(mx), p + j})
		}
	} else {
		// lcs[i][j]: the longest common subsequence of mx[i:] and my[j:].
		lcs := make([][]int32, len(mx)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(my)+1)
		}
		for i := len(mx) - 1; i >= 0; i-- {
			for j := len(my) - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(mx) || j < len(my) {
			switch {
			case i < len(mx) && j < len(my) && mx[i] == my[j]:
				ops = append(ops, op{' ', mx[i], p + i, p + j})
				i++
				j++
			case i < len(mx) && (j == len(my) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, op{'-', mx[i], p + i, p + j})
				i++
			default:
				ops = append(ops, op{'+', my[j], p + i, p + j})
				j++
			}
		}
	}
	for k := 0; k < s; k++ {
		i, j := len(x)-s+k, len(y)-s+k
		ops = append(ops, op{' ', x[i], i, j})
	}
	// Drop the empty last "line" after a final newline.
	for len(ops) > 0 && ops[len(ops)-1].text == "" {
		ops = ops[:len(ops)-1]
	}
	return ops
}
