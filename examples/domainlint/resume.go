package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"time"
)

// The -resume file is JSON Lines of reports, shared safely:
//
//   - it is opened O_APPEND and every report is one write of one whole
//     line, under an exclusive lock (flock) taken for that write: workers
//     of one sweep (-shard K/N) may resume into one file, and their lines
//     never interleave;
//   - it is read streaming, a line at a time (a line is at most
//     maxResumeLine), and what is kept per domain is a hash of its name
//     and one octet: whether a report of it is final, or how many times
//     it failed temporarily;
//   - a domain whose reports hold only temporary failures (the errors'
//     kinds temporary, timeout or canceled: a server that did not answer,
//     not anything the domain publishes) is checked again, up to
//     resumeRetries times: its new report is appended, so the last line
//     of a domain is its report;
//   - it must be a regular file whose first line is a report of ours;
//   - the one thing ever cut is a torn last line of our own output (it
//     starts as our lines do and does not parse: a killed run's), under
//     the lock; a last line that is whole but lacks its newline gets one.
//     Any other file that does not end in a newline (a JSON array, a file
//     given by mistake) is refused and left as it is.

// maxResumeLine bounds a line of the -resume file read into memory; a
// longer line is not one of our reports (it is skipped: its domain, if
// any, is checked again).
const maxResumeLine = 16 << 20

// resumeLockWait bounds the wait for the lock, at the start and for each
// report: another worker holds it for one write; a process that holds it
// longer is refused.
const resumeLockWait = 3 * time.Second

// resumeRetries is how many times -resume checks again a domain whose
// reports hold only temporary failures: it is checked at most
// 1 + resumeRetries times in all, counted by its reports in the file.
const resumeRetries = 3

// reportPrefix starts every line of ours: check.Report's first field.
var reportPrefix = []byte(`{"domain":"`)

var errResumeLocked = errors.New("another process holds a lock on it (domainlint workers take it only to append a line)")

// resumeFile is an open -resume file.
type resumeFile struct {
	f    *os.File
	path string
	seed maphash.Seed
	// state of each domain reported, by the hash of its name: final, or
	// the number of reports holding only temporary failures.
	state map[uint64]uint8
	bad   int // lines that are not whole reports
}

// final is a state: the domain has a report that is not a temporary
// failure.
const final = 0xff

// openResume opens path for appending (creating it), repairs a torn last
// line of ours, and reads which domains it already reports.
func openResume(ctx context.Context, path string) (*resumeFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	r := &resumeFile{f: f, path: path, seed: maphash.MakeSeed(), state: map[uint64]uint8{}}
	size, err := r.prepare(ctx)
	if err == nil {
		err = r.read(size)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// prepare checks, under the lock, that the file ends with a whole line
// (cutting a torn one of ours), and returns its length then.
func (r *resumeFile) prepare(ctx context.Context) (int64, error) {
	st, err := r.f.Stat()
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file (%s): reports are appended to a file", r.path, st.Mode().Type())
	}
	if err := lockFile(ctx, r.f, resumeLockWait); err != nil {
		return 0, err
	}
	defer unlockFile(r.f)
	if st, err = r.f.Stat(); err != nil {
		return 0, err
	}
	size := st.Size()
	if size == 0 {
		return 0, nil
	}
	var last [1]byte
	if _, err := r.f.ReadAt(last[:], size-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		return size, nil
	}
	// The start of the last line: the octet after the last newline, at
	// most maxResumeLine octets back, read backwards a block at a time.
	cut := int64(-1)
	buf := make([]byte, 64<<10)
	for end := size; cut < 0 && end > 0 && size-end <= maxResumeLine; {
		n := min(end, int64(len(buf)))
		if _, err := r.f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			cut = end - n + int64(i) + 1
		}
		end -= n
		if end == 0 && cut < 0 {
			cut = 0
		}
	}
	if cut < 0 || size-cut > maxResumeLine {
		return 0, fmt.Errorf("%s: its last line is longer than %d octets: not domainlint -format json output; left as it is", r.path, maxResumeLine)
	}
	lastLine := make([]byte, size-cut)
	if _, err := r.f.ReadAt(lastLine, cut); err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(lastLine, reportPrefix) {
		return 0, fmt.Errorf("%s does not end with a line of domainlint -format json output (a JSON array, or another file?); left as it is: give a new file, or the one a sweep wrote", r.path)
	}
	if json.Valid(lastLine) {
		// Whole, but without its newline: end the line.
		if _, err := r.f.Write([]byte{'\n'}); err != nil {
			return 0, err
		}
		return size + 1, nil
	}
	// A torn last line of ours (a run killed as it wrote): its domain is
	// checked again.
	if err := r.f.Truncate(cut); err != nil {
		return 0, err
	}
	return cut, nil
}

// read streams the first size octets, a line at a time, and notes the
// domain of every whole report.
func (r *resumeFile) read(size int64) error {
	br := bufio.NewReaderSize(io.NewSectionReader(r.f, 0, size), 64<<10)
	var line []byte
	tooLong, start := false, true
	for n := 1; ; {
		chunk, err := br.ReadSlice('\n')
		if start && n == 1 && len(chunk) > 0 && !bytes.HasPrefix(chunk, reportPrefix) {
			return fmt.Errorf("%s does not start with a line of domainlint -format json output; left as it is: give a new file, or the one a sweep wrote", r.path)
		}
		start = false
		if need := len(line) + len(chunk); !tooLong && need <= maxResumeLine {
			if need > cap(line) {
				// Doubling: append grows a large slice by a quarter, which
				// allocates five times the line on the way to 16 MiB.
				grown := make([]byte, 0, min(maxResumeLine, max(2*cap(line), need)))
				line = append(grown, line...)
			}
			line = append(line, chunk...)
		} else {
			tooLong, line = true, line[:0]
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if len(line) > 0 || tooLong {
			var rep resumeReport
			if !tooLong && json.Unmarshal(line, &rep) == nil && rep.Domain != "" {
				r.note(rep)
			} else {
				r.bad++
			}
			n++
		}
		if err == io.EOF {
			return nil
		}
		line, tooLong, start = line[:0], false, true
	}
}

// resumeReport is what the file's reader reads of a report.
type resumeReport struct {
	Domain string `json:"domain"`
	Errors []struct {
		Kind string `json:"kind"`
	} `json:"errors"`
}

// temporary reports whether the report holds only temporary failures.
func (rep resumeReport) temporary() bool {
	for _, e := range rep.Errors {
		switch e.Kind {
		case "temporary", "timeout", "canceled":
		default:
			return false
		}
	}
	return len(rep.Errors) > 0
}

// note records a report of the file.
func (r *resumeFile) note(rep resumeReport) {
	h := maphash.String(r.seed, normalDomain(rep.Domain))
	switch st := r.state[h]; {
	case !rep.temporary():
		r.state[h] = final
	case st < final-1:
		r.state[h] = st + 1
	}
}

// done reports whether the file is done with domain: it holds a final
// report of it, or 1 + resumeRetries reports of temporary failures.
func (r *resumeFile) done(domain string) bool {
	if r == nil {
		return false
	}
	st, ok := r.state[maphash.String(r.seed, normalDomain(domain))]
	return ok && (st == final || st > resumeRetries)
}

// retries counts the domains the file holds only temporary failures of:
// those to check again, and those given up on after resumeRetries.
func (r *resumeFile) retries() (pending, givenUp int) {
	if r == nil {
		return 0, 0
	}
	for _, st := range r.state {
		switch {
		case st == final:
		case st > resumeRetries:
			givenUp++
		default:
			pending++
		}
	}
	return pending, givenUp
}

// Write appends b, one report's line, in one write under the lock.
func (r *resumeFile) Write(b []byte) (int, error) {
	if err := lockFile(context.Background(), r.f, resumeLockWait); err != nil {
		return 0, err
	}
	defer unlockFile(r.f)
	return r.f.Write(b)
}

func (r *resumeFile) Close() error { return r.f.Close() }
