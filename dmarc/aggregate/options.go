package aggregate

import (
	"crypto/tls"
	"time"
)

// The bounds, with their defaults. Every one is enforced while reading,
// before memory is spent past it, and each has a test named in the
// repository's SECURITY.md. An Options field left zero takes the default.
const (
	// DefaultMaxReportBytes bounds one report's XML, decompressed.
	DefaultMaxReportBytes = 64 << 20
	// DefaultMaxRatio bounds decompressed over compressed size, checked
	// once a report has inflated past RatioFloor. Reports inflate 10 to
	// 40 times, and about 110 times at most (records alike but for the
	// source address); a bomb of zeros or of one repeated tag, 1000
	// times, near deflate's limit of 1032.
	DefaultMaxRatio = 400
	// RatioFloor is the decompressed size under which the ratio is not
	// checked: a small report may compress very well.
	RatioFloor = 1 << 20
	// DefaultMaxEntries bounds the entries of one zip archive, and its
	// central directory to DefaultMaxEntries × 1 KiB.
	DefaultMaxEntries = 32
	// MaxArchiveDepth is how deep archives nest: one. A zip or gzip
	// member must be the XML; an archive inside an archive is refused
	// (ErrNested).
	MaxArchiveDepth = 1
	// MaxMessageDepth is how deep messages nest: a report forwarded as a
	// message/rfc822 attachment is read, a message inside that is not.
	MaxMessageDepth = 2
	// MaxMIMEDepth and MaxMIMEParts bound a message's MIME structure:
	// multipart nesting, and parts per message.
	MaxMIMEDepth = 8
	MaxMIMEParts = 256
	// DefaultMaxDepth bounds XML element nesting (a report needs 5).
	DefaultMaxDepth = 32
	// DefaultMaxTextBytes bounds a run of XML without a '<': one
	// element's text, or one tag with its attributes. It is enforced on
	// the bytes before the XML decoder buffers them.
	DefaultMaxTextBytes = 64 << 10
	// MaxAttrs bounds the attributes of one element.
	MaxAttrs = 64
	// DefaultMaxRecordElements bounds the elements in one <record> (and
	// in <report_metadata>, <policy_published> and <extension>): about
	// 200 DKIM results.
	DefaultMaxRecordElements = 1024
	// DefaultMaxRecords bounds the records (rows) of one report.
	DefaultMaxRecords = 100_000
	// DefaultMaxMessageBytes bounds what is held whole in memory: one
	// message (a mailbox's, a file's or an IMAP FETCH), or one zip
	// archive not read from a file.
	DefaultMaxMessageBytes = 32 << 20
	// DefaultMaxMessages bounds the messages read from one mbox, Maildir
	// or IMAP mailbox, and the files read from one folder.
	DefaultMaxMessages = 100_000
	// DefaultMaxDedupe bounds the set of reports seen (org_name and
	// report_id, hashed to 16 bytes): past it the oldest is forgotten,
	// so a report received again more than this many reports later is
	// read twice.
	DefaultMaxDedupe = 1 << 18
)

// Options configures a read. The zero value reads everything with the
// default bounds.
type Options struct {
	// Since skips reports whose date range ends before it (zero: none
	// skipped). An IMAP read also asks the server only for messages
	// received on or after its date.
	Since time.Time

	// KeepDuplicates yields every copy of a report; by default a report
	// already seen in this read (the same org_name, report_id, email,
	// policy domain, period and records) is yielded as an error wrapping
	// ErrDuplicate instead.
	KeepDuplicates bool

	// The bounds; zero means the default constant of the same name.
	MaxReportBytes    int64
	MaxRatio          int64
	MaxEntries        int
	MaxDepth          int
	MaxTextBytes      int
	MaxRecordElements int
	MaxRecords        int
	MaxMessageBytes   int64
	MaxMessages       int
	MaxDedupe         int

	// TLSConfig is used by IMAP reads: its RootCAs verify the server (nil
	// uses the system's roots; the server name is the URL's host unless
	// ServerName is set).
	TLSConfig *tls.Config
	// IMAPPassword is the password Open uses for an imaps:// location.
	// (ReadIMAP takes the password as an argument.)
	IMAPPassword string
}

// withDefaults fills in the zero bounds.
func (o Options) withDefaults() Options {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxReportBytes, DefaultMaxReportBytes)
	def(&o.MaxRatio, DefaultMaxRatio)
	defi(&o.MaxEntries, DefaultMaxEntries)
	defi(&o.MaxDepth, DefaultMaxDepth)
	defi(&o.MaxTextBytes, DefaultMaxTextBytes)
	defi(&o.MaxRecordElements, DefaultMaxRecordElements)
	defi(&o.MaxRecords, DefaultMaxRecords)
	def(&o.MaxMessageBytes, DefaultMaxMessageBytes)
	defi(&o.MaxMessages, DefaultMaxMessages)
	defi(&o.MaxDedupe, DefaultMaxDedupe)
	return o
}
