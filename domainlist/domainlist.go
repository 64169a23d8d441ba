// Package domainlist reads lists of domain names, one a line, as sweeps
// get them: exported from spreadsheets, pasted from mail, concatenated
// from other tools. Each line becomes the name as DNS asks it — trimmed,
// lower-cased, without a trailing dot, its U-labels converted to A-labels
// (IDNA2008, the lookup profile of RFC 5891 §5 and UTS #46) — or an
// [*Error] saying why it is not a domain name (a URL, a mail address, a
// list, a name with whitespace inside, an IP address, an invalid or
// over-long name). Blank lines and lines starting with # are skipped, and
// repeats are dropped, in bounded memory.
//
// [Normalize] does the same for one name.
package domainlist

import (
	"bufio"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/domainlint/domainlint/resolver"
	"golang.org/x/net/idna"
)

// MaxLine bounds a line read into memory: a name is at most 253 octets
// (in A-labels; a U-label line may be longer), so a longer line is
// rejected (ReasonTooLong) and the rest of it is read past, never held.
const MaxLine = 1024

// DefaultMaxSeen is how many names a Reader remembers to drop repeats
// when Options.MaxSeen is 0: one 64-bit hash each, held in a map at
// about 24 octets a hash and under 48 (TestSeenBound), so under 48 MiB
// when full.
const DefaultMaxSeen = 1 << 20

// Reason is why a line is not a domain name.
type Reason string

const (
	ReasonTooLong Reason = "too-long"   // longer than MaxLine octets
	ReasonURL     Reason = "url"        // https://d.test/, d.test/path
	ReasonAddress Reason = "address"    // admin@d.test, mailto:admin@d.test
	ReasonList    Reason = "list"       // a,b or a;b
	ReasonSpace   Reason = "whitespace" // whitespace inside the name
	ReasonPort    Reason = "port"       // d.test:25
	ReasonIP      Reason = "ip-address" // 192.0.2.1, 2001:db8::1
	ReasonInvalid Reason = "invalid"    // not a valid name (IDNA2008, RFC 1035 lengths)
)

// Error is a line that is not a domain name. It wraps
// resolver.ErrInvalidName, so that a report made of it
// (check.ErrorReport) has the error kind "invalid-name".
type Error struct {
	// Line is the line's number, from 1 (0 from Normalize).
	Line int
	// Text is the line, trimmed; a line over MaxLine octets is cut there
	// and ends in "…".
	Text   string
	Reason Reason
	// Detail says more: the name to give instead (a URL's host, an
	// address's domain), or what the name breaks.
	Detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	switch e.Reason {
	case ReasonTooLong:
		fmt.Fprintf(&b, "longer than %d octets: not a domain name", MaxLine)
	case ReasonURL:
		b.WriteString("a URL, not a domain name")
	case ReasonAddress:
		b.WriteString("a mail address, not a domain name")
	case ReasonList:
		b.WriteString("a list, not a domain name: give one name a line")
	case ReasonSpace:
		b.WriteString("whitespace inside the name")
	case ReasonPort:
		b.WriteString("a host and port, not a domain name")
	case ReasonIP:
		b.WriteString("an IP address, not a domain name")
	default:
		b.WriteString("not a valid domain name")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap returns resolver.ErrInvalidName.
func (e *Error) Unwrap() error { return resolver.ErrInvalidName }

// Normalize returns name as DNS asks it: trimmed, lower-cased, without its
// trailing dot, in A-labels (idna.Lookup: "Bücher.Example." gives
// "xn--bcher-kva.example"), checked for RFC 1035's lengths. Anything else
// is an *Error with its reason. Normalize("") is an error too; a Reader
// skips blank lines before it asks.
func Normalize(name string) (string, error) {
	return normalize(strings.TrimSpace(name), 0)
}

func normalize(s string, line int) (string, error) {
	reject := func(r Reason, detail string) (string, error) {
		return "", &Error{Line: line, Text: s, Reason: r, Detail: detail}
	}
	if len(s) > MaxLine {
		return reject(ReasonTooLong, "")
	}
	switch {
	case strings.Contains(s, "://"):
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			return reject(ReasonURL, "give its host, "+u.Hostname())
		}
		return reject(ReasonURL, "")
	case strings.Contains(s, "@"):
		at := s[strings.LastIndexByte(s, '@')+1:]
		if at != "" && !strings.ContainsAny(at, " \t,;/") {
			return reject(ReasonAddress, "give its domain, "+at)
		}
		return reject(ReasonAddress, "")
	case strings.ContainsAny(s, ",;"):
		return reject(ReasonList, "")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return reject(ReasonSpace, "")
	case strings.Contains(s, "/"):
		host, _, _ := strings.Cut(s, "/")
		return reject(ReasonURL, "give its host, "+host)
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.Trim(s, "[]"), ".")); err == nil {
		return reject(ReasonIP, "give the domain whose mail it handles, not "+a.String())
	}
	if host, port, ok := strings.Cut(s, ":"); ok {
		if !strings.Contains(port, ":") {
			return reject(ReasonPort, "give its host, "+host)
		}
		return reject(ReasonInvalid, "a colon inside")
	}
	name := strings.TrimSuffix(strings.ToLower(s), ".")
	if name == "" {
		return reject(ReasonInvalid, "the root, not a domain")
	}
	if !utf8.ValidString(name) {
		return reject(ReasonInvalid, "not UTF-8")
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return reject(ReasonInvalid, idnaReason(err))
	}
	// idna maps other dots (U+3002 and kin) to ".": the result may hold
	// an empty label the input did not show.
	if ascii == "." || strings.HasPrefix(ascii, ".") || strings.HasSuffix(ascii, ".") || strings.Contains(ascii, "..") {
		return reject(ReasonInvalid, "an empty label")
	}
	if _, err := resolver.CanonicalName(ascii); err != nil {
		msg := err.Error()
		var ne *resolver.NameError
		if errors.As(err, &ne) {
			msg = ne.Reason
		}
		return reject(ReasonInvalid, msg)
	}
	return ascii, nil
}

// idnaReason is idna's error without its package prefix.
func idnaReason(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

// Options configure a Reader.
type Options struct {
	// MaxSeen bounds the names remembered to drop repeats
	// (DefaultMaxSeen when 0; negative: repeats are not dropped). Past
	// it, names already remembered are still dropped when they come
	// again, and new names are passed on without being remembered: a
	// name first seen after the bound may be passed on more than once
	// (Stats.Unremembered counts them).
	MaxSeen int
	// Keep, when set, is asked about every name (and, for a rejected
	// line, its Error.Text) before it is remembered: what it refuses is
	// skipped, silently and without using the bound (another shard's
	// names, names a sweep already reported).
	Keep func(string) bool
}

// Stats count what a Reader read.
type Stats struct {
	Lines        int // lines read, blank and comment lines included
	Names        int // names passed on
	Rejected     int // lines that are not domain names
	Repeats      int // names dropped as repeats
	Skipped      int // names and lines Keep refused
	Unremembered int // names passed on without being remembered (the bound was reached)
}

// Reader reads a list of domain names, one a line.
//
// Repeats are found by a set of 64-bit hashes (hash/maphash, seeded at
// random per Reader), at most Options.MaxSeen of them. Two different
// names share a hash with a probability of about n·m/2⁶⁴ over a list of n
// names of which m are remembered (3·10⁻⁸ for a million of each): the
// later one would be dropped as a repeat.
type Reader struct {
	rd   io.Reader
	opts Options
	seed maphash.Seed
	seen map[uint64]struct{}
	// mu guards stats and err: Stats and Err may be called while All
	// runs on another goroutine (a sweep reads them when it stops).
	mu    sync.Mutex
	stats Stats
	err   error
}

// setErr records the read error that ended All.
func (r *Reader) setErr(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// bump adds one to a count of r.stats.
func (r *Reader) bump(n *int) {
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

// NewReader returns a Reader of rd.
func NewReader(rd io.Reader, opts Options) *Reader {
	if opts.MaxSeen == 0 {
		opts.MaxSeen = DefaultMaxSeen
	}
	return &Reader{rd: rd, opts: opts, seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
}

// All yields each name in the order of the list, with a nil error, and
// each line that is not a name as its Error.Text with its *Error. Blank
// lines, lines starting with #, repeats and what Keep refuses are
// skipped. A read error ends the sequence: Err returns it. All reads rd
// once; call it once.
func (r *Reader) All() iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		br := bufio.NewReaderSize(r.rd, MaxLine+1)
		for n := 1; ; n++ {
			chunk, err := br.ReadSlice('\n')
			line := string(chunk)
			long := false
			if err == bufio.ErrBufferFull {
				long = true
				for err == bufio.ErrBufferFull {
					_, err = br.ReadSlice('\n')
				}
			}
			if len(line) > 0 {
				r.bump(&r.stats.Lines)
			}
			if n == 1 {
				line = strings.TrimPrefix(line, "\uFEFF") // a byte order mark
			}
			if name, lerr := r.line(line, n, long); name != "" || lerr != nil {
				if !yield(name, lerr) {
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					r.setErr(err)
				}
				return
			}
		}
	}
}

// line reads one line: the name to pass on, the rejected line's text and
// its error, or nothing.
func (r *Reader) line(line string, n int, long bool) (string, error) {
	line = strings.TrimSpace(line)
	if long {
		line = strings.ToValidUTF8(line[:min(len(line), MaxLine)], "") + "…"
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return "", nil
	}
	var name string
	var err error
	if long {
		err = &Error{Line: n, Text: line, Reason: ReasonTooLong}
	} else {
		name, err = normalize(line, n)
	}
	if err != nil {
		if r.opts.Keep != nil && !r.opts.Keep(line) {
			r.bump(&r.stats.Skipped)
			return "", nil
		}
		r.bump(&r.stats.Rejected)
		return line, err
	}
	if r.opts.Keep != nil && !r.opts.Keep(name) {
		r.bump(&r.stats.Skipped)
		return "", nil
	}
	if r.opts.MaxSeen > 0 {
		h := maphash.String(r.seed, name)
		if _, ok := r.seen[h]; ok {
			r.bump(&r.stats.Repeats)
			return "", nil
		}
		if len(r.seen) < r.opts.MaxSeen {
			r.seen[h] = struct{}{}
		} else {
			r.bump(&r.stats.Unremembered)
		}
	}
	r.bump(&r.stats.Names)
	return name, nil
}

// Err returns the read error that ended All, if any.
func (r *Reader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Stats returns the counts so far.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}
