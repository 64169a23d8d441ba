package resolver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

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
// are its answer: the CNAMEs followed from the name, then the records.
// Other lines starting with ";" are comments.

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

// ReadSnapshot parses a snapshot file; name labels it in errors.
func ReadSnapshot(rd io.Reader, name string) (*Snapshot, error) {
	if name == "" {
		name = "snapshot"
	}
	text, err := io.ReadAll(io.LimitReader(rd, MaxSnapshotBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(text) > MaxSnapshotBytes {
		return nil, fmt.Errorf("%s: snapshot larger than %d bytes", name, MaxSnapshotBytes)
	}
	s := &Snapshot{answers: map[qkey]*Answer{}}
	lines := strings.Split(string(text), "\n")
	if len(lines) == 0 || strings.TrimSpace(strings.TrimPrefix(lines[0], "\ufeff")) != snapshotHeader {
		return nil, fmt.Errorf("%s:1: not a domainlint snapshot (the first line must be %q)", name, snapshotHeader)
	}
	var cur *Answer
	records := 0
	nodata := map[*Answer]bool{}
	var tail string // the name the next CNAME or record must be owned by
	for i, line := range lines[1:] {
		lineNo := i + 2
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, ";?"):
			a, isNoData, err := parseQuestion(strings.Fields(line[2:]))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
			}
			nodata[a] = isNoData
			k := qkey{a.Name, a.Type}
			if _, dup := s.answers[k]; dup {
				return nil, fmt.Errorf("%s:%d: %s %s recorded twice", name, lineNo, a.Name, typeString(a.Type))
			}
			s.answers[k] = a
			cur, tail = a, a.Name
			continue
		case strings.HasPrefix(line, ";"):
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: a record before the first ;? question line", name, lineNo)
		}
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
		}
		if rr == nil {
			return nil, fmt.Errorf("%s:%d: not a record (directives such as $TTL have no place in a snapshot)", name, lineNo)
		}
		if records++; records > MaxSnapshotRecords {
			return nil, fmt.Errorf("%s:%d: more than %d records", name, lineNo, MaxSnapshotRecords)
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

func canonicalOwner(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// parseQuestion reads the fields of a ";?" line.
func parseQuestion(f []string) (a *Answer, nodata bool, err error) {
	if len(f) < 3 || len(f) > 4 || len(f) == 4 && f[3] != "AD" {
		return nil, false, fmt.Errorf("a question line is \";? NAME TYPE NOERROR|NXDOMAIN|NODATA [AD]\"")
	}
	name, err := CanonicalName(f[0])
	if err != nil {
		return nil, false, err
	}
	t, ok := dns.StringToType[strings.ToUpper(f[1])]
	if !ok {
		return nil, false, fmt.Errorf("unknown type %q", f[1])
	}
	a = &Answer{Name: name, Type: t, AD: len(f) == 4}
	switch f[2] {
	case "NOERROR":
	case "NODATA":
		nodata = true
	case "NXDOMAIN":
		a.Rcode = dns.RcodeNameError
	default:
		return nil, false, fmt.Errorf("unknown outcome %q (NOERROR, NXDOMAIN or NODATA)", f[2])
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
