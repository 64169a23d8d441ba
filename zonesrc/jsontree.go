package zonesrc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// jnode is a JSON value with the byte offset where it starts, so that a
// record read from JSON can point at its line: encoding/json keeps no
// positions.
type jnode struct {
	off  int
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str  string
	num  json.Number
	b    bool
	keys []string // object keys, in order
	vals []*jnode // object values (beside keys) or array elements
}

// maxJSONDepth bounds nesting: the formats read are a few levels deep.
const maxJSONDepth = 64

// parseJSON reads one JSON document into a tree of jnodes.
func parseJSON(b []byte) (*jnode, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	p := &jparser{d: d, buf: b}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: data after the JSON value", p.where(int(d.InputOffset())))
	}
	return n, nil
}

type jparser struct {
	d   *json.Decoder
	buf []byte
}

// start is where the next token begins: past white space and the ',' or
// ':' the decoder consumes with it.
func (p *jparser) start() int {
	i := int(p.d.InputOffset())
	for i < len(p.buf) {
		switch p.buf[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (p *jparser) where(off int) string {
	l, c := lineCol(p.buf, off)
	return fmt.Sprintf("line %d, column %d", l, c)
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("%s: JSON nested deeper than %d", p.where(p.start()), maxJSONDepth)
	}
	off := p.start()
	t, err := p.d.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %v", p.where(int(se.Offset)), err)
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: unexpected end of JSON", p.where(off))
		}
		return nil, fmt.Errorf("%s: %v", p.where(off), err)
	}
	n := &jnode{off: off}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = 'o'
			for p.d.More() {
				koff := p.start()
				kt, err := p.d.Token()
				if err != nil {
					return nil, fmt.Errorf("%s: %v", p.where(koff), err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("%s: an object key that is not a string", p.where(koff))
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
		case '[':
			n.kind = 'a'
			for p.d.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
		default:
			return nil, fmt.Errorf("%s: unexpected %q", p.where(off), t)
		}
		if _, err := p.d.Token(); err != nil { // the closing delimiter
			return nil, fmt.Errorf("%s: %v", p.where(p.start()), err)
		}
	case string:
		n.kind, n.str = 's', t
	case json.Number:
		n.kind, n.num = 'n', t
	case bool:
		n.kind, n.b = 'b', t
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

// get returns the value of key in an object (the last, when it is given
// twice), or nil.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != 'o' {
		return nil
	}
	var v *jnode
	for i, k := range n.keys {
		if k == key {
			v = n.vals[i]
		}
	}
	return v
}

// elems returns an array's elements; nil for anything else.
func (n *jnode) elems() []*jnode {
	if n == nil || n.kind != 'a' {
		return nil
	}
	return n.vals
}

// text returns a string's value, or a number's or bool's text; "" for
// anything else.
func (n *jnode) text() string {
	if n == nil {
		return ""
	}
	switch n.kind {
	case 's':
		return n.str
	case 'n':
		return n.num.String()
	case 'b':
		return strconv.FormatBool(n.b)
	}
	return ""
}

// uint returns a whole number in [0, max], or false.
func (n *jnode) uint(max uint64) (uint64, bool) {
	if n == nil || n.kind != 'n' {
		return 0, false
	}
	v, err := strconv.ParseUint(n.num.String(), 10, 64)
	if err != nil {
		f, ferr := n.num.Float64()
		if ferr != nil || f < 0 || f != float64(uint64(f)) {
			return 0, false
		}
		v = uint64(f)
	}
	return v, v <= max
}

// lineIndex converts byte offsets to 1-based lines and columns.
type lineIndex []int // offsets where lines start

func newLineIndex(b []byte) lineIndex {
	ix := lineIndex{0}
	for i, c := range b {
		if c == '\n' {
			ix = append(ix, i+1)
		}
	}
	return ix
}

func (ix lineIndex) lineCol(off int) (int, int) {
	l, _ := slices.BinarySearch(ix, off+1) // the first line start after off
	return l, off - ix[l-1] + 1
}

func lineCol(b []byte, off int) (int, int) {
	off = min(max(off, 0), len(b))
	return newLineIndex(b[:off]).lineCol(off)
}

// jfile is a JSON source: its name and text, for positions.
type jfile struct {
	name string
	buf  []byte
	ix   lineIndex
}

// readJSON reads and parses a JSON source (readAll's bound applies);
// errors name the source.
func readJSON(r io.Reader, name string) (*jfile, *jnode, error) {
	b, err := readAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	root, err := parseJSON(b)
	if err != nil {
		return nil, nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	return newJFile(name, b), root, nil
}

func newJFile(name string, b []byte) *jfile { return &jfile{name: name, buf: b, ix: newLineIndex(b)} }

// pos returns the position of a JSON value.
func (f *jfile) pos(n *jnode) Position {
	if n == nil {
		return Position{File: f.name}
	}
	l, c := f.ix.lineCol(n.off)
	return Position{File: f.name, Line: l, Column: c}
}
