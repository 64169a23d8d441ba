package smtpprobe

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A recording holds what servers said, so that an offline run (go test,
// CI, a second look at a sweep) gives the same findings without port 25.
// It is text, one block per address, meant to be reviewed in git:
//
//	; domainlint smtp recording 1
//	host mx.example.com 10 192.0.2.1:25 ok -
//	transcript S: 220 mx.example.com ESMTP
//	transcript C: EHLO domainlint.invalid
//	ext STARTTLS
//	starttls
//	tls 0x0304 TLS_AES_128_GCM_SHA256 tls12
//	verify trusted name-matches
//	time 2026-12-01T00:00:00Z
//	cert MIIB…
//	end
//
// "host" starts a block: the MX host, its preference, the address probed
// ("-" for none), the status and the stage ("-" for none). Then, each
// optional: "detail" and "verify-error" text, "transcript" lines, "ext"
// keywords, "starttls" when offered, "tls" with the version number, the
// cipher suite and "tls12" or "no-tls12", "verify" with the flags
// trusted, name-matches, expired and not-yet-valid, "time" the
// verification's, and the chain as "cert" lines of base64 DER, leaf first.
// "end" closes the block. Lines starting with ";" are comments. It is
// data: there are no directives, nothing names another file, and what a
// certificate says is read from its DER, never from the text.

// recordingHeader is the first line of every recording.
const recordingHeader = "; domainlint smtp recording 1"

// Bounds on what ReadRecording reads.
const (
	// MaxRecordingBytes bounds a recording's size, MaxRecordingLine a
	// line's (a certificate of MaxCertBytes in base64 fits), and
	// MaxRecordingHosts its blocks.
	MaxRecordingBytes = 32 << 20
	MaxRecordingLine  = 64 << 10
	MaxRecordingHosts = 100_000
	// maxExtensions bounds the EHLO keywords of one block.
	maxExtensions = 64
)

// Recording is what servers said, per host and address, as Probe reported
// it. Build one with Add, keep it with Write, read it back with
// ReadRecording, and replay it with NewReplay.
type Recording struct {
	Hosts []HostResult `json:"hosts"`
}

// Add adds a report's results; a result for a host and address already
// held replaces it.
func (rec *Recording) Add(rep *Report) {
	for _, h := range rep.Hosts {
		i := slices.IndexFunc(rec.Hosts, func(x HostResult) bool { return x.Host == h.Host && x.Addr == h.Addr })
		if i >= 0 {
			rec.Hosts[i] = h
			continue
		}
		rec.Hosts = append(rec.Hosts, h)
	}
}

// Write writes the recording, hosts in name order (each host's addresses
// in the order probed), so that recording the same servers twice gives
// the same file.
func (rec *Recording) Write(w io.Writer) error {
	hosts := slices.Clone(rec.Hosts)
	slices.SortStableFunc(hosts, func(a, b HostResult) int { return strings.Compare(a.Host, b.Host) })
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, recordingHeader)
	fmt.Fprintln(bw, "; What mail servers said to domainlint's SMTP probe. Replay it to check offline with the same results.")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, h := range hosts {
		fmt.Fprintf(bw, "host %s %d %s %s %s\n", h.Host, h.Preference, dash(h.Addr), h.Status, dash(h.Stage))
		if h.Detail != "" {
			fmt.Fprintf(bw, "detail %s\n", oneLine(h.Detail))
		}
		for _, l := range h.Transcript {
			fmt.Fprintf(bw, "transcript %s\n", oneLine(l))
		}
		for _, e := range h.Extensions {
			fmt.Fprintf(bw, "ext %s\n", oneLine(e))
		}
		if h.STARTTLS {
			fmt.Fprintln(bw, "starttls")
		}
		if t := h.TLS; t != nil {
			v12 := "no-tls12"
			if t.AcceptsTLS12 {
				v12 = "tls12"
			}
			fmt.Fprintf(bw, "tls 0x%04x %s %s\n", t.VersionID, dash(strings.ReplaceAll(t.CipherSuite, " ", "_")), v12)
			var flags []string
			for _, f := range []struct {
				on   bool
				name string
			}{{t.Trusted, "trusted"}, {t.NameMatches, "name-matches"}, {t.Expired, "expired"}, {t.NotYetValid, "not-yet-valid"}} {
				if f.on {
					flags = append(flags, f.name)
				}
			}
			fmt.Fprintf(bw, "verify %s\n", strings.Join(flags, " "))
			if t.VerifyError != "" {
				fmt.Fprintf(bw, "verify-error %s\n", oneLine(t.VerifyError))
			}
			if !t.Time.IsZero() {
				fmt.Fprintf(bw, "time %s\n", t.Time.UTC().Format(time.RFC3339))
			}
			for _, c := range t.Chain {
				if len(c.DER) > 0 {
					fmt.Fprintf(bw, "cert %s\n", base64.StdEncoding.EncodeToString(c.DER))
				}
			}
		}
		fmt.Fprintln(bw, "end")
	}
	return bw.Flush()
}

// oneLine makes sure text stays on its line.
func oneLine(s string) string { return Sanitize(s) }

// RecordingError is a recording ReadRecording refused. It names the line,
// never its text.
type RecordingError struct {
	Line   int
	Reason string
}

func (e *RecordingError) Error() string {
	if e.Line == 0 {
		return "smtpprobe: recording: " + e.Reason
	}
	return fmt.Sprintf("smtpprobe: recording line %d: %s", e.Line, e.Reason)
}

// ReadRecording reads a recording Write wrote, streaming, within
// MaxRecordingBytes, MaxRecordingLine and MaxRecordingHosts. It reads
// nothing but r: no directive exists. The error is a *RecordingError
// naming the line and what is wrong, never quoting the text, or r's.
func ReadRecording(r io.Reader) (*Recording, error) {
	// lr.N reaches 0 once more than MaxRecordingBytes were read.
	lr := &io.LimitedReader{R: r, N: MaxRecordingBytes + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	rec := &Recording{}
	var cur *HostResult
	bad := func(n int, format string, args ...any) (*Recording, error) {
		return nil, &RecordingError{Line: n, Reason: fmt.Sprintf(format, args...)}
	}
	n := 0
	for eof := false; !eof; {
		n++
		line, err := readLine(br, MaxRecordingLine+1)
		if lr.N <= 0 {
			return bad(0, "larger than %d bytes", MaxRecordingBytes)
		}
		if errors.Is(err, errLineTooLong) {
			return bad(n, "longer than %d bytes", MaxRecordingLine)
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		eof = err == io.EOF
		if n == 1 {
			if line != recordingHeader {
				return bad(1, "not a domainlint smtp recording (the first line is not the header)")
			}
			continue
		}
		if line == "" || line[0] == ';' {
			continue
		}
		if Sanitize(line) != line {
			return bad(n, "control characters or invalid UTF-8")
		}
		kw, rest, _ := strings.Cut(line, " ")
		if !slices.Contains(keywords, kw) {
			return bad(n, "unknown keyword %s", keyword(kw))
		}
		if kw != "host" && cur == nil {
			return bad(n, "%s outside a host block", keyword(kw))
		}
		switch kw {
		case "host":
			if cur != nil {
				return bad(n, "host before the previous block's end")
			}
			if len(rec.Hosts) == MaxRecordingHosts {
				return bad(n, "more than %d host blocks", MaxRecordingHosts)
			}
			h, reason := parseHostLine(rest)
			if reason != "" {
				return bad(n, "%s", reason)
			}
			cur = &h
		case "detail":
			if len(rest) > MaxDetailBytes+len("…") {
				return bad(n, "detail longer than %d bytes", MaxDetailBytes)
			}
			cur.Detail = rest
		case "transcript":
			if len(cur.Transcript) == MaxTranscriptLines {
				return bad(n, "more than %d transcript lines in a block", MaxTranscriptLines)
			}
			if len(rest) > MaxTranscriptLine+len("…") {
				return bad(n, "transcript line longer than %d bytes", MaxTranscriptLine)
			}
			cur.Transcript = append(cur.Transcript, rest)
		case "ext":
			if len(cur.Extensions) == maxExtensions {
				return bad(n, "more than %d extensions in a block", maxExtensions)
			}
			if len(rest) > MaxDetailBytes {
				return bad(n, "extension longer than %d bytes", MaxDetailBytes)
			}
			cur.Extensions = append(cur.Extensions, rest)
		case "starttls":
			cur.STARTTLS = true
		case "tls":
			f := strings.Fields(rest)
			if len(f) != 3 || cur.TLS != nil {
				return bad(n, "want tls VERSION CIPHER tls12|no-tls12, once per block")
			}
			v, err := strconv.ParseUint(f[0], 0, 16)
			if err != nil || (f[2] != "tls12" && f[2] != "no-tls12") {
				return bad(n, "want tls VERSION CIPHER tls12|no-tls12")
			}
			if len(f[1]) > 128 {
				return bad(n, "cipher suite name longer than 128 bytes")
			}
			cur.TLS = &TLS{VersionID: uint16(v), Version: tls.VersionName(uint16(v)), CipherSuite: f[1], AcceptsTLS12: f[2] == "tls12"}
		case "verify", "verify-error", "time", "cert":
			if cur.TLS == nil {
				return bad(n, "%s before tls", kw)
			}
			switch kw {
			case "verify":
				for _, f := range strings.Fields(rest) {
					switch f {
					case "trusted":
						cur.TLS.Trusted = true
					case "name-matches":
						cur.TLS.NameMatches = true
					case "expired":
						cur.TLS.Expired = true
					case "not-yet-valid":
						cur.TLS.NotYetValid = true
					default:
						return bad(n, "unknown verify flag")
					}
				}
			case "verify-error":
				if len(rest) > MaxDetailBytes+len("…") {
					return bad(n, "verify-error longer than %d bytes", MaxDetailBytes)
				}
				cur.TLS.VerifyError = rest
			case "time":
				t, err := time.Parse(time.RFC3339, rest)
				if err != nil {
					return bad(n, "time is not RFC 3339")
				}
				cur.TLS.Time = t.UTC()
			case "cert":
				if len(cur.TLS.Chain) == MaxChainCerts {
					return bad(n, "more than %d certificates in a chain", MaxChainCerts)
				}
				der, err := base64.StdEncoding.DecodeString(rest)
				if err != nil {
					return bad(n, "cert is not base64")
				}
				c, err := x509.ParseCertificate(der)
				if err != nil || len(der) > MaxCertBytes {
					return bad(n, "cert is not a DER certificate of at most %d bytes", MaxCertBytes)
				}
				cur.TLS.Chain = append(cur.TLS.Chain, summarize(c))
			}
		case "end":
			if rest != "" {
				return bad(n, "end takes nothing")
			}
			rec.Hosts = append(rec.Hosts, *cur)
			cur = nil
		default:
			return bad(n, "unknown keyword %s", keyword(kw))
		}
	}
	if cur != nil {
		return bad(n, "the last block has no end line")
	}
	return rec, nil
}

// keyword names a keyword in an error only when it is a plain word of
// ours' shape: never more of the file.
func keyword(kw string) string {
	if len(kw) > 16 || strings.IndexFunc(kw, func(r rune) bool { return (r < 'a' || r > 'z') && r != '-' }) >= 0 {
		return "(not a keyword)"
	}
	return strconv.Quote(kw)
}

var keywords = []string{"host", "detail", "transcript", "ext", "starttls", "tls", "verify", "verify-error", "time", "cert", "end"}

var statuses = []Status{OK, NoSTARTTLS, TLSFailed, Refused, Timeout, Unreachable, Rejected, ProtocolViolation, Dropped, NoAddress, DNSFailed, NotChecked}

var stages = []string{"dns", "connect", "banner", "ehlo", "starttls", "handshake"}

// parseHostLine reads "HOST PREF ADDR STATUS STAGE".
func parseHostLine(s string) (HostResult, string) {
	f := strings.Fields(s)
	if len(f) != 5 {
		return HostResult{}, "want host NAME PREFERENCE ADDRESS STATUS STAGE"
	}
	var h HostResult
	if len(f[0]) > 253 || strings.IndexFunc(f[0], func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return h, "the host is not a host name"
	}
	h.Host = strings.ToLower(f[0])
	pref, err := strconv.ParseUint(f[1], 10, 16)
	if err != nil {
		return h, "the preference is not a number from 0 to 65535"
	}
	h.Preference = uint16(pref)
	if f[2] != "-" {
		ap, err := netip.ParseAddrPort(f[2])
		if err != nil {
			return h, "the address is not ADDRESS:PORT"
		}
		h.Addr = ap.String()
	}
	h.Status = Status(f[3])
	if !slices.Contains(statuses, h.Status) {
		return h, "unknown status"
	}
	if f[4] != "-" {
		if !slices.Contains(stages, f[4]) {
			return h, "unknown stage"
		}
		h.Stage = f[4]
	}
	return h, ""
}

// results are the recorded results for h's host, at most max with an
// address, or one NotChecked result when none was recorded.
func (rec *Recording) results(h HostResult, max int) []HostResult {
	var out []HostResult
	n := 0
	for _, x := range rec.Hosts {
		if x.Host != h.Host {
			continue
		}
		if x.Addr != "" {
			if n == max {
				continue
			}
			n++
		}
		x.Preference = h.Preference
		out = append(out, x)
	}
	if len(out) == 0 {
		h.Status, h.Stage, h.Detail = NotChecked, "connect", "not in the recording replayed"
		out = append(out, h)
	}
	return out
}

// NewReplay returns a Prober that answers from rec instead of the
// network: Probe looks up no address and connects nowhere; a host the
// recording does not hold is NotChecked. The MX hosts still come from
// Input.MX or the resolver given to Probe. Options bound the addresses
// replayed per host and the hosts per domain; the rest are unused.
func NewReplay(rec *Recording, opts Options) (*Prober, error) {
	p, err := New(opts)
	if err != nil {
		return nil, err
	}
	p.replay = rec
	return p, nil
}
