package zonesrc

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Position is a place in a source file: 1-based line and column (in
// bytes), as editors and compilers count them. The zero Position is "no
// particular place" (a record the provider adds, such as its SOA).
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// IsZero reports whether p points nowhere.
func (p Position) IsZero() bool { return p == Position{} }

// String renders "file:line:column", leaving out what is unknown.
func (p Position) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Column > 0 {
			s += ":" + strconv.Itoa(p.Column)
		}
	}
	if s == "" {
		return "-"
	}
	return s
}

// Record is one resource record a source publishes.
type Record struct {
	// Name is the owner, an FQDN without the trailing dot, lowercase,
	// labels escaped as in a master file (RFC 1035 §5.1).
	Name string `json:"name"`
	// Type is the record type's mnemonic: "TXT", "MX".
	Type string `json:"type"`
	// TTL in seconds.
	TTL uint32 `json:"ttl"`
	// Data is the RDATA in presentation form, domain names absolute
	// (with the trailing dot), TXT strings quoted: what follows the type
	// on a master-file line.
	Data string `json:"data"`
	// Pos is where the source defines the record.
	Pos Position `json:"pos"`
	// Comment is the source's comment beside the record, without its
	// comment marker; `want "rule"` and `ignore "rule"` directives in it
	// work as they do in a zone file.
	Comment string `json:"comment,omitempty"`
}

// Note says that a value was not evaluated: a Terraform variable, a
// reference to another resource, a function call, a provider's alias
// record. The record it belongs to is left out (or, when Field says so,
// kept without that value); it is never guessed.
type Note struct {
	Pos Position `json:"pos"`
	// Field is the attribute or key that holds the value ("content",
	// "records"), Expr its source text when there is one.
	Field string `json:"field,omitempty"`
	Expr  string `json:"expr,omitempty"`
	// Message says why, for a human.
	Message string `json:"message"`
	// Name and Type are the record's whose value it is, when known.
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// String renders the note on one line.
func (n Note) String() string {
	s := n.Pos.String() + ": not evaluated"
	if n.Field != "" {
		s += ": " + n.Field
	}
	if n.Expr != "" {
		s += " = " + n.Expr
	}
	return s + ": " + n.Message
}

// Problem is something in a source that its tool or provider refuses, or
// publishes other than the author meant: a TXT string over 255 octets, a
// `;` octoDNS refuses unescaped, the same record set defined twice. Rule
// is the ID of one of [Rules].
type Problem struct {
	Rule    string   `json:"rule"`
	Message string   `json:"message"`
	Pos     Position `json:"pos"`
	// Name and Type are the record's, when the problem is about one.
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// String renders the problem on one line.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Pos, p.Rule, p.Message)
}

// Zone is one DNS zone as a source describes it.
type Zone struct {
	// Origin is the zone's apex, an FQDN without the trailing dot.
	Origin string `json:"origin"`
	// Records in the order the source gives them.
	Records []Record `json:"records"`
	// NotEvaluated lists the values that could not be taken literally.
	NotEvaluated []Note `json:"not_evaluated,omitempty"`
	// Problems are the source-format traps found in the zone's records.
	Problems []Problem `json:"problems,omitempty"`
	// Source names where the zone came from: the file and its format,
	// e.g. "dns/contoso.com.yaml (octodns)".
	Source string `json:"source"`

	curName, curType string // the record being read, for its notes
}

// at says which record the reader is on (its notes name it).
func (z *Zone) at(name, typ string) { z.curName, z.curType = name, typ }

func (z *Zone) add(r Record) { z.Records = append(z.Records, r) }

func (z *Zone) note(n Note) {
	if n.Name == "" {
		n.Name, n.Type = z.curName, z.curType
	}
	z.NotEvaluated = append(z.NotEvaluated, n)
}

// Unknown returns the records the source writes but whose values were not
// evaluated, as "owner TYPE" (owner an FQDN without the dot): the zone
// does not tell what they hold, so they are not verified, never missing.
func (z *Zone) Unknown() []string {
	var out []string
	for _, n := range z.NotEvaluated {
		if n.Name != "" && n.Type != "" {
			out = append(out, strings.ToLower(strings.TrimSuffix(n.Name, "."))+" "+strings.ToUpper(n.Type))
		}
	}
	return out
}

func (z *Zone) problem(rule string, pos Position, name, typ, format string, args ...any) {
	z.Problems = append(z.Problems, Problem{Rule: rule, Pos: pos, Name: name, Type: typ, Message: fmt.Sprintf(format, args...)})
}

// placeholder SOA and NS: the provider publishes its own at the apex, and
// a zone without them does not load.
const (
	placeholderSOA = "ns.zonesrc.invalid. hostmaster.zonesrc.invalid. 1 3600 600 86400 300"
	placeholderNS  = "ns.zonesrc.invalid."
)

// MasterFile renders the zone as an RFC 1035 master file with $ORIGIN and
// absolute names, one record a line, and returns beside it the source
// position of each record line (1-based line numbers of text). Records
// whose data does not parse as a master file are left out; check
// Problems, where they are reported as zonesrc.bad-value when the reader
// found them.
//
// The sources name no SOA and often no NS: the provider adds them. So
// that the zone loads as its server serves it, a placeholder SOA (and NS,
// when the source has none at the apex) under zonesrc.invalid is written,
// marked by a comment and absent from the position map.
func (z *Zone) MasterFile() (text string, lines map[int]Position) {
	var b strings.Builder
	lines = map[int]Position{}
	line := 0
	writeln := func(s string) {
		b.WriteString(s)
		b.WriteByte('\n')
		line++
	}
	origin := absolute(z.Origin)
	writeln("; " + oneLine("zone "+z.Origin+" from "+z.Source+", written by domainlint/zonesrc"))
	writeln("$ORIGIN " + origin)
	hasSOA, hasNS := false, false
	for _, r := range z.Records {
		if strings.EqualFold(r.Name, z.Origin) {
			hasSOA = hasSOA || r.Type == "SOA"
			hasNS = hasNS || r.Type == "NS"
		}
	}
	if !hasSOA {
		writeln(origin + " 3600 IN SOA " + placeholderSOA + " ; zonesrc: the provider's own SOA, not in the source")
	}
	if !hasNS {
		writeln(origin + " 3600 IN NS " + placeholderNS + " ; zonesrc: the provider's own nameservers, not in the source")
	}
	for _, r := range z.Records {
		rr := recordLine(r)
		if rr == "" {
			continue
		}
		if c := oneLine(r.Comment); c != "" {
			rr += " ; " + c
		}
		writeln(rr)
		lines[line] = r.Pos
	}
	return b.String(), lines
}

// recordLine renders r as a master-file line, or "" when it does not
// parse as one.
func recordLine(r Record) string {
	s := fmt.Sprintf("%s %d IN %s %s", absolute(r.Name), r.TTL, r.Type, r.Data)
	if strings.ContainsAny(s, "\n\r") || strings.HasPrefix(s, "$") {
		return ""
	}
	if _, err := dns.NewRR(s); err != nil {
		return ""
	}
	return s
}

// oneLine keeps a comment on its line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "\x00", "")
}

func absolute(name string) string {
	if name == "" || name == "." {
		return "."
	}
	return strings.TrimSuffix(name, ".") + "."
}

// duplicates reports record sets defined twice and identical records.
// rrsets: each source entry is a whole record set (Route 53, Azure, Google
// Cloud DNS, octoDNS), so two entries of one name and type are a conflict
// even when their data differ. group identifies the entry a record came
// from (records of one entry share it).
func (z *Zone) duplicates(rrsets bool, group []int, where string) {
	type key struct{ name, typ string }
	firstGroup := map[key]int{}
	firstPos := map[key]Position{}
	type rkey struct{ name, typ, data string }
	seen := map[rkey]Position{}
	reported := map[key]bool{}
	for i, r := range z.Records {
		k := key{strings.ToLower(r.Name), r.Type}
		if rrsets && group[i] >= 0 {
			if g, ok := firstGroup[k]; !ok {
				firstGroup[k], firstPos[k] = group[i], r.Pos
			} else if g != group[i] && !reported[k] {
				reported[k] = true
				z.problem("zonesrc.duplicate-rrset", r.Pos, r.Name, r.Type,
					"%s %s is defined again here (first at %s): %s", r.Name, r.Type, firstPos[k], where)
			}
		}
		rk := rkey{k.name, k.typ, r.Data}
		if p, ok := seen[rk]; ok && (!rrsets || group[i] < 0 || group[i] == firstGroup[k]) {
			z.problem("zonesrc.duplicate-record", r.Pos, r.Name, r.Type,
				"%s %s %s is given twice (first at %s): a server publishes it once, and the provider may refuse the second", r.Name, r.Type, r.Data, p)
			continue
		}
		if _, ok := seen[rk]; !ok {
			seen[rk] = r.Pos
		}
	}
}

// sortProblems orders problems by position, then rule.
func (z *Zone) sortProblems() {
	slices.SortStableFunc(z.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Rule, b.Rule))
	})
}
