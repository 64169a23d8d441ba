package zoneedit

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/lint"
	"github.com/miekg/dns"
)

// File is a master file split into statements.
type File struct {
	lines  []string
	stmts  []stmt
	origin string // the origin given to Parse: the first owner
	bom    bool   // the text started with a byte order mark
}

// stmt is one logical line: a record (possibly spanning lines inside
// parentheses), a directive, a comment or a blank line.
type stmt struct {
	first, last int    // line indexes, inclusive
	rr          dns.RR // nil for anything but a record this package can place
	origin      string // the $ORIGIN in force
	deleted     bool
	blankOwner  bool     // the record's line leaves the owner to the one before
	absOwner    bool     // the record's owner is written absolute
	added       []dns.RR // records added after this statement
	replaced    dns.RR   // the record that takes this one's place, in its lines
	ttl         uint32   // the $TTL in force
}

// ReadFile reads the zone file at path, within the loader's size bound
// (as its server would load it, 32 MiB), and parses it with origin: the
// text and the File, to place findings on lines (Place) or apply fixes.
func ReadFile(path, origin string) ([]byte, *File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, zonedb.DefaultMaxBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(text) > zonedb.DefaultMaxBytes {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", path, zonedb.DefaultMaxBytes)
	}
	zf, err := Parse(string(text), origin)
	if err != nil {
		return nil, nil, err
	}
	return text, zf, nil
}

// Parse splits text into statements. origin is the zone's apex, used
// until a $ORIGIN says otherwise. Records from $INCLUDE and $GENERATE are
// not placed (they have no line of their own here).
func Parse(text, origin string) (*File, error) {
	origin = dns.Fqdn(strings.ToLower(origin))
	f := &File{origin: origin}
	// A byte order mark is not part of the first line's text: it would
	// hide a $ORIGIN there. It is written back as it was.
	if rest, ok := strings.CutPrefix(text, "\ufeff"); ok {
		text, f.bom = rest, true
	}
	f.lines = strings.Split(text, "\n")
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
		st := stmt{first: first, last: i - 1, origin: origin, ttl: ttl}
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
			} else if fields := strings.Fields(body); len(fields) > 0 && strings.HasSuffix(fields[0], ".") {
				st.absOwner = true
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
	plans, err := f.planEdits(dns.Fqdn(strings.ToLower(origin)), edits)
	if err != nil {
		return err
	}
	replacedBy := pairReplacements(f.stmts, plans)
	for _, p := range plans {
		switch {
		case p.del == placed:
		case p.del >= 0:
			if rr, ok := replacedBy[p.del]; ok {
				f.stmts[p.del].replaced = rr
				continue
			}
			f.stmts[p.del].deleted = true
		default:
			at := f.addAfter(p.add)
			f.stmts[at].added = append(f.stmts[at].added, p.add)
		}
	}
	return nil
}

// editPlan is one edit, checked: the statement a deletion removes, or the
// record an addition writes.
type editPlan struct {
	del int // the statement deleted; -1 for an addition, placed once paired
	add dns.RR
}

// placed marks an addition already written as a replacement's new record.
const placed = -2

// planEdits decides whether every edit can be made, before any is: each
// record parses and lies under origin, each deletion finds its own record.
func (f *File) planEdits(origin string, edits []lint.Edit) ([]editPlan, error) {
	var plans []editPlan
	deleting := map[int]bool{}
	for _, e := range edits {
		rr, err := editRecord(origin, e)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case lint.Delete:
			at := f.deletable(rr, deleting)
			if at < 0 {
				return nil, fmt.Errorf("zoneedit: the file holds no %s", e.RR)
			}
			deleting[at] = true
			plans = append(plans, editPlan{del: at})
		case lint.Add:
			plans = append(plans, editPlan{del: -1, add: rr})
		default:
			return nil, fmt.Errorf("zoneedit: unknown edit %q", e.Op)
		}
	}
	return plans, nil
}

// editRecord decides whether an edit's record is one the zone can hold: it
// parses, and its owner (lowercased) lies under origin.
func editRecord(origin string, e lint.Edit) (dns.RR, error) {
	rr, err := dns.NewRR(e.RR)
	if err != nil || rr == nil {
		return nil, fmt.Errorf("zoneedit: %q is not a record: %v", e.RR, err)
	}
	rr.Header().Name = strings.ToLower(rr.Header().Name)
	if !dns.IsSubDomain(origin, rr.Header().Name) {
		return nil, fmt.Errorf("zoneedit: %s is outside the zone %s", strings.TrimSuffix(rr.Header().Name, "."), strings.TrimSuffix(origin, "."))
	}
	return rr, nil
}

// deletable finds the statement a deletion of rr removes: the first live
// record equal to it that no earlier deletion took; -1 when none is left.
func (f *File) deletable(rr dns.RR, deleting map[int]bool) int {
	for i, st := range f.stmts {
		if st.rr != nil && !st.deleted && !deleting[i] && same(st.rr, rr) {
			return i
		}
	}
	return -1
}

// pairReplacements decides which deletions are replacements: a deletion
// followed by an addition of the same owner and type is one, and the new
// record takes the old one's lines, as a person edits a record in place.
// The paired additions are marked placed.
func pairReplacements(stmts []stmt, plans []editPlan) map[int]dns.RR {
	replacedBy := map[int]dns.RR{}
	for i, p := range plans {
		if p.del < 0 {
			continue
		}
		old := stmts[p.del].rr
		for j := i + 1; j < len(plans); j++ {
			if a := plans[j].add; a != nil && plans[j].del == -1 && a.Header().Name == old.Header().Name && a.Header().Rrtype == old.Header().Rrtype {
				replacedBy[p.del] = a
				plans[j].add = nil
				plans[j].del = placed
				break
			}
		}
	}
	return replacedBy
}

// addAfter decides where an added record goes: after the last record of
// the same owner, else after the last record (so it is written relative to
// the $ORIGIN in force there), else after the last statement.
func (f *File) addAfter(rr dns.RR) int {
	at, last := -1, -1
	for i, st := range f.stmts {
		if st.rr == nil {
			continue
		}
		last = i
		if st.rr.Header().Name == rr.Header().Name {
			at = i
		}
	}
	if at < 0 {
		at = last
	}
	if at < 0 {
		at = len(f.stmts) - 1
	}
	return at
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
		} else if st.replaced != nil {
			line := f.replaceText(st)
			if st.blankOwner && moved && st.replaced.Header().Name != last {
				// Its line inherits the owner of a line no longer there.
				line = ownerText(st.replaced.Header().Name, st.origin) + line
			}
			out = append(out, line)
			last, moved = st.replaced.Header().Name, false
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
			out = append(out, f.styled(rr, st.origin, st.ttl))
			last, moved = rr.Header().Name, true
		}
	}
	text := strings.Join(out, "\n")
	if f.bom {
		text = "\ufeff" + text
	}
	return text
}

// styled writes an added record as the file writes its records: owners
// absolute or relative, the owner column as wide, the TTL and class
// written or left out, the type column as wide; tab-separated
// presentation form when the file has no record to follow.
func (f *File) styled(rr dns.RR, origin string, defaultTTL uint32) string {
	owner := ownerText(rr.Header().Name, origin)
	if f.absoluteStyle() {
		owner = rr.Header().Name
	}
	// The sample: the last one-line record with an owner. Its columns are
	// followed only when the file aligns its records (every such line
	// starts its second field at the same column).
	sample := ""
	aligned, col2 := true, -1
	for i := len(f.stmts) - 1; i >= 0; i-- {
		st := f.stmts[i]
		if st.rr == nil || st.blankOwner || st.first != st.last || st.rr.Header().Rrtype == dns.TypeSOA {
			continue
		}
		line := stripComment(f.lines[st.first])
		if sample == "" {
			sample = line
		}
		if fl := strings.Fields(line); len(fl) > 1 {
			c := strings.Index(line[len(fl[0]):], fl[1]) + len(fl[0])
			if col2 >= 0 && c != col2 {
				aligned = false
			}
			col2 = c
		}
	}
	pad := func(n int) int { return max(n, 1) }
	if !aligned {
		pad = func(int) int { return 1 }
	}
	data := strings.TrimPrefix(rr.String(), rr.Header().String())
	tname := dns.TypeToString[rr.Header().Rrtype]
	fields := strings.Fields(sample)
	if len(fields) < 3 || strings.Contains(sample, "\t") {
		if f.absoluteStyle() {
			return rr.String()
		}
		return relative(rr, origin)
	}
	// The columns of the sample: owner, [TTL], [class], type, data.
	var b strings.Builder
	off := 0
	col := func(i int) int { return strings.Index(sample[off:], fields[i]) + off }
	second := col(1)
	b.WriteString(owner)
	b.WriteString(strings.Repeat(" ", pad(second-len(owner))))
	k := 1
	if _, err := strconv.ParseUint(fields[k], 10, 32); err == nil {
		b.WriteString(strconv.FormatUint(uint64(rr.Header().Ttl), 10) + " ")
		k++
	} else if rr.Header().Ttl != defaultTTL {
		b.WriteString(strconv.FormatUint(uint64(rr.Header().Ttl), 10) + " ")
	}
	if k < len(fields) && strings.EqualFold(fields[k], "IN") {
		b.WriteString(fields[k] + " ")
		k++
	}
	if k+1 < len(fields) {
		off = 0
		typeAt := col(k)
		off = typeAt + len(fields[k])
		dataAt := col(k + 1)
		b.WriteString(tname)
		b.WriteString(strings.Repeat(" ", pad(dataAt-typeAt-len(tname))))
	} else {
		b.WriteString(tname + " ")
	}
	b.WriteString(data)
	return b.String()
}

// absoluteStyle reports whether the file writes its owners absolute
// (most records that name their owner end it with a dot): added records
// are written the same way.
func (f *File) absoluteStyle() bool {
	abs, rel := 0, 0
	for _, st := range f.stmts {
		if st.rr == nil || st.blankOwner {
			continue
		}
		if st.absOwner {
			abs++
		} else {
			rel++
		}
	}
	return abs > rel
}

// replaceText writes the record that replaces st's in st's own style: the
// owner, TTL, class and type as written on its first line, the new data,
// and the comment its lines carried.
func (f *File) replaceText(st stmt) string {
	first := f.lines[st.first]
	comment := ""
	for _, l := range f.lines[st.first : st.last+1] {
		if c := commentOf(l); c != "" {
			comment = c
		}
	}
	rr := st.replaced
	data := strings.TrimPrefix(rr.String(), rr.Header().String())
	tname := dns.TypeToString[rr.Header().Rrtype]
	// The text up to and including the type, as written.
	code := stripComment(first)
	prefix := ""
	if i := indexField(code, tname); i >= 0 {
		prefix = code[:i+len(tname)]
		// Keep the spacing that followed the type.
		rest := code[i+len(tname):]
		ws := rest[:len(rest)-len(strings.TrimLeft(rest, " \t"))]
		if ws == "" {
			ws = " "
		}
		prefix += ws
	} else {
		prefix = relative(rr, st.origin)
		prefix = prefix[:len(prefix)-len(data)]
	}
	line := prefix + data
	if comment != "" {
		line += " " + comment
	}
	return line
}

// indexField returns the offset of the first whitespace-separated field
// of s equal to name (case-insensitively), or -1.
func indexField(s, name string) int {
	off := 0
	for _, fld := range strings.Fields(s) {
		i := strings.Index(s[off:], fld) + off
		if strings.EqualFold(fld, name) {
			return i
		}
		off = i + len(fld)
	}
	return -1
}

// commentOf returns a line's comment (from its ";" outside quotes), or "".
func commentOf(line string) string {
	if i := zonedb.CommentIndex(line); i >= 0 {
		return line[i:]
	}
	return ""
}

// BumpSerial raises the SOA serial of the zone at origin as a person
// does: a serial that reads as a date, YYYYMMDDnn, becomes today's date
// with nn 00, or nn+1 when it is already today's (or later); any other
// serial is raised by one. It reports the old and new serials; ok is
// false when the file holds no SOA record it can place.
func (f *File) BumpSerial(today time.Time) (old, new uint32, ok bool) {
	for i, st := range f.stmts {
		soa, isSOA := st.rr.(*dns.SOA)
		if !isSOA || st.deleted || st.replaced != nil {
			continue
		}
		old = soa.Serial
		new = nextSerial(old, today)
		if !f.replaceToken(i, strconv.FormatUint(uint64(old), 10), strconv.FormatUint(uint64(new), 10)) {
			return old, old, false
		}
		soa.Serial = new
		return old, new, true
	}
	return 0, 0, false
}

func nextSerial(old uint32, today time.Time) uint32 {
	s := strconv.FormatUint(uint64(old), 10)
	if len(s) == 10 {
		if d, err := time.Parse("20060102", s[:8]); err == nil && d.Year() >= 1990 {
			base, _ := strconv.ParseUint(today.Format("20060102")+"00", 10, 32)
			if uint64(old) < base {
				return uint32(base)
			}
		}
	}
	// Wraps as serial arithmetic does (RFC 1982 §3.1), skipping 0, as
	// BIND's increment does: some software takes a serial of 0 as unset.
	if old == math.MaxUint32 {
		return 1
	}
	return old + 1
}

// replaceToken replaces the first whole token old after the SOA's two
// names in statement i's lines.
func (f *File) replaceToken(i int, old, new string) bool {
	st := f.stmts[i]
	seen := 0 // tokens after the type: mname, rname, then the serial
	afterType := false
	for li := st.first; li <= st.last; li++ {
		line := f.lines[li]
		code := stripComment(line)
		off := 0
		for _, fld := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(code)) {
			at := strings.Index(code[off:], fld) + off
			off = at + len(fld)
			if !afterType {
				afterType = strings.EqualFold(fld, "SOA")
				continue
			}
			seen++
			if seen == 3 {
				if fld != old {
					return false
				}
				f.lines[li] = line[:at] + new + line[at+len(fld):]
				return true
			}
		}
	}
	return false
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

// Place returns the 1-based line of the file a finding belongs at: its
// record's (LineOf); for a record that is missing, the line after which
// the first record its fixes add would go (the last of its owner's, else
// the file's last record); else the line of the SOA at origin. 0 when the file holds none of them. A
// code-scanning tool shows a result only at a line: every finding of a
// zone gets one.
func (f *File) Place(fd lint.Finding, origin string) int {
	if line := f.LineOf(fd.Name, dns.StringToType[fd.Type], fd.Record); line > 0 {
		return line
	}
	for _, x := range fd.Fixes {
		for _, e := range x.Edits {
			if e.Op == lint.Add {
				return min(max(f.AddLine(e.RR)-1, 1), len(f.lines))
			}
		}
	}
	return f.LineOf(origin, dns.TypeSOA, "")
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
