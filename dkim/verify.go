package dkim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/emersion/go-msgauth/dkim"
)

// Result is the outcome of one signature's verification (RFC 8601 §2.7.1).
type Result string

const (
	Pass      Result = "pass"
	Fail      Result = "fail"
	PermError Result = "permerror"
	TempError Result = "temperror"
	None      Result = "none" // the message carries no signature
)

// Signature is one DKIM-Signature and its verification.
type Signature struct {
	Domain    string `json:"domain"`    // d=
	Selector  string `json:"selector"`  // s=
	Algorithm string `json:"algorithm"` // a=
	// Identifier is i=, or "@" + d= when absent.
	Identifier string `json:"identifier"`
	Result     Result `json:"result"`
	// Reason says why it did not pass.
	Reason string `json:"reason,omitempty"`
}

// MaxMessageSize bounds what Verify reads: 64 MiB.
const MaxMessageSize = 64 << 20

// MaxSignatures bounds the signatures verified in one message.
const MaxSignatures = 16

// Verify verifies every DKIM-Signature of the message (at most
// MaxSignatures) with github.com/emersion/go-msgauth, looking keys up
// through r, and returns one Signature per signature, in header order. A
// message with no signature yields one Signature with Result none. The
// findings are about the keys that signed it (weak, testing, revoked …).
// A key lookup that fails temporarily makes that signature temperror, not
// fail. The error is for unreadable input or a cancelled context.
func Verify(ctx context.Context, r resolver.Resolver, msg io.Reader) ([]Signature, []lint.Finding, error) {
	raw, err := io.ReadAll(io.LimitReader(msg, MaxMessageSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("dkim: reading message: %w", err)
	}
	if len(raw) > MaxMessageSize {
		return nil, nil, fmt.Errorf("dkim: message larger than %d bytes", MaxMessageSize)
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("dkim: message header: %w", err)
	}
	fields := hdr.Values("Dkim-Signature")
	if len(fields) == 0 {
		return []Signature{{Result: None, Reason: "no DKIM-Signature header field"}}, nil, nil
	}
	opts := &dkim.VerifyOptions{
		LookupTXT:        resolver.NetAdapter{R: r}.TXTFunc(ctx),
		MaxVerifications: MaxSignatures,
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	if cerr := ctx.Err(); cerr != nil {
		return nil, nil, cerr
	}
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return nil, nil, fmt.Errorf("dkim: %w", err)
	}
	var sigs []Signature
	var fs []lint.Finding
	checked := map[string]*Selector{}
	for i, v := range verifs {
		s := Signature{Domain: strings.ToLower(v.Domain), Identifier: v.Identifier, Result: Pass}
		if i < len(fields) {
			tags, _ := tagvalue.Parse(fields[i])
			for _, t := range tags {
				switch t.Name {
				case "s":
					s.Selector = strings.TrimSpace(t.Value)
				case "a":
					s.Algorithm = strings.ToLower(strings.TrimSpace(t.Value))
				case "d":
					if s.Domain == "" {
						s.Domain = strings.ToLower(strings.TrimSpace(t.Value))
					}
				}
			}
		}
		switch {
		case v.Err == nil:
		case dkim.IsTempFail(v.Err):
			s.Result, s.Reason = TempError, v.Err.Error()
		case dkim.IsPermFail(v.Err):
			s.Result, s.Reason = PermError, v.Err.Error()
		default:
			s.Result, s.Reason = Fail, v.Err.Error()
		}
		// Lint the key that signed (or tried to): the lookup is cached.
		key := s.Selector + "._domainkey." + s.Domain
		if s.Domain == "" || s.Selector == "" || s.Result == TempError {
			sigs = append(sigs, s)
			continue
		}
		sel, seen := checked[key]
		if !seen {
			var kfs []lint.Finding
			var lerr error
			if sel, kfs, lerr = Lookup(ctx, r, s.Domain, s.Selector); lerr != nil {
				sel = nil
			}
			checked[key] = sel
			for _, f := range kfs {
				switch f.Rule {
				case ruleWeakKey.ID, ruleTesting.ID, ruleRevoked.ID, ruleSHA1.ID, ruleNotEmail.ID, ruleLargeKey.ID:
					fs = append(fs, f)
				}
			}
		}
		// RFC 6376 §3.6.1: "Verifiers for a given service type MUST
		// ignore this record if the appropriate type is not listed." The
		// key that verified must be one for email.
		if s.Result == Pass && sel != nil && sel.Key != nil && !sel.Key.ForEmail() {
			s.Result = PermError
			s.Reason = fmt.Sprintf("the key at %s is not for email (s=%s)", sel.Target, strings.Join(sel.Key.Services, ":"))
		}
		sigs = append(sigs, s)
	}
	lint.Sort(fs)
	return sigs, fs, nil
}
