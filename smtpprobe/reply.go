package smtpprobe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/domainlint/domainlint/internal/lineread"
)

// Reply is one SMTP reply (RFC 5321 §4.2): a three-digit code and the
// text of each of its lines, as received (bytes that are not printable
// UTF-8 escaped as \xNN, so a reply is always valid JSON text).
type Reply struct {
	Code  int      `json:"code"`
	Lines []string `json:"lines"`
}

// ProtocolError is a reply that breaks RFC 5321's grammar or the probe's
// bounds: the session ends there.
type ProtocolError struct {
	Reason ProtocolReason
	// Line is the 1-based line of the reply where it broke.
	Line int
}

// ProtocolReason classifies a ProtocolError.
type ProtocolReason int

const (
	// LineTooLong: a reply line longer than Options.MaxLineBytes (RFC
	// 5321 §4.5.3.1.5 allows 512 octets).
	LineTooLong ProtocolReason = iota + 1
	// ReplyTooLarge: a multi-line reply longer than Options.MaxReplyBytes
	// in all, or one that never ends.
	ReplyTooLarge
	// BadCode: a line that does not start with a reply code (2xx to 5xx)
	// followed by a space, a hyphen or the line's end.
	BadCode
	// CodeChanged: the lines of one reply carry different codes.
	CodeChanged
)

var protocolReasons = [...]string{LineTooLong: "reply line too long", ReplyTooLarge: "reply too large",
	BadCode: "not an SMTP reply line", CodeChanged: "reply code changes within a reply"}

func (r ProtocolReason) String() string {
	if r <= 0 || int(r) >= len(protocolReasons) {
		return fmt.Sprintf("reason(%d)", int(r))
	}
	return protocolReasons[r]
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("smtpprobe: %s (reply line %d)", e.Reason, e.Line)
}

// readReply reads one reply, reading at most maxLine bytes per line
// (CRLF or a bare LF included) and maxTotal bytes in all. The error is a
// *ProtocolError, or the reader's (io.EOF when the server closed before a
// whole reply; a timeout).
func readReply(r *bufio.Reader, maxLine, maxTotal int) (Reply, error) {
	var rep Reply
	total := 0
	for n := 1; ; n++ {
		line, err := readLine(r, maxLine)
		total += len(line)
		if err != nil {
			if errors.Is(err, errLineTooLong) {
				return rep, &ProtocolError{Reason: LineTooLong, Line: n}
			}
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return rep, err
		}
		if total > maxTotal {
			return rep, &ProtocolError{Reason: ReplyTooLarge, Line: n}
		}
		code, more, text, ok := parseReplyLine(line)
		if !ok {
			return rep, &ProtocolError{Reason: BadCode, Line: n}
		}
		if n > 1 && code != rep.Code {
			return rep, &ProtocolError{Reason: CodeChanged, Line: n}
		}
		rep.Code = code
		rep.Lines = append(rep.Lines, text)
		if !more {
			return rep, nil
		}
	}
}

var errLineTooLong = lineread.ErrTooLong

// readLine reads a line ending in LF, without copying more than max
// bytes of it; the line is returned without its CRLF or LF.
func readLine(r *bufio.Reader, max int) (string, error) {
	line, err := lineread.Line(r, max)
	if err == nil {
		line = strings.TrimSuffix(line, "\r")
	}
	return line, err
}

// parseReplyLine splits a reply line (RFC 5321 §4.2):
//
//	Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//	             Reply-code [ SP textstring ] CRLF
//
// The code's first digit is 2 to 5 and its second 0 to 5 (§4.2.1). The
// text is escaped (Sanitize).
func parseReplyLine(line string) (code int, more bool, text string, ok bool) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9' {
		return 0, false, "", false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, "", true
	}
	switch line[3] {
	case '-':
		more = true
	case ' ':
	default:
		return 0, false, "", false
	}
	return code, more, Sanitize(line[4:]), true
}

// Sanitize returns s with every byte that is not printable UTF-8 (control
// characters, DEL, C1 controls, invalid sequences) written as \xNN: text
// from a server becomes one line of valid UTF-8, in reports and
// recordings alike. Sanitize(Sanitize(s)) == Sanitize(s).
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			for j := 0; j < max(size, 1); j++ {
				fmt.Fprintf(&b, `\x%02x`, s[i+j])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += max(size, 1)
	}
	return b.String()
}
