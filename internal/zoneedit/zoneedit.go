// Package zoneedit edits an RFC 1035 master file as text: it finds the
// lines each record stands on, deletes records and adds new ones, and
// leaves every other line — comments, order, formatting — as it was. The
// CLI's -fix and SARIF's line numbers use it.
package zoneedit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/miekg/dns"
)

// File is a master file split into statements.
type File struct {
	lines  []string
	stmts  []stmt
	origin string // the origin given to Parse: the first owner
}

// stmt is one logical line: a record (possibly spanning lines inside
// parentheses), a directive, a comment or a blank line.
type stmt struct {
	first, last int    // line indexes, inclusive
	rr          dns.RR // nil for anything but a record this package can place
	origin      string // the $ORIGIN in force
	deleted     bool
	blankOwner  bool     // the record's line leaves the owner to the one before
	added       []dns.RR // records added after this statement
}

// Parse splits text into statements. origin is the zone's apex, used
// until a $ORIGIN says otherwise. Records from $INCLUDE and $GENERATE are
// not placed (they have no line of their own here).
func Parse(text, origin string) (*File, error) {
	origin = dns.Fqdn(strings.ToLower(origin))
	f := &File{lines: strings.Split(text, "\n"), origin: origin}
	ttl := uint32(3600)
	owner := origin
	for i := 0; i < len(f.lines); {
		first := i
		depth := 0
		for {
			depth += parenDepth(f.lines[i])
			i++
			if depth <= 0 || i == len(f.lines) {
				break
			}
		}
		st := stmt{first: first, last: i - 1, origin: origin}
		body := strings.Join(f.lines[first:i], "\n")
		code := strings.TrimSpace(stripComment(body))
		switch {
		case code == "":
		case strings.HasPrefix(code, "$"):
			fields := strings.Fields(code)
			switch strings.ToUpper(fields[0]) {
			case "$ORIGIN":
				if len(fields) > 1 {
					origin = absolute(fields[1], origin)
					st.origin = origin
				}
			case "$TTL":
				if len(fields) > 1 {
					if v, err := strconv.ParseUint(fields[1], 10, 32); err == nil {
						ttl = uint32(v)
					}
				}
			}
		default:
			src := body
			if body[0] == ' ' || body[0] == '\t' {
				src = owner + body // the previous owner continues
				st.blankOwner = true
			}
			zp := dns.NewZoneParser(strings.NewReader(fmt.Sprintf("$TTL %d\n%s\n", ttl, src)), origin, "")
			if rr, ok := zp.Next(); ok && zp.Err() == nil {
				rr.Header().Name = strings.ToLower(rr.Header().Name)
				st.rr = rr
				owner = rr.Header().Name
			}
		}
		f.stmts = append(f.stmts, st)
	}
	return f, nil
}

func absolute(name, origin string) string {
	if name == "@" {
		return origin
	}
	if dns.IsFqdn(name) {
		return strings.ToLower(name)
	}
	return strings.ToLower(name) + "." + origin
}

// parenDepth is the change of parenthesis depth on a line, outside quotes
// and comments.
func parenDepth(line string) int {
	d, quoted := 0, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			return d
		case c == '(':
			d++
		case c == ')':
			d--
		}
	}
	return d
}

// stripComment drops comments (outside quotes) from each line.
func stripComment(s string) string {
	var b strings.Builder
	quoted := false
	skip := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			skip = false
		case skip:
			continue
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			i++
			c = s[i]
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			skip = true
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// same reports whether two records are one: owner, class, type and data,
// whatever the TTL.
func same(a, b dns.RR) bool {
	return strings.EqualFold(a.Header().Name, b.Header().Name) && dns.IsDuplicate(a, b)
}

// Line returns the 1-based line a record starts on, or 0.
func (f *File) Line(rr dns.RR) int {
	for _, st := range f.stmts {
		if st.rr != nil && !st.deleted && same(st.rr, rr) {
			return st.first + 1
		}
	}
	return 0
}

// LineOf returns the 1-based line of the first record at name (FQDN or
// not) of type rtype (any type when rtype is 0) whose data text contains
// (a TXT record's strings joined; other types' data as written), or of
// the first such record at all when none does; 0 when the file has none.
func (f *File) LineOf(name string, rtype uint16, text string) int {
	name = dns.Fqdn(strings.ToLower(name))
	first := 0
	for _, st := range f.stmts {
		if st.rr == nil || st.rr.Header().Name != name || rtype != 0 && st.rr.Header().Rrtype != rtype {
			continue
		}
		if first == 0 {
			first = st.first + 1
		}
		if text != "" && !strings.Contains(text, rdata(st.rr)) {
			continue
		}
		return st.first + 1
	}
	return first
}

// Apply makes a fix's edits, all or none: every deletion must match a
// record the file holds, and every record must belong under origin. It
// reports whether the fix was applied, and why not.
func (f *File) Apply(origin string, edits []lint.Edit) error {
	origin = dns.Fqdn(strings.ToLower(origin))
	type plan struct {
		del int
		add dns.RR
	}
	var plans []plan
	deleting := map[int]bool{}
	for _, e := range edits {
		rr, err := dns.NewRR(e.RR)
		if err != nil || rr == nil {
			return fmt.Errorf("zoneedit: %q is not a record: %v", e.RR, err)
		}
		rr.Header().Name = strings.ToLower(rr.Header().Name)
		if !dns.IsSubDomain(origin, rr.Header().Name) {
			return fmt.Errorf("zoneedit: %s is outside the zone %s", strings.TrimSuffix(rr.Header().Name, "."), strings.TrimSuffix(origin, "."))
		}
		switch e.Op {
		case lint.Delete:
			at := -1
			for i, st := range f.stmts {
				if st.rr != nil && !st.deleted && !deleting[i] && same(st.rr, rr) {
					at = i
					break
				}
			}
			if at < 0 {
				return fmt.Errorf("zoneedit: the file holds no %s", e.RR)
			}
			deleting[at] = true
			plans = append(plans, plan{del: at})
		case lint.Add:
			plans = append(plans, plan{del: -1, add: rr})
		default:
			return fmt.Errorf("zoneedit: unknown edit %q", e.Op)
		}
	}
	for _, p := range plans {
		if p.del >= 0 {
			f.stmts[p.del].deleted = true
			continue
		}
		// After the last record of the same owner, else after the last
		// record; written relative to the $ORIGIN in force there.
		at, last := -1, -1
		for i, st := range f.stmts {
			if st.rr == nil {
				continue
			}
			last = i
			if st.rr.Header().Name == p.add.Header().Name {
				at = i
			}
		}
		if at < 0 {
			at = last
		}
		if at < 0 {
			at = len(f.stmts) - 1
		}
		f.stmts[at].added = append(f.stmts[at].added, p.add)
	}
	return nil
}

// relative writes a record with its owner relative to origin.
func relative(rr dns.RR, origin string) string {
	s := rr.String()
	name := rr.Header().Name
	switch {
	case name == origin:
		return "@" + s[len(name):]
	case strings.HasSuffix(name, "."+origin):
		return strings.TrimSuffix(name, "."+origin) + s[len(name):]
	}
	return s
}

// String returns the file's text with the edits made. A record whose line
// leaves its owner blank keeps its owner: when the record before it was
// deleted, or one with another owner was added in between, its owner is
// written out.
func (f *File) String() string {
	var out []string
	last := f.origin // the owner the next blank-owner line would take
	moved := false   // a record was deleted or added since the last owner written
	for _, st := range f.stmts {
		if st.deleted {
			moved = moved || st.rr != nil
		} else {
			lines := f.lines[st.first : st.last+1]
			if st.rr != nil && st.blankOwner && moved && st.rr.Header().Name != last {
				lines = append([]string{ownerText(st.rr.Header().Name, st.origin) + lines[0]}, lines[1:]...)
			}
			out = append(out, lines...)
			if st.rr != nil {
				last, moved = st.rr.Header().Name, false
			}
		}
		for _, rr := range st.added {
			out = append(out, relative(rr, st.origin))
			last, moved = rr.Header().Name, true
		}
	}
	return strings.Join(out, "\n")
}

// ownerText is an owner name as written relative to origin.
func ownerText(name, origin string) string {
	switch {
	case name == origin:
		return "@"
	case strings.HasSuffix(name, "."+origin):
		return strings.TrimSuffix(name, "."+origin)
	}
	return name
}

// Lines returns the 1-based first and last lines of the record rr (in
// master-file form) in the file, or 0, 0.
func (f *File) Lines(rr string) (first, last int) {
	r, err := dns.NewRR(rr)
	if err != nil || r == nil {
		return 0, 0
	}
	for _, st := range f.stmts {
		if st.rr != nil && !st.deleted && same(st.rr, r) {
			return st.first + 1, st.last + 1
		}
	}
	return 0, 0
}

// rdata is a record's data as findings quote it: a TXT record's strings
// joined, other records' data in presentation form.
func rdata(rr dns.RR) string {
	if t, ok := rr.(*dns.TXT); ok {
		return strings.Join(t.Txt, "")
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

// AddLine returns the 1-based line an added record rr would be inserted
// before: after the last record of its owner, else after the last record.
func (f *File) AddLine(rr string) int {
	r, err := dns.NewRR(rr)
	if err != nil || r == nil {
		return len(f.lines) + 1
	}
	owner := strings.ToLower(r.Header().Name)
	at, last := -1, -1
	for i, st := range f.stmts {
		if st.rr == nil {
			continue
		}
		last = i
		if st.rr.Header().Name == owner {
			at = i
		}
	}
	if at < 0 {
		at = last
	}
	if at < 0 {
		return len(f.lines) + 1
	}
	return f.stmts[at].last + 2
}
