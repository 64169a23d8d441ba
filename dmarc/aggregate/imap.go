package aggregate

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/url"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// imapBatch is how many UIDs one size query asks for.
const imapBatch = 500

// ReadIMAP reads the reports in an IMAP mailbox, given as
// imaps://user@host[:port]/mailbox (port 993 by default, mailbox INBOX
// when the path is empty; percent-encoding is decoded). It logs in with
// password over TLS (verified with opts.TLSConfig's roots, or the
// system's), opens the mailbox read-only (EXAMINE) and fetches with
// BODY.PEEK[], so it changes nothing: no flag is set, nothing is moved.
//
// Messages are read in UID order, at most MaxMessages (past that, an
// error wrapping ErrTooManyMessages), each at most MaxMessageBytes: a
// message whose RFC822.SIZE is over the bound is refused without being
// fetched, and a server sending a larger literal than it announced is
// disconnected. With opts.Since set, only messages received on or after
// its date (IMAP SEARCH SINCE, by the server's INTERNALDATE) are asked
// for: a report is delivered after its period ends. Each report's Source
// has the mailbox URL (without a password) and the message's UID.
//
// Plain imap:// is refused, as is a password in the URL. The client is
// github.com/emersion/go-imap/v2.
func ReadIMAP(ctx context.Context, rawURL, password string, opts Options) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		w := newWalker(ctx, opts, yield)
		w.imap(rawURL, password)
	}
}

// imapTarget is a parsed imaps:// URL.
type imapTarget struct {
	user, host, port, mailbox string
	label                     string // the URL to show: no password
}

func parseIMAPURL(raw string) (imapTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return imapTarget{}, err
	}
	var t imapTarget
	switch strings.ToLower(u.Scheme) {
	case "imaps":
	case "imap":
		return t, errors.New("imap:// (no TLS) is refused: use imaps://")
	default:
		return t, fmt.Errorf("scheme %q is not imaps", u.Scheme)
	}
	if u.User == nil || u.User.Username() == "" {
		return t, errors.New("no user in the URL (imaps://user@host/mailbox)")
	}
	if _, ok := u.User.Password(); ok {
		return t, errors.New("a password in the URL is refused: pass it separately")
	}
	t.user = u.User.Username()
	t.host = u.Hostname()
	if t.host == "" {
		return t, errors.New("no host in the URL")
	}
	t.port = u.Port()
	if t.port == "" {
		t.port = "993"
	}
	t.mailbox, _, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), ";") // RFC 5092 ;UIDVALIDITY= and the like
	if t.mailbox == "" {
		t.mailbox = "INBOX"
	}
	t.label = (&url.URL{Scheme: "imaps", User: url.User(t.user), Host: net.JoinHostPort(t.host, t.port), Path: "/" + t.mailbox}).String()
	return t, nil
}

func (w *walker) imap(rawURL, password string) {
	if w.done() {
		return
	}
	t, err := parseIMAPURL(rawURL)
	if err != nil {
		w.failf(Source{Path: redactURL(rawURL)}, fmt.Errorf("IMAP URL: %w", err))
		return
	}
	src := Source{Path: t.label}
	cfg := &tls.Config{}
	if w.o.TLSConfig != nil {
		cfg = w.o.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = t.host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	raw, err := (&net.Dialer{}).DialContext(w.ctx, "tcp", net.JoinHostPort(t.host, t.port))
	if err != nil {
		w.failf(src, fmt.Errorf("IMAP: %w", err))
		return
	}
	// Closing the TCP connection is how a read is cut short: when the
	// context ends, or a literal is over the bound (go-imap's own Close
	// waits for its reader, which waits for the literal to be read).
	stop := context.AfterFunc(w.ctx, func() { raw.Close() })
	defer stop()
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(w.ctx); err != nil {
		raw.Close()
		if w.ctx.Err() != nil {
			w.done()
			return
		}
		w.failf(src, fmt.Errorf("IMAP: %w", err))
		return
	}
	c := imapclient.New(conn, nil)
	defer c.Close()
	abort := func() { raw.Close() }

	step := func(what string, err error) bool {
		if err == nil {
			return true
		}
		if w.ctx.Err() != nil {
			w.done()
			return false
		}
		w.failf(src, fmt.Errorf("IMAP %s: %w", what, err))
		return false
	}
	if !step("greeting", c.WaitGreeting()) ||
		!step("LOGIN", c.Login(t.user, password).Wait()) {
		return
	}
	if _, err := c.Select(t.mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); !step("EXAMINE", err) {
		return
	}
	criteria := &imap.SearchCriteria{}
	if !w.o.Since.IsZero() {
		criteria.Since = w.o.Since
	}
	data, err := c.UIDSearch(criteria, nil).Wait()
	if !step("UID SEARCH", err) {
		return
	}
	uids, more, err := firstUIDs(data.All, w.o.MaxMessages)
	if !step("UID SEARCH", err) {
		return
	}
	for start := 0; start < len(uids); start += imapBatch {
		batch := uids[start:min(start+imapBatch, len(uids))]
		sizes, err := imapSizes(c, batch)
		if !step("UID FETCH RFC822.SIZE", err) {
			return
		}
		for _, uid := range batch {
			if w.done() {
				return
			}
			msrc := src
			msrc.Message = uint32(uid)
			size, ok := sizes[uid]
			if !ok {
				continue // expunged meanwhile
			}
			if size > w.o.MaxMessageBytes {
				w.failf(msrc, boundError(ErrTooLarge, "message of %d bytes, over %d", size, w.o.MaxMessageBytes))
				continue
			}
			body, err := imapBody(c, uid, w.o.MaxMessageBytes, abort)
			if errors.Is(err, ErrTooLarge) {
				// The server sent more than it announced: the
				// connection is in the middle of a literal.
				w.failf(msrc, err)
				return
			}
			if !step(fmt.Sprintf("UID FETCH %d BODY.PEEK[]", uid), err) {
				return
			}
			if body == nil {
				continue // expunged meanwhile
			}
			w.message(bytes.NewReader(body), msrc, 0)
		}
	}
	if more {
		w.failf(src, boundError(ErrTooManyMessages, "more than %d messages; the rest are not read", w.o.MaxMessages))
	}
	c.Logout().Wait()
}

// firstUIDs lists at most max UIDs of a search result, in order, and
// says whether there were more.
func firstUIDs(all imap.NumSet, limit int) ([]imap.UID, bool, error) {
	if all == nil {
		return nil, false, nil
	}
	set, ok := all.(imap.UIDSet)
	if !ok {
		return nil, false, errors.New("the server answered with sequence numbers")
	}
	var uids []imap.UID
	for _, r := range set {
		if r.Start == 0 || r.Stop == 0 {
			return nil, false, errors.New("the server answered with a range ending in *")
		}
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		for u := lo; ; u++ {
			if len(uids) >= limit {
				return uids, true, nil
			}
			uids = append(uids, u)
			if u == hi {
				break
			}
		}
	}
	return uids, false, nil
}

// imapSizes asks for the RFC822.SIZE of each UID.
func imapSizes(c *imapclient.Client, uids []imap.UID) (map[imap.UID]int64, error) {
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true})
	defer cmd.Close()
	sizes := make(map[imap.UID]int64, len(uids))
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var uid imap.UID
		size := int64(-1)
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = it.UID
			case imapclient.FetchItemDataRFC822Size:
				size = it.Size
			}
		}
		if uid != 0 && size >= 0 && len(sizes) < len(uids) {
			sizes[uid] = size
		}
	}
	return sizes, cmd.Close()
}

// imapBody fetches one message whole (BODY.PEEK[]), at most max bytes;
// nil when the server sends nothing for it. A literal over max ends the
// connection (abort) unread.
func imapBody(c *imapclient.Client, uid imap.UID, max int64, abort func()) ([]byte, error) {
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	var body []byte
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			sec, ok := item.(imapclient.FetchItemDataBodySection)
			if !ok || sec.Literal == nil || body != nil {
				continue
			}
			if sec.Literal.Size() > max {
				abort()
				// What was buffered before the connection closed, then
				// an error: go-imap's reader is released.
				io.Copy(io.Discard, io.LimitReader(sec.Literal, 1<<20))
				return nil, boundError(ErrTooLarge, "the server sent a literal of %d bytes, over %d", sec.Literal.Size(), max)
			}
			b, err := io.ReadAll(io.LimitReader(sec.Literal, max))
			if err != nil {
				cmd.Close()
				return nil, err
			}
			body = b
		}
	}
	return body, cmd.Close()
}

// redactURL shows a URL without its password, or nothing of an
// unparseable one.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
