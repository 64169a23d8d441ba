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

// parser holds the state of one report's parse.
type parser struct {
	d      *xml.Decoder
	o      *Options
	depth  int
	strs   map[string]string
	budget int // elements left in the current block
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
			el, err := p.block(t)
			if err != nil {
				return rep, err
			}
			switch name {
			case "version":
				rep.Version = el.Text
			case "report_metadata":
				if !haveMeta {
					haveMeta = true
					if err := p.metadata(rep, &el); err != nil {
						return rep, err
					}
				}
			case "policy_published":
				if !havePolicy {
					havePolicy = true
					if err := p.policy(&rep.Policy, &el); err != nil {
						return rep, err
					}
				}
			case "extension":
				rep.Extensions = append(rep.Extensions, el.Children...)
			case "record":
				if len(rep.Records) >= o.MaxRecords {
					return rep, boundError(ErrTooManyRecords, "more than %d records", o.MaxRecords)
				}
				rec, err := p.record(&el)
				if err != nil {
					return rep, fmt.Errorf("record %d: %w", len(rep.Records)+1, err)
				}
				rep.Records = append(rep.Records, rec)
			}
		}
	}
}

// token returns the next token, refusing directives and bounding depth
// and attributes.
func (p *parser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > p.o.MaxDepth {
			return nil, boundError(ErrTooDeep, "XML nested deeper than %d", p.o.MaxDepth)
		}
		if len(t.Attr) > MaxAttrs {
			return nil, boundError(ErrTooMuchText, "more than %d attributes", MaxAttrs)
		}
	case xml.EndElement:
		p.depth--
	case xml.Directive:
		return nil, ErrDoctype
	}
	return tok, nil
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

// root finds the <feedback> element.
func (p *parser) root() (xml.StartElement, error) {
	for {
		tok, err := p.token()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return xml.StartElement{}, fmt.Errorf("%w: no root element", ErrNotReport)
			}
			return xml.StartElement{}, err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if !strings.EqualFold(t.Name.Local, "feedback") {
				return t, fmt.Errorf("%w: the root element is <%s>, not <feedback>", ErrNotReport, t.Name.Local)
			}
			return t, nil
		}
	}
}

// block reads an element and everything in it, at most
// MaxRecordElements elements.
func (p *parser) block(start xml.StartElement) (Element, error) {
	p.budget = p.o.MaxRecordElements
	return p.element(start)
}

func (p *parser) element(start xml.StartElement) (Element, error) {
	el := Element{Name: start.Name}
	if len(start.Attr) > 0 {
		el.Attr = start.Attr
	}
	var text []byte
	for {
		tok, err := p.token()
		if err != nil {
			return el, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.budget--
			if p.budget < 0 {
				return el, boundError(ErrTooManyElements, "more than %d elements in <%s>", p.o.MaxRecordElements, start.Name.Local)
			}
			child, err := p.element(t)
			if err != nil {
				return el, err
			}
			el.Children = append(el.Children, child)
		case xml.CharData:
			if len(text)+len(t) > p.o.MaxTextBytes {
				return el, boundError(ErrTooMuchText, "text of <%s> over %d bytes", start.Name.Local, p.o.MaxTextBytes)
			}
			text = append(text, t...)
		case xml.EndElement:
			el.Text = p.str(bytes.TrimSpace(text))
			return el, nil
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

// child returns the text of el's first child named name (any case, any
// namespace), and whether there is one.
func child(el *Element, name string) (*Element, bool) {
	for i := range el.Children {
		if strings.EqualFold(el.Children[i].Name.Local, name) {
			return &el.Children[i], true
		}
	}
	return nil, false
}

func text(el *Element, name string) string {
	if c, ok := child(el, name); ok {
		return c.Text
	}
	return ""
}

// domain normalizes a domain name: lower case, no trailing dot.
func (p *parser) domain(s string) string {
	d := strings.TrimSuffix(strings.ToLower(s), ".")
	if d == s {
		return s
	}
	return p.str([]byte(d))
}

func (p *parser) metadata(rep *Report, el *Element) error {
	rep.OrgName = text(el, "org_name")
	rep.Email = text(el, "email")
	rep.ExtraContactInfo = text(el, "extra_contact_info")
	rep.ReportID = text(el, "report_id")
	rep.Generator = text(el, "generator")
	for i := range el.Children {
		if strings.EqualFold(el.Children[i].Name.Local, "error") {
			rep.Errors = append(rep.Errors, el.Children[i].Text)
		}
	}
	if rep.ReportID == "" {
		return fmt.Errorf("%w: no report_id", ErrInvalid)
	}
	dr, ok := child(el, "date_range")
	if !ok {
		return fmt.Errorf("%w: no date_range", ErrInvalid)
	}
	var err error
	if rep.DateRange.Begin, err = epoch(text(dr, "begin")); err != nil {
		return fmt.Errorf("%w: date_range begin: %v", ErrInvalid, err)
	}
	if rep.DateRange.End, err = epoch(text(dr, "end")); err != nil {
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

func (p *parser) policy(pp *PolicyPublished, el *Element) error {
	pp.Domain = p.domain(text(el, "domain"))
	if pp.Domain == "" {
		return fmt.Errorf("%w: policy_published has no domain", ErrInvalid)
	}
	pp.ADKIM = enum[Alignment](text(el, "adkim"))
	pp.ASPF = enum[Alignment](text(el, "aspf"))
	pp.P = enum[Policy](text(el, "p"))
	pp.SP = enum[Policy](text(el, "sp"))
	pp.NP = enum[Policy](text(el, "np"))
	pp.FO = text(el, "fo")
	pp.Testing = enum[Testing](text(el, "testing"))
	pp.DiscoveryMethod = enum[DiscoveryMethod](text(el, "discovery_method"))
	if s := text(el, "pct"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100 {
			return fmt.Errorf("%w: pct %q is not 0 to 100", ErrInvalid, s)
		}
		pp.Pct, pp.HasPct = n, true
	}
	return nil
}

func (p *parser) record(el *Element) (Record, error) {
	var rec Record
	row, ok := child(el, "row")
	if !ok {
		return rec, fmt.Errorf("%w: no <row>", ErrInvalid)
	}
	ip, err := sourceIP(text(row, "source_ip"))
	if err != nil {
		return rec, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	rec.SourceIP = ip
	cs := text(row, "count")
	rec.Count, err = strconv.ParseInt(cs, 10, 64)
	if err != nil || rec.Count < 0 {
		return rec, fmt.Errorf("%w: count %q is not a number of messages", ErrInvalid, cs)
	}
	if pe, ok := child(row, "policy_evaluated"); ok {
		rec.Evaluated.Disposition = enum[Disposition](text(pe, "disposition"))
		rec.Evaluated.DKIM = enum[DMARCResult](text(pe, "dkim"))
		rec.Evaluated.SPF = enum[DMARCResult](text(pe, "spf"))
		for i := range pe.Children {
			r := &pe.Children[i]
			if !strings.EqualFold(r.Name.Local, "reason") {
				continue
			}
			reason := Reason{Type: enum[ReasonType](text(r, "type")), Comment: text(r, "comment")}
			if reason != (Reason{}) {
				rec.Evaluated.Reasons = append(rec.Evaluated.Reasons, reason)
			}
		}
	}
	for i := range el.Children {
		c := &el.Children[i]
		switch strings.ToLower(c.Name.Local) {
		case "row":
		case "identifiers", "identities": // "identities": a generator's misspelling Mail::DMARC reads too
			if rec.Identifiers == (Identifiers{}) {
				rec.Identifiers = Identifiers{
					HeaderFrom:   p.domain(text(c, "header_from")),
					EnvelopeFrom: p.domain(text(c, "envelope_from")),
					EnvelopeTo:   p.domain(text(c, "envelope_to")),
				}
			}
		case "auth_results":
			for j := range c.Children {
				a := &c.Children[j]
				switch strings.ToLower(a.Name.Local) {
				case "dkim":
					rec.DKIM = append(rec.DKIM, DKIMAuth{
						Domain:      p.domain(text(a, "domain")),
						Selector:    text(a, "selector"),
						Result:      enum[DKIMResult](text(a, "result")),
						HumanResult: text(a, "human_result"),
					})
				case "spf":
					rec.SPF = append(rec.SPF, SPFAuth{
						Domain:      p.domain(text(a, "domain")),
						Scope:       enum[SPFScope](text(a, "scope")),
						Result:      enum[SPFResult](text(a, "result")),
						HumanResult: text(a, "human_result"),
					})
				}
			}
		default:
			rec.Extensions = append(rec.Extensions, *c)
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
