package aggregate

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strconv"
	"strings"
)

// message reads one message (RFC 5322, MIME) and every report it
// carries: parts that are XML, gzip or zip by their media type, or by
// their file name's extension (.xml, .gz, .zip) whatever their type
// (application/octet-stream, text/plain). What a part holds is decided
// by its content. A report forwarded as a message/rfc822 part is read
// too (MaxMessageDepth). The message is bounded to MaxMessageBytes.
//
// depth is how many messages enclose this one. At the top, a message
// with no report is an error wrapping ErrNoReport. It reports whether
// the message held a report, or an error about one was yielded.
func (w *walker) message(r io.Reader, src Source, depth int) bool {
	br := bufio.NewReaderSize(newLimitReader(r, w.o.MaxMessageBytes, "message"), 32<<10)
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && len(hdr) == 0 {
		w.failf(src, fmt.Errorf("message header: %w", err))
		return true // said so: not "no report" too
	}
	if id := strings.TrimSpace(hdr.Get("Message-Id")); id != "" && src.MessageID == "" {
		src.MessageID = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	}
	// A malformed field ends the header early (err != nil): what follows
	// is still read, as the body.
	m := &mimeWalk{w: w, depth: depth}
	found := m.entity(hdr, br, src, 0)
	if !found && depth == 0 && !w.stop {
		w.failf(src, ErrNoReport)
	}
	return found
}

// mimeWalk is the walk of one message's MIME tree.
type mimeWalk struct {
	w     *walker
	depth int // messages enclosing this one
	parts int
	over  bool
}

// reportTypes are the media types of report attachments seen in the
// wild: RFC 7489 §7.2.1.1 names application/gzip; zip and bare XML are
// common.
var reportTypes = map[string]bool{
	"application/gzip": true, "application/x-gzip": true, "application/gzip-compressed": true,
	"application/x-gunzip": true, "application/x-gzip-compressed": true,
	"application/zip": true, "application/x-zip": true, "application/x-zip-compressed": true, "application/zip-compressed": true,
	"application/xml": true, "text/xml": true,
}

// reportName reports whether a file name has a report's extension.
func reportName(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, ext := range []string{".xml", ".gz", ".gzip", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// entity reads one MIME entity and reports whether it held a report
// (or something that claimed to be one), or an error was yielded for it.
func (m *mimeWalk) entity(hdr textproto.MIMEHeader, body io.Reader, src Source, mimeDepth int) bool {
	w := m.w
	if w.done() || m.over {
		return false
	}
	m.parts++
	if m.parts > MaxMIMEParts {
		m.over = true
		w.failf(src, boundError(ErrTooManyElements, "more than %d MIME parts", MaxMIMEParts))
		return true
	}
	mediatype, params := mediaType(hdr.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mediatype, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			return false
		}
		if mimeDepth+1 > MaxMIMEDepth {
			m.over = true
			w.failf(src, boundError(ErrTooDeep, "MIME parts nested deeper than %d", MaxMIMEDepth))
			return true
		}
		mr := multipart.NewReader(body, boundary)
		found := false
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !found {
					w.failf(src, fmt.Errorf("MIME: %w", err))
					return true
				}
				break
			}
			if m.entity(p.Header, p, src, mimeDepth+1) {
				found = true
			}
			if w.stop || m.over {
				break
			}
		}
		return found
	case mediatype == "message/rfc822":
		if m.depth+1 >= MaxMessageDepth {
			return false
		}
		return w.message(transferDecode(hdr, body), src, m.depth+1)
	}
	if strings.HasPrefix(mediatype, "application/tlsrpt+") {
		// An SMTP TLS report (RFC 8460 §5.3: tlsrpt+gzip, tlsrpt+json),
		// named .json.gz, sent to the same mailbox as DMARC reports.
		return false
	}
	name := fileName(hdr, params)
	if !reportTypes[mediatype] && !reportName(name) {
		return false
	}
	psrc := src
	psrc.Attachment = name
	if name == "" {
		psrc.Attachment = "part " + strconv.Itoa(m.parts)
	}
	w.blob(transferDecode(hdr, body), psrc)
	return true
}

// mediaType parses a Content-Type field leniently: a broken parameter
// keeps the type; no field is text/plain (RFC 2045 §5.2).
func mediaType(ct string) (string, map[string]string) {
	if strings.TrimSpace(ct) == "" {
		return "text/plain", nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && mt == "" {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt, params
}

var wordDecoder = &mime.WordDecoder{}

// fileName is a part's file name: Content-Disposition's filename (RFC
// 2183, RFC 2231), else Content-Type's name; RFC 2047 encoded-words,
// which some senders use there, are decoded.
func fileName(hdr textproto.MIMEHeader, ctParams map[string]string) string {
	name := ""
	if cd := hdr.Get("Content-Disposition"); cd != "" {
		if _, params, err := mime.ParseMediaType(cd); err == nil || params != nil {
			name = params["filename"]
		}
	}
	if name == "" {
		name = ctParams["name"]
	}
	if strings.Contains(name, "=?") {
		if dec, err := wordDecoder.DecodeHeader(name); err == nil {
			name = dec
		}
	}
	return strings.TrimSpace(name)
}

// transferDecode undoes the Content-Transfer-Encoding.
func transferDecode(hdr textproto.MIMEHeader, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(hdr.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Filter{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// base64Filter drops what is not base64 (spaces, stray characters) so a
// sloppy encoder's output still decodes.
type base64Filter struct{ r io.Reader }

func (f *base64Filter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// mbox reads an mbox file (mboxo, mboxrd): messages start at a "From "
// line at the start of the file or after an empty line, and ">From "
// lines are unquoted. Each message is held in memory (at most
// MaxMessageBytes); at most MaxMessages are read.
func (w *walker) mbox(br *bufio.Reader, src Source) {
	var (
		msg      bytes.Buffer
		n        uint32
		tooLarge bool
		prevNL   = true
		started  bool
	)
	flush := func() {
		if !started {
			return
		}
		msrc := src
		msrc.Message = n
		if tooLarge {
			w.failf(msrc, boundError(ErrTooLarge, "message over %d bytes", w.o.MaxMessageBytes))
		} else {
			w.message(bytes.NewReader(msg.Bytes()), msrc, 0)
		}
		msg.Reset()
		tooLarge = false
	}
	var line []byte
	for !w.done() {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: keep it whole while under the bound.
			line = append(line, chunk...)
			if int64(len(line)) > w.o.MaxMessageBytes {
				tooLarge = true
				line = line[:0]
			}
			continue
		}
		line = append(line, chunk...)
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				w.failf(src, err)
				return
			}
			break
		}
		isNL := bytes.Equal(line, []byte("\n")) || bytes.Equal(line, []byte("\r\n"))
		if prevNL && bytes.HasPrefix(line, []byte("From ")) {
			flush()
			if w.done() {
				return
			}
			n++
			started = true
			if int(n) > w.o.MaxMessages {
				w.failf(src, boundError(ErrTooManyMessages, "more than %d messages", w.o.MaxMessages))
				return
			}
		} else if started && !tooLarge {
			body := line
			if bytes.HasPrefix(body, []byte(">")) && bytes.HasPrefix(bytes.TrimLeft(body, ">"), []byte("From ")) {
				body = body[1:] // mboxrd
			}
			if int64(msg.Len()+len(body)) > w.o.MaxMessageBytes {
				tooLarge = true
				msg.Reset()
			} else {
				msg.Write(body)
			}
		}
		prevNL = isNL
		line = line[:0]
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.failf(src, err)
				return
			}
			break
		}
	}
	flush()
}
