package lineread

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	br := bufio.NewReaderSize(strings.NewReader("ab\r\n"+strings.Repeat("x", 40)+"\nlast"), 16)
	for _, want := range []struct {
		line string
		err  error
	}{{"ab\r", nil}, {"", ErrTooLong}, {"last", io.EOF}} {
		got, err := Line(br, 20)
		if got != want.line || err != want.err {
			t.Fatalf("Line = %q, %v; want %q, %v", got, err, want.line, want.err)
		}
		if err == ErrTooLong {
			for _, err := br.ReadSlice('\n'); err == bufio.ErrBufferFull; _, err = br.ReadSlice('\n') {
			}
		}
	}
}
