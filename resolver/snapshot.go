package resolver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/domainlint/domainlint/internal/lineread"
	"github.com/miekg/dns"
)

// A snapshot file holds the answers a live run got for names outside the
// zone files, so that an offline run (go test, CI) gives the same findings
// without the network. It is text, one question per block, meant to be
// reviewed in git:
//
//	; domainlint snapshot 1
//	;? spf.protection.outlook.com. TXT NOERROR
//	spf.protection.outlook.com.	3600	IN	TXT	"v=spf1 include:spfa.protection.outlook.com -all"
//	;? _dmarc.com. TXT NXDOMAIN
//	;? sendgrid.net. MX NODATA
//
// A ";?" line starts a question: its name, type and outcome (NOERROR,
// NXDOMAIN or NODATA, then AD when a validating resolver authenticated
// it). The records that follow, in master-file form with absolute names,
// are its answer: the CNAMEs followed from the name, then the records,
// one to a line. Other lines starting with ";" are comments. It is data,
// not a master file: no directive ($INCLUDE, $GENERATE, $ORIGIN, $TTL) is
// honoured.

// snapshotHeader is the first line of every snapshot file.
const snapshotHeader = "; domainlint snapshot 1"

// MaxSnapshotBytes bounds the size of a snapshot file ReadSnapshot reads,
// and MaxSnapshotRecords the records in it (and so the memory it holds: a
// check records a few dozen answers, a sweep's snapshot a few thousand).
const (
	MaxSnapshotBytes   = 32 << 20
	MaxSnapshotRecords = 100_000
)

// Recorder passes every question to another Resolver and remembers the
// answers (positive, NXDOMAIN and NODATA alike) to write as a snapshot.
// Failed lookups are not remembered: replaying, those names stay
// unverified. A Recorder is safe for concurrent use.
type Recorder struct {
	r       Resolver
	mu      sync.Mutex
	answers map[qkey]*Answer
}

// NewRecorder returns a Recorder asking r.
func NewRecorder(r Resolver) *Recorder {
	return &Recorder{r: r, answers: map[qkey]*Answer{}}
}

// Lookup asks the underlying resolver and records the answer.
func (rec *Recorder) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	a, err := rec.r.Lookup(ctx, name, qtype)
	if err == nil {
		rec.mu.Lock()
		rec.answers[qkey{a.Name, qtype}] = a
		rec.mu.Unlock()
	}
	return a, err
}

// Len returns the number of questions recorded.
func (rec *Recorder) Len() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.answers)
}

// WriteSnapshot writes the recorded answers in snapshot form, sorted by
// name and type, records within an answer sorted, so that recording the
// same world twice gives the same file.
func (rec *Recorder) WriteSnapshot(w io.Writer) error {
	rec.mu.Lock()
	keys := make([]qkey, 0, len(rec.answers))
	for k := range rec.answers {
		keys = append(keys, k)
	}
	answers := make([]*Answer, len(keys))
	slices.SortFunc(keys, func(a, b qkey) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return int(a.qtype) - int(b.qtype)
	})
	for i, k := range keys {
		answers[i] = rec.answers[k]
	}
	rec.mu.Unlock()

	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, snapshotHeader)
	fmt.Fprintln(bw, "; Answers from live DNS for names outside the zone files. Load it to check offline with the same results.")
	for _, a := range answers {
		outcome := "NOERROR"
		switch {
		case a.NXDomain():
			outcome = "NXDOMAIN"
		case a.NoData():
			outcome = "NODATA"
		}
		if a.AD {
			outcome += " AD"
		}
		fmt.Fprintf(bw, ";? %s %s %s\n", a.Name, typeString(a.Type), outcome)
		for _, c := range a.Chain {
			fmt.Fprintln(bw, c.String())
		}
		lines := make([]string, 0, len(a.Records))
		for _, rr := range a.Records {
			lines = append(lines, rr.String())
		}
		slices.Sort(lines)
		for _, l := range lines {
			fmt.Fprintln(bw, l)
		}
	}
	return bw.Flush()
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// Snapshot answers the questions a snapshot file recorded, exactly as
// recorded; for any other question it asks its fallback, and without one
// fails with ErrUnverified (never NXDOMAIN: a name the snapshot does not
// hold was simply not asked). It is safe for concurrent use.
type Snapshot struct {
	answers  map[qkey]*Answer
	fallback Resolver
}

// maxSnapshotLine bounds one line of a snapshot: a record of 64 KiB on
// the wire is at most four times that in presentation form (\DDD escapes).
const maxSnapshotLine = 256<<10 + 1024

// ReadSnapshot parses a snapshot file; name labels it in errors.
//
// A snapshot is data, not a master file: every line is a question, a
// comment or one record, parsed on its own. No directive of any kind
// ($INCLUDE, $GENERATE, $ORIGIN, $TTL) is honoured: a line starting with
// "$" is an error, so a snapshot never reads another file. The read is
// streamed and bounded: MaxSnapshotBytes in all, a line at most 257 KiB,
// MaxSnapshotRecords questions and records together. Errors name the line
// and what is wrong with it, never its text: a snapshot's content is not
// echoed.
func ReadSnapshot(rd io.Reader, name string) (*Snapshot, error) {
	if name == "" {
		name = "snapshot"
	}
	lr := &io.LimitedReader{R: rd, N: MaxSnapshotBytes + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	s := &Snapshot{answers: map[qkey]*Answer{}}
	var cur *Answer
	entries := 0 // questions and records: MaxSnapshotRecords bounds both
	nodata := map[*Answer]bool{}
	var tail string // the name the next CNAME or record must be owned by
	for lineNo := 1; ; lineNo++ {
		line, err := readSnapshotLine(br)
		if lr.N <= 0 {
			return nil, fmt.Errorf("%s: snapshot larger than %d bytes", name, MaxSnapshotBytes)
		}
		if err == errLongLine {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, lineNo, maxSnapshotLine)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if lineNo == 1 {
			if strings.TrimSpace(strings.TrimPrefix(line, "\ufeff")) != snapshotHeader {
				return nil, fmt.Errorf("%s:1: not a domainlint snapshot (the first line must be %q)", name, snapshotHeader)
			}
			if err == io.EOF {
				break
			}
			continue
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, ";?"):
			if entries++; entries > MaxSnapshotRecords {
				return nil, fmt.Errorf("%s:%d: more than %d questions and records", name, lineNo, MaxSnapshotRecords)
			}
			a, isNoData, perr := parseQuestion(strings.Fields(line[2:]))
			if perr != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, perr)
			}
			nodata[a] = isNoData
			k := qkey{a.Name, a.Type}
			if _, dup := s.answers[k]; dup {
				return nil, fmt.Errorf("%s:%d: %s %s recorded twice", name, lineNo, a.Name, typeString(a.Type))
			}
			s.answers[k] = a
			cur, tail = a, a.Name
		case strings.HasPrefix(line, ";"):
		default:
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: a record before the first ;? question line", name, lineNo)
			}
			if entries++; entries > MaxSnapshotRecords {
				return nil, fmt.Errorf("%s:%d: more than %d questions and records", name, lineNo, MaxSnapshotRecords)
			}
			rr, perr := snapshotRR(line)
			if perr != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, perr)
			}
			owner := canonicalOwner(rr.Header().Name)
			rr.Header().Name = owner
			switch c, isCNAME := rr.(*dns.CNAME); {
			case isCNAME && cur.Type != dns.TypeCNAME && owner == tail && len(cur.Records) == 0:
				cur.Chain = append(cur.Chain, c)
				tail = strings.ToLower(c.Target)
			case rr.Header().Rrtype == cur.Type && owner == tail:
				cur.Records = append(cur.Records, rr)
			default:
				return nil, fmt.Errorf("%s:%d: %s %s does not answer %s %s", name, lineNo, owner, typeString(rr.Header().Rrtype), cur.Name, typeString(cur.Type))
			}
		}
		if err == io.EOF {
			break
		}
	}
	for a, isNoData := range nodata {
		switch {
		case a.NXDomain() && len(a.Records) > 0:
			return nil, fmt.Errorf("%s: %s %s: NXDOMAIN, yet %d records follow", name, a.Name, typeString(a.Type), len(a.Records))
		case !a.NXDomain() && isNoData && len(a.Records) > 0:
			return nil, fmt.Errorf("%s: %s %s: NODATA, yet %d records follow", name, a.Name, typeString(a.Type), len(a.Records))
		case !a.NXDomain() && !isNoData && len(a.Records) == 0:
			return nil, fmt.Errorf("%s: %s %s: NOERROR with no records (write NODATA)", name, a.Name, typeString(a.Type))
		}
	}
	return s, nil
}

var errLongLine = lineread.ErrTooLong

// readSnapshotLine reads one line without its newline; a line longer than
// maxSnapshotLine is errLongLine. At the end of input it returns the last
// line (perhaps empty) with io.EOF.
func readSnapshotLine(br *bufio.Reader) (string, error) {
	return lineread.Line(br, maxSnapshotLine)
}

// snapshotRR parses one line as one record, in master-file form with an
// absolute owner. It is not a master file: a directive is refused before
// the parser sees it (and the parser is told to refuse $INCLUDE too), a
// line holds exactly one record, and the error says what is wrong without
// quoting the line.
func snapshotRR(line string) (dns.RR, error) {
	if strings.HasPrefix(line, "$") {
		return nil, errors.New("a directive ($INCLUDE, $GENERATE, $ORIGIN, $TTL…) has no place in a snapshot")
	}
	for _, c := range line {
		if c < ' ' && c != '\t' || c == 0x7f {
			return nil, errors.New("a control character (snapshots escape them as \\DDD)")
		}
	}
	zp := dns.NewZoneParser(strings.NewReader(line+"\n"), ".", "")
	zp.SetIncludeAllowed(false)
	zp.SetDefaultTTL(3600)
	rr, ok := zp.Next()
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("not a record: %s", parseReason(err))
	}
	if !ok || rr == nil {
		return nil, errors.New("not a record")
	}
	if _, more := zp.Next(); more || zp.Err() != nil {
		return nil, errors.New("more than one record on a line")
	}
	return rr, nil
}

// parseReason is what a miekg/dns parse error says is wrong, without the
// token it quotes (the text of the line), or "malformed" when the message
// is anything but a short plain phrase.
func parseReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "dns: "); i >= 0 {
		msg = msg[i+len("dns: "):]
	}
	if i := strings.Index(msg, ": \""); i >= 0 {
		msg = msg[:i]
	} else {
		return "malformed"
	}
	if len(msg) > 80 || strings.ContainsFunc(msg, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" $-_.,()/", r))
	}) {
		return "malformed"
	}
	return msg
}

func canonicalOwner(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// parseQuestion reads the fields of a ";?" line.
func parseQuestion(f []string) (a *Answer, nodata bool, err error) {
	if len(f) < 3 || len(f) > 4 || len(f) == 4 && f[3] != "AD" {
		return nil, false, fmt.Errorf("a question line is \";? NAME TYPE NOERROR|NXDOMAIN|NODATA [AD]\"")
	}
	name, err := CanonicalName(f[0])
	if err != nil {
		return nil, false, fmt.Errorf("%w: not a domain name in A-label form", ErrInvalidName)
	}
	t, ok := dns.StringToType[strings.ToUpper(f[1])]
	if !ok {
		return nil, false, errors.New("unknown type")
	}
	a = &Answer{Name: name, Type: t, AD: len(f) == 4}
	switch f[2] {
	case "NOERROR":
	case "NODATA":
		nodata = true
	case "NXDOMAIN":
		a.Rcode = dns.RcodeNameError
	default:
		return nil, false, errors.New("unknown outcome (NOERROR, NXDOMAIN or NODATA)")
	}
	return a, nodata, nil
}

// WithFallback returns a Snapshot over the same answers that asks r for
// questions it did not record.
func (s *Snapshot) WithFallback(r Resolver) *Snapshot {
	c := *s
	c.fallback = r
	return &c
}

// Len returns the number of questions recorded.
func (s *Snapshot) Len() int { return len(s.answers) }

// Lookup returns the recorded answer, or asks the fallback.
func (s *Snapshot) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	cname, err := CanonicalName(name)
	if err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	if a, ok := s.answers[qkey{cname, qtype}]; ok {
		return a, nil
	}
	if s.fallback != nil {
		return s.fallback.Lookup(ctx, cname, qtype)
	}
	return nil, &Error{Name: cname, Type: qtype, Rcode: -1, Err: ErrUnverified}
}
