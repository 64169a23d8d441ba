package smtpprobe

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadReply: any bytes from a server give a reply within the bounds
// or an error, never a panic; every line is one line of valid UTF-8; a
// reply written back in the canonical form reads the same.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"220 mx.example.com ESMTP\r\n",
		"220-mx.example.com\r\n220-second\r\n220 last\r\n",
		"250-mx\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
		"220\r\n", "220-a\n220 b\n", "220-a\r\n250 b\r\n", "HTTP/1.1 400 Bad\r\n",
		"220 " + strings.Repeat("x", 300) + "\r\n", "220 \xff\x00\x1b[31m\r\n", "220-x\r\n220-y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLine, maxTotal = 128, 512
		rep, err := readReply(bufio.NewReaderSize(bytes.NewReader(data), 16), maxLine, maxTotal)
		var pe *ProtocolError
		if err != nil && !errors.As(err, &pe) && err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Fatalf("%q: unexpected error %v", data, err)
		}
		if len(rep.Lines) > maxTotal/4 {
			t.Fatalf("%q: %d lines within %d bytes", data, len(rep.Lines), maxTotal)
		}
		for _, l := range rep.Lines {
			if !utf8.ValidString(l) || strings.ContainsAny(l, "\r\n\x00") || Sanitize(l) != l {
				t.Fatalf("%q: line %q is not clean", data, l)
			}
		}
		if err != nil {
			return
		}
		if rep.Code < 200 || rep.Code > 559 {
			t.Fatalf("%q: code %d", data, rep.Code)
		}
		var b strings.Builder
		for i, l := range rep.Lines {
			sep := "-"
			if i == len(rep.Lines)-1 {
				sep = " "
			}
			b.WriteString(strings.Join([]string{itoa3(rep.Code), sep, l, "\r\n"}, ""))
		}
		back, err := readReply(bufio.NewReader(strings.NewReader(b.String())), 4*maxLine, 8*maxTotal)
		if err != nil || !reflect.DeepEqual(back, rep) {
			t.Fatalf("%q: written back as %q reads %+v, %v; was %+v", data, b.String(), back, err, rep)
		}
	})
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// FuzzReadRecording: any file is read or refused, never a panic; an
// error never quotes the file; what is read writes back to a file that
// reads the same.
func FuzzReadRecording(f *testing.F) {
	f.Add([]byte(recordingHeader + "\nhost mx.test 10 192.0.2.1:25 ok -\ntranscript S: 220 x\next STARTTLS\nstarttls\ntls 0x0303 X tls12\nverify trusted\ntime 2026-01-02T03:04:05Z\nend\n"))
	f.Add([]byte(recordingHeader + "\n; c\nhost a.test 0 - no-address dns\ndetail none\nend"))
	f.Add([]byte(recordingHeader + "\nhost [::1] 0 [::1]:25 refused connect\nend\n"))
	f.Add([]byte("$INCLUDE /etc/passwd\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ReadRecording(bytes.NewReader(data))
		if err != nil {
			var re *RecordingError
			if !errors.As(err, &re) {
				t.Fatalf("not a RecordingError: %v", err)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if len(line) > 24 && strings.Contains(err.Error(), line) {
					t.Fatalf("the error %q quotes the line %q", err, line)
				}
			}
			return
		}
		var b bytes.Buffer
		if err := rec.Write(&b); err != nil {
			t.Fatal(err)
		}
		back, err := ReadRecording(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("%q written as %q does not read: %v", data, b.String(), err)
		}
		var b2 bytes.Buffer
		back.Write(&b2)
		if b.String() != b2.String() {
			t.Fatalf("%q: written twice differs:\n%s\n%s", data, b.String(), b2.String())
		}
	})
}
