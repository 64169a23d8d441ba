// Package lineread reads lines of bounded length from untrusted input.
package lineread

import (
	"bufio"
	"errors"
)

// ErrTooLong is Line's error for a line over its bound.
var ErrTooLong = errors.New("line too long")

// Line reads one line ending in LF and returns it without the LF,
// copying no more than max bytes of it (the LF counted): a longer line is
// ErrTooLong. At the end of input it returns the last line (perhaps
// empty) with br's error, io.EOF.
func Line(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) > max {
			return "", ErrTooLong
		}
		b = append(b, chunk...)
		switch {
		case err == nil:
			return string(b[:len(b)-1]), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		}
		return string(b), err
	}
}
