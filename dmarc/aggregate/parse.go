package aggregate

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Parse reads one aggregate report: XML, uncompressed (use Read for
// gzip, zip and messages). It applies the XML bounds of opts
// (MaxReportBytes, MaxDepth, MaxTextBytes, MaxRecordElements,
// MaxRecords) and refuses any DOCTYPE. The error wraps one of the Err
// variables, an *xml.SyntaxError or a read error; on error the report is
// nil.
//
// Elements are matched by local name in any namespace (RFC 7489's none,
// the draft's, RFC 9990's), in any order, and unknown ones are skipped.
// A UTF-8 or UTF-16 byte order mark and a declared encoding other than
// UTF-8 (ISO-8859-1, windows-1252, …) are understood.
func Parse(r io.Reader, opts Options) (*Report, error) {
	o := opts.withDefaults()
	rep, err := parse(r, &o)
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// headLen is how much of a report is looked at before it is parsed: the
// XML declaration, and <report_metadata>.
const headLen = 8 << 10

// angleAddr is an element of <report_metadata> whose whole text is an
// address or URL in angle brackets, unescaped: <email><a@b></email>, as
// some generators write it (not well-formed: "<a@b>" is no tag).
var angleAddr = regexp.MustCompile(`<(email|extra_contact_info)>([ \t\r\n]*)<([^<>&"'\s]*[@:][^<>&"'\s]*)>([ \t\r\n]*)</(email|extra_contact_info)>`)

// escapeAngleAddrs returns head with the angle brackets of such elements
// escaped, and whether it changed anything.
func escapeAngleAddrs(head []byte) ([]byte, bool) {
	if !bytes.Contains(head, []byte("<email>")) && !bytes.Contains(head, []byte("<extra_contact_info>")) {
		return nil, false
	}
	var out []byte
	last := 0
	for _, m := range angleAddr.FindAllSubmatchIndex(head, -1) {
		if !bytes.Equal(head[m[2]:m[3]], head[m[10]:m[11]]) {
			continue
		}
		out = append(out, head[last:m[6]-1]...)
		out = append(out, "&lt;"...)
		out = append(out, head[m[6]:m[7]]...)
		out = append(out, "&gt;"...)
		last = m[7] + 1
	}
	if out == nil {
		return nil, false
	}
	return append(out, head[last:]...), true
}

// utf8Declared reports whether b, the start of a document, declares
// UTF-8 or no encoding (XML 1.0 §4.3.3: then it is UTF-8). A declaration
// not ended within b is taken as declaring another encoding.
func utf8Declared(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return true
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return false
	}
	decl := b[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return true
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !bytes.HasPrefix(rest, []byte("=")) {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
		return false
	}
	enc, _, ok := bytes.Cut(rest[1:], rest[:1])
	return ok && strings.EqualFold(string(enc), "utf-8")
}

// parser holds the state of one report's parse.
type parser struct {
	d        *xml.Decoder
	o        *Options
	stack    []xml.Name // the open elements, raw
	bindings []binding  // namespace declarations in scope
	strs     map[string]string
	budget   int    // elements left in the current block
	buf      []byte // the text of the elements being read, innermost last
	nodes    []node // the current block's elements
}

// maxInterned bounds the strings shared within one report.
const maxInterned = 4096

// parse reads one report. On error it may return the report as far as
// it got (its metadata names the report in the error), never to be
// yielded.
func parse(r io.Reader, o *Options) (*Report, error) {
	br := bufio.NewReaderSize(newLimitReader(r, o.MaxReportBytes, "report"), 32<<10)
	var in io.Reader = br
	utf16 := false
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	} else if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		in = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
		utf16 = true
	}
	if !utf16 {
		head, _ := br.Peek(headLen)
		isUTF8 := utf8Declared(head)
		if fixed, ok := escapeAngleAddrs(head); ok {
			br.Discard(len(head))
			in = io.MultiReader(bytes.NewReader(fixed), br)
		}
		// UTF-8, declared or by default: a byte that is not UTF-8 (a From
		// domain copied as it came) reads as U+FFFD, as a UTF-8 decoder
		// reads it, not as a syntax error that costs the whole report.
		// Another declared encoding is decoded by CharsetReader.
		if isUTF8 {
			in = transform.NewReader(in, unicode.UTF8.NewDecoder())
		}
	}
	p := &parser{o: o, strs: make(map[string]string)}
	p.d = xml.NewDecoder(&runReader{r: in, max: o.MaxTextBytes})
	p.d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		if utf16 && strings.HasPrefix(strings.ToLower(label), "utf-16") {
			return input, nil // already decoded
		}
		return charset.NewReaderLabel(label, input)
	}

	root, err := p.root()
	if err != nil {
		return nil, err
	}
	rep := &Report{Namespace: root.Name.Space, Policy: PolicyPublished{Pct: 100}}
	var haveMeta, havePolicy bool
	for {
		tok, err := p.token()
		if err != nil {
			return rep, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !haveMeta {
				return rep, fmt.Errorf("%w: no <report_metadata>", ErrInvalid)
			}
			if !havePolicy {
				return rep, fmt.Errorf("%w: no <policy_published>", ErrInvalid)
			}
			return rep, nil
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			switch name {
			case "version", "report_metadata", "policy_published", "extension", "record":
			default:
				if err := p.skip(); err != nil {
					return rep, err
				}
				continue
			}
			if err := p.block(t); err != nil {
				return rep, err
			}
			const el = 0
			switch name {
			case "version":
				rep.Version = p.nodes[el].text
			case "report_metadata":
				if !haveMeta {
					haveMeta = true
					if err := p.metadata(rep, el); err != nil {
						return rep, err
					}
				}
			case "policy_published":
				if !havePolicy {
					havePolicy = true
					if err := p.policy(&rep.Policy, el); err != nil {
						return rep, err
					}
				}
			case "extension":
				for c := range p.children(el) {
					rep.Extensions = append(rep.Extensions, p.export(c))
				}
			case "record":
				if len(rep.Records) >= o.MaxRecords {
					return rep, boundError(ErrTooManyRecords, "more than %d records", o.MaxRecords)
				}
				if p.nullRecord(el) {
					continue
				}
				rec, err := p.record(el)
				if err != nil {
					return rep, fmt.Errorf("record %d: %w", len(rep.Records)+1, err)
				}
				rep.Records = append(rep.Records, rec)
			}
		}
	}
}

// token returns the next token, refusing directives and bounding depth
// and attributes. It reads raw tokens (encoding/xml's Token copies every
// name to translate namespaces, a third of the parse) and does what
// Token would: end tags must match, and a start element's name space is
// the URL its prefix, or the default, is bound to.
func (p *parser) token() (xml.Token, error) {
	tok, err := p.d.RawToken()
	if err != nil {
		if err == io.EOF {
			err = p.syntaxError("unexpected EOF")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(p.stack) >= p.o.MaxDepth {
			return nil, boundError(ErrTooDeep, "XML nested deeper than %d", p.o.MaxDepth)
		}
		if len(t.Attr) > MaxAttrs {
			return nil, boundError(ErrTooMuchText, "more than %d attributes", MaxAttrs)
		}
		p.stack = append(p.stack, t.Name)
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				p.bindings = append(p.bindings, binding{a.Name.Local, a.Value, len(p.stack)})
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				p.bindings = append(p.bindings, binding{"", a.Value, len(p.stack)})
			}
		}
		if len(p.bindings) > 0 {
			t.Name.Space = p.resolve(t.Name.Space)
		}
		return t, nil
	case xml.EndElement:
		if len(p.stack) == 0 {
			return nil, p.syntaxError("unexpected end element </" + t.Name.Local + ">")
		}
		top := p.stack[len(p.stack)-1]
		if top != t.Name {
			return nil, p.syntaxError("element <" + top.Local + "> closed by </" + t.Name.Local + ">")
		}
		p.stack = p.stack[:len(p.stack)-1]
		for len(p.bindings) > 0 && p.bindings[len(p.bindings)-1].depth > len(p.stack) {
			p.bindings = p.bindings[:len(p.bindings)-1]
		}
	case xml.Directive:
		return nil, ErrDoctype
	}
	return tok, nil
}

// binding is a namespace declaration in scope.
type binding struct {
	prefix, url string
	depth       int
}

// resolve returns the URL a prefix is bound to ("" the default
// namespace); an unbound prefix stays as it is, as with Token.
func (p *parser) resolve(prefix string) string {
	for i := len(p.bindings) - 1; i >= 0; i-- {
		if p.bindings[i].prefix == prefix {
			return p.bindings[i].url
		}
	}
	return prefix
}

func (p *parser) syntaxError(msg string) error {
	line, _ := p.d.InputPos()
	return &xml.SyntaxError{Msg: msg, Line: line}
}

// skip reads past the rest of an element.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// namespaceXSD is the XML Schema namespace. One generator sends its
// report inside an <xs:schema> element (RFC 7489 Appendix C's schema
// root), which it does not close.
const namespaceXSD = "http://www.w3.org/2001/XMLSchema"

// root finds the <feedback> element: the root, or the first child of an
// <xs:schema> root. The parse ends at </feedback>: what follows, such as
// the wrapper's end tag or its absence, is not read.
func (p *parser) root() (xml.StartElement, error) {
	wrapped := false
	for {
		tok, err := p.token()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || wrapped && isSyntaxEOF(err) {
				return xml.StartElement{}, fmt.Errorf("%w: no root element", ErrNotReport)
			}
			return xml.StartElement{}, err
		}
		t, ok := tok.(xml.StartElement)
		switch {
		case !ok:
			if _, end := tok.(xml.EndElement); end && wrapped {
				return xml.StartElement{}, fmt.Errorf("%w: <schema> holds no <feedback>", ErrNotReport)
			}
		case strings.EqualFold(t.Name.Local, "feedback"):
			return t, nil
		case !wrapped && t.Name.Space == namespaceXSD && t.Name.Local == "schema":
			wrapped = true
		case wrapped:
			return t, fmt.Errorf("%w: <schema> holds <%s>, not <feedback>", ErrNotReport, t.Name.Local)
		default:
			return t, fmt.Errorf("%w: the root element is <%s>, not <feedback>", ErrNotReport, t.Name.Local)
		}
	}
}

// isSyntaxEOF reports whether err is the syntax error token gives at the
// end of the input.
func isSyntaxEOF(err error) bool {
	var se *xml.SyntaxError
	return errors.As(err, &se) && se.Msg == "unexpected EOF"
}

// node is an element read into the parser's arena, its children linked
// by index: a block's elements are read into the arena, turned into
// report fields, and the arena reused for the next block.
type node struct {
	name  xml.Name
	attr  []xml.Attr
	text  string
	first int32 // first child, or -1
	last  int32 // last child, or -1
	next  int32 // next sibling, or -1
}

// block reads an element and everything in it, at most
// MaxRecordElements elements, into the arena; its node is 0.
func (p *parser) block(start xml.StartElement) error {
	p.budget = p.o.MaxRecordElements
	p.nodes = p.nodes[:0]
	_, err := p.element(start)
	return err
}

func (p *parser) element(start xml.StartElement) (int32, error) {
	self := int32(len(p.nodes))
	p.nodes = append(p.nodes, node{name: start.Name, attr: start.Attr, first: -1, last: -1, next: -1})
	// The element's text is p.buf[mark:]: children append theirs after
	// it and cut it off when they end.
	mark := len(p.buf)
	for {
		tok, err := p.token()
		if err != nil {
			return self, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.budget--
			if p.budget < 0 {
				return self, boundError(ErrTooManyElements, "more than %d elements in <%s>", p.o.MaxRecordElements, start.Name.Local)
			}
			c, err := p.element(t)
			if err != nil {
				return self, err
			}
			if last := p.nodes[self].last; last < 0 {
				p.nodes[self].first = c
			} else {
				p.nodes[last].next = c
			}
			p.nodes[self].last = c
		case xml.CharData:
			if len(p.buf)-mark+len(t) > p.o.MaxTextBytes {
				return self, boundError(ErrTooMuchText, "text of <%s> over %d bytes", start.Name.Local, p.o.MaxTextBytes)
			}
			p.buf = append(p.buf, t...)
		case xml.EndElement:
			p.nodes[self].text = p.str(bytes.TrimSpace(p.buf[mark:]))
			p.buf = p.buf[:mark]
			return self, nil
		}
	}
}

// str returns b as a string, shared with earlier equal strings of the
// report (domains and results repeat from record to record).
func (p *parser) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.strs) < maxInterned && len(s) <= 256 {
		p.strs[s] = s
	}
	return s
}

// children iterates over the children of node n.
func (p *parser) children(n int32) func(func(int32) bool) {
	return func(yield func(int32) bool) {
		for c := p.nodes[n].first; c >= 0; c = p.nodes[c].next {
			if !yield(c) {
				return
			}
		}
	}
}

// is reports whether node n is named name (any case, any namespace).
func (p *parser) is(n int32, name string) bool { return strings.EqualFold(p.nodes[n].name.Local, name) }

// child returns n's first child named name, or -1.
func (p *parser) child(n int32, name string) int32 {
	for c := range p.children(n) {
		if p.is(c, name) {
			return c
		}
	}
	return -1
}

// text returns the text of n's first child named name.
func (p *parser) text(n int32, name string) string {
	if c := p.child(n, name); c >= 0 {
		return p.nodes[c].text
	}
	return ""
}

// export copies node n out of the arena.
func (p *parser) export(n int32) Element {
	nd := p.nodes[n]
	el := Element{Name: nd.name, Attr: nd.attr, Text: nd.text}
	for c := range p.children(n) {
		el.Children = append(el.Children, p.export(c))
	}
	return el
}

// domain normalizes a domain name: lower case, no trailing dot.
func (p *parser) domain(s string) string {
	d := strings.TrimSuffix(strings.ToLower(s), ".")
	if d == s {
		return s
	}
	return p.str([]byte(d))
}

func (p *parser) metadata(rep *Report, el int32) error {
	rep.OrgName = p.text(el, "org_name")
	rep.Email = p.text(el, "email")
	rep.ExtraContactInfo = p.text(el, "extra_contact_info")
	rep.ReportID = p.text(el, "report_id")
	rep.Generator = p.text(el, "generator")
	for c := range p.children(el) {
		if p.is(c, "error") {
			rep.Errors = append(rep.Errors, p.nodes[c].text)
		}
	}
	if rep.ReportID == "" {
		return fmt.Errorf("%w: no report_id", ErrInvalid)
	}
	dr := p.child(el, "date_range")
	if dr < 0 {
		return fmt.Errorf("%w: no date_range", ErrInvalid)
	}
	var err error
	if rep.DateRange.Begin, err = epoch(p.text(dr, "begin")); err != nil {
		return fmt.Errorf("%w: date_range begin: %v", ErrInvalid, err)
	}
	if rep.DateRange.End, err = epoch(p.text(dr, "end")); err != nil {
		return fmt.Errorf("%w: date_range end: %v", ErrInvalid, err)
	}
	return nil
}

// epoch reads seconds since the epoch; a fraction is dropped.
func epoch(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || f < 0 || f > 1<<40 {
			return time.Time{}, fmt.Errorf("%q is not seconds since the epoch", s)
		}
		n = int64(f)
	}
	if n < 0 || n > 1<<40 {
		return time.Time{}, fmt.Errorf("%q is out of range", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

func (p *parser) policy(pp *PolicyPublished, el int32) error {
	pp.Domain = p.domain(p.text(el, "domain"))
	if pp.Domain == "" {
		return fmt.Errorf("%w: policy_published has no domain", ErrInvalid)
	}
	pp.ADKIM = enum[Alignment](p.text(el, "adkim"))
	pp.ASPF = enum[Alignment](p.text(el, "aspf"))
	pp.P = enum[Policy](p.text(el, "p"))
	pp.SP = enum[Policy](p.text(el, "sp"))
	pp.NP = enum[Policy](p.text(el, "np"))
	pp.FO = p.text(el, "fo")
	pp.Testing = enum[Testing](p.text(el, "testing"))
	pp.DiscoveryMethod = enum[DiscoveryMethod](p.text(el, "discovery_method"))
	if s := p.text(el, "pct"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100 {
			return fmt.Errorf("%w: pct %q is not 0 to 100", ErrInvalid, s)
		}
		pp.Pct, pp.HasPct = n, true
	}
	return nil
}

// nullRecord reports whether record el counts no message and names no
// source: the placeholder some receivers send for a domain they saw no
// mail from (<source_ip/>, <count>0</count>, the rest empty). It is
// skipped, not refused: it holds nothing to count.
func (p *parser) nullRecord(el int32) bool {
	row := p.child(el, "row")
	return row >= 0 && p.text(row, "source_ip") == "" && p.text(row, "count") == "0"
}

func (p *parser) record(el int32) (Record, error) {
	var rec Record
	row := p.child(el, "row")
	if row < 0 {
		return rec, fmt.Errorf("%w: no <row>", ErrInvalid)
	}
	ip, err := sourceIP(p.text(row, "source_ip"))
	if err != nil {
		return rec, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	rec.SourceIP = ip
	cs := p.text(row, "count")
	rec.Count, err = strconv.ParseInt(cs, 10, 64)
	if err != nil || rec.Count < 0 {
		return rec, fmt.Errorf("%w: count %q is not a number of messages", ErrInvalid, cs)
	}
	if pe := p.child(row, "policy_evaluated"); pe >= 0 {
		rec.Evaluated.Disposition = enum[Disposition](p.text(pe, "disposition"))
		rec.Evaluated.DKIM = enum[DMARCResult](p.text(pe, "dkim"))
		rec.Evaluated.SPF = enum[DMARCResult](p.text(pe, "spf"))
		for r := range p.children(pe) {
			if !p.is(r, "reason") {
				continue
			}
			reason := Reason{Type: enum[ReasonType](p.text(r, "type")), Comment: p.text(r, "comment")}
			if reason != (Reason{}) {
				rec.Evaluated.Reasons = append(rec.Evaluated.Reasons, reason)
			}
		}
	}
	for c := range p.children(el) {
		switch strings.ToLower(p.nodes[c].name.Local) {
		case "row":
		case "identifiers", "identities": // "identities": a generator's misspelling Mail::DMARC reads too
			if rec.Identifiers == (Identifiers{}) {
				rec.Identifiers = Identifiers{
					HeaderFrom:   p.domain(p.text(c, "header_from")),
					EnvelopeFrom: p.domain(p.text(c, "envelope_from")),
					EnvelopeTo:   p.domain(p.text(c, "envelope_to")),
				}
			}
		case "auth_results":
			for a := range p.children(c) {
				switch strings.ToLower(p.nodes[a].name.Local) {
				case "dkim":
					rec.DKIM = append(rec.DKIM, DKIMAuth{
						Domain:      p.domain(p.text(a, "domain")),
						Selector:    p.text(a, "selector"),
						Result:      enum[DKIMResult](p.text(a, "result")),
						HumanResult: p.text(a, "human_result"),
					})
				case "spf":
					rec.SPF = append(rec.SPF, SPFAuth{
						Domain:      p.domain(p.text(a, "domain")),
						Scope:       enum[SPFScope](p.text(a, "scope")),
						Result:      enum[SPFResult](p.text(a, "result")),
						HumanResult: p.text(a, "human_result"),
					})
				}
			}
		default:
			rec.Extensions = append(rec.Extensions, p.export(c))
		}
	}
	return rec, nil
}

// sourceIP reads an IPv4 or IPv6 address; brackets and a zone are
// dropped, an IPv4-mapped IPv6 address is its IPv4 address.
func sourceIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, errors.New("no source_ip")
	}
	t := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	ip, err := netip.ParseAddr(t)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("source_ip %q is not an IP address", s)
	}
	return ip.WithZone("").Unmap(), nil
}
