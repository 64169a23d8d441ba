package aggregate

import (
	"bytes"
	"context"
	"errors"
	"io"
)

// limitReader reads at most max bytes from r; past that it fails with
// ErrTooLarge (where io.LimitReader would end quietly, truncating).
type limitReader struct {
	r    io.Reader
	left int64
	max  int64
	what string
}

func newLimitReader(r io.Reader, max int64, what string) *limitReader {
	return &limitReader{r: r, left: max, max: max, what: what}
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// At the bound: one more byte means too large.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, boundError(ErrTooLarge, "%s over %d bytes", l.what, l.max)
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ratioReader fails with ErrRatio once what it has read from r (the
// decompressed side) passes RatioFloor and is more than max times
// compressed() (the compressed bytes consumed, or declared, so far).
type ratioReader struct {
	r          io.Reader
	out        int64
	max        int64
	compressed func() int64
}

func (q *ratioReader) Read(p []byte) (int, error) {
	n, err := q.r.Read(p)
	q.out += int64(n)
	if q.out > RatioFloor {
		in := max(q.compressed(), 1)
		if q.out/in >= q.max {
			return n, boundError(ErrRatio, "%d bytes inflated from %d, over %d:1", q.out, in, q.max)
		}
	}
	return n, err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// runReader fails with ErrTooMuchText when more than max bytes pass
// without a '<': one element's text, or one tag with its attributes,
// is bounded before the XML decoder buffers it.
type runReader struct {
	r   io.Reader
	run int
	max int
}

func (t *runReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			t.run += len(b)
			break
		}
		if t.run+i > t.max {
			t.run += i
			break
		}
		t.run = 0
		b = b[i+1:]
	}
	if t.run > t.max {
		return n, boundError(ErrTooMuchText, "%d bytes of XML without a tag, over %d", t.run, t.max)
	}
	return n, err
}

// ctxReader fails with the context's error once it is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// readAll reads r whole, failing with ErrTooLarge past max bytes. It
// reads in chunks and copies them once: it allocates twice what it
// holds, where a doubling buffer may allocate four times.
func readAll(r io.Reader, max int64, what string) ([]byte, error) {
	lr := newLimitReader(r, max, what)
	var chunks [][]byte
	total := 0
	for {
		chunk := make([]byte, 256<<10)
		n, err := io.ReadFull(lr, chunk)
		if n > 0 {
			chunks = append(chunks, chunk[:n])
			total += n
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// budgetReaderAt serves at most budget bytes while on is set: it bounds
// what archive/zip reads of the central directory, which it parses
// header by header until one fails, whatever the directory's declared
// size and count.
type budgetReaderAt struct {
	r         io.ReaderAt
	budget    int64
	on        bool
	exhausted bool
}

var errBudget = errors.New("zip central directory over its bound")

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if !b.on {
		return b.r.ReadAt(p, off)
	}
	if b.budget <= 0 {
		b.exhausted = true
		return 0, errBudget
	}
	short := false
	if int64(len(p)) > b.budget {
		p = p[:b.budget]
		short = true
	}
	n, err := b.r.ReadAt(p, off)
	b.budget -= int64(n)
	if short && err == nil {
		b.exhausted = true
		err = errBudget
	}
	return n, err
}
