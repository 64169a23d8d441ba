package spf

import (
	"fmt"
	"strings"
)

// Tree renders the walk as indented text, one line per record and per
// lookup-costing term, with the running lookup count on the left: the
// form people paste into tickets.
//
//	contoso.com: 4 of 10 DNS lookups, 0 of 2 void
//	contoso.com "v=spf1 include:spf.protection.outlook.com mx -all" (own 2, total 4)
//	   1  include:spf.protection.outlook.com
//	      spf.protection.outlook.com "v=spf1 …" (own 1, total 1)
//	   …
func (r *Report) Tree() string {
	var b strings.Builder
	atLeast := ""
	if len(r.Unverified) > 0 {
		atLeast = "at least "
	}
	fmt.Fprintf(&b, "%s: %s%d of 10 DNS lookups, %s%d of 2 void", r.Domain, atLeast, r.Lookups, atLeast, r.VoidLookups)
	if r.VoidIPv4 != r.VoidLookups || r.VoidIPv6 != r.VoidLookups {
		fmt.Fprintf(&b, " (%d for IPv4 clients, %d for IPv6)", r.VoidIPv4, r.VoidIPv6)
	}
	if r.CrossedAt != "" {
		fmt.Fprintf(&b, "; the 11th is %s", r.CrossedAt)
	}
	if n := len(r.Unverified); n > 0 {
		fmt.Fprintf(&b, "; %s not verified offline: %s", plural(n, "target"), strings.Join(r.Unverified, ", "))
	}
	if r.Truncated {
		b.WriteString("; walk stopped at its bound")
	}
	b.WriteByte('\n')
	if r.Root != nil {
		writeNode(&b, r.Root, 0)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	return b.String()
}

func writeNode(b *strings.Builder, n *Node, indent int) {
	pad := strings.Repeat(" ", indent)
	switch n.Status {
	case StatusOK:
		fmt.Fprintf(b, "%s%s %q (own %d, total %d)\n", pad, n.Domain, n.Record, n.Own, n.Total)
	case StatusNone:
		fmt.Fprintf(b, "%s%s: no SPF record\n", pad, n.Domain)
	case StatusMultiple:
		fmt.Fprintf(b, "%s%s: %d SPF records (permerror)\n", pad, n.Domain, len(n.Strings))
	case StatusUnverified:
		fmt.Fprintf(b, "%s%s: not verified offline (outside the zone files)\n", pad, n.Domain)
	default:
		fmt.Fprintf(b, "%s%s: %s\n", pad, n.Domain, n.Status)
	}
	for _, t := range n.Terms {
		line := fmt.Sprintf("%s%4d  %s", pad, t.Running, t.Term)
		switch {
		case t.Void:
			line += "  VOID"
		case t.VoidFor == "ipv4":
			line += "  VOID for IPv4 clients"
		case t.VoidFor == "ipv6":
			line += "  VOID for IPv6 clients"
		}
		if t.Note != "" {
			line += "  (" + t.Note + ")"
		}
		b.WriteString(line + "\n")
		if t.Child != nil {
			writeNode(b, t.Child, indent+6)
		}
	}
}
