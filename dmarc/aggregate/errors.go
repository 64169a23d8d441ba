package aggregate

import (
	"errors"
	"fmt"
)

// The reasons a report, a message or a file is refused. They are wrapped
// in an *Error saying where; test them with errors.Is.
var (
	// ErrTooLarge: a report's XML, a message or an archive is over its
	// size bound.
	ErrTooLarge = errors.New("over the size bound")
	// ErrRatio: a compressed report inflates more than MaxRatio times.
	ErrRatio = errors.New("compression ratio over the bound")
	// ErrTooManyEntries: a zip archive has more than MaxEntries entries.
	ErrTooManyEntries = errors.New("too many zip entries")
	// ErrNested: an archive inside an archive, or a message nested past
	// MaxMessageDepth.
	ErrNested = errors.New("nested too deep")
	// ErrDoctype: the XML has a DOCTYPE (or another <!...> directive).
	// Reports need none, and refusing it refuses entity expansion of
	// every kind, external or internal ("billion laughs").
	ErrDoctype = errors.New("DOCTYPE refused")
	// ErrTooDeep: XML elements nest deeper than MaxDepth, or MIME parts
	// deeper than MaxMIMEDepth.
	ErrTooDeep = errors.New("nesting over the bound")
	// ErrTooMuchText: a run of XML text, or a tag, is over MaxTextBytes;
	// or an element has more than MaxAttrs attributes.
	ErrTooMuchText = errors.New("text or tag over the bound")
	// ErrTooManyElements: a record (or another block) has more than
	// MaxRecordElements elements, or a message more than MaxMIMEParts
	// parts.
	ErrTooManyElements = errors.New("too many elements")
	// ErrTooManyRecords: a report has more than MaxRecords records. The
	// report is refused, not truncated.
	ErrTooManyRecords = errors.New("too many records")
	// ErrTooManyMessages: a mailbox or folder holds more than
	// MaxMessages messages or files; those past the bound are not read.
	ErrTooManyMessages = errors.New("too many messages")
	// ErrNotReport: the XML is not a DMARC aggregate report (its root is
	// not <feedback>), or a file is neither XML, gzip, zip nor a message.
	ErrNotReport = errors.New("not a DMARC aggregate report")
	// ErrNoReport: a message carries no report (no part is XML, gzip or
	// zip, by type, file name or content).
	ErrNoReport = errors.New("no report in the message")
	// ErrInvalid: a report lacks a required element (report_id,
	// date_range, policy_published/domain, a record's source_ip or count)
	// or has one that cannot be read.
	ErrInvalid = errors.New("invalid report")
	// ErrDuplicate: the same report (org_name, report_id, email, policy
	// domain, period and records) was already yielded in this read (see
	// Options.KeepDuplicates).
	ErrDuplicate = errors.New("duplicate report")
	// ErrNotRegular: a path is a FIFO, a device or another file that is
	// not regular; it is refused without being read.
	ErrNotRegular = errors.New("not a regular file")
)

// Error is a report, message or file that could not be read. Reading
// goes on with the next one.
type Error struct {
	// Source says where.
	Source Source
	// OrgName and ReportID identify the report, when it got that far.
	OrgName, ReportID string
	// Err is the reason: one of the Err variables above, an XML syntax
	// error, a decompression error, or an I/O error.
	Err error
}

func (e *Error) Error() string {
	s := e.Source.String()
	if e.ReportID != "" || e.OrgName != "" {
		id := "report"
		if e.ReportID != "" {
			id += " " + quoteIfNeeded(e.ReportID)
		}
		if e.OrgName != "" {
			id += " from " + quoteIfNeeded(e.OrgName)
		}
		if s != "" {
			s += ": "
		}
		s += id
	}
	if s == "" {
		return "dmarc aggregate: " + e.Err.Error()
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// quoteIfNeeded quotes text from a report when it holds anything but
// printable ASCII without spaces, so an error line cannot be forged.
func quoteIfNeeded(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == '"' {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}

// boundError wraps a sentinel with the bound that was crossed.
func boundError(err error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{err}, args...)...)
}
