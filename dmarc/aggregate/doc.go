// Package aggregate reads DMARC aggregate reports (RFC 7489 Appendix C;
// RFC 9990, DMARCbis aggregate reporting) from wherever they land: XML
// files, .gz and .zip archives, messages carrying them as attachments
// (.eml), mbox files, Maildir folders, plain folders and IMAP mailboxes.
//
// Every reader returns an iter.Seq2[*Report, error] that streams: one
// report at a time is held, with its records. A report, message or entry
// that cannot be read is yielded as an *Error naming it (file, message,
// attachment, zip entry, report ID) and reading goes on; the same report
// received twice (same org_name and report_id, and the same email, policy
// domain, period and records: report_id alone is not unique everywhere)
// is yielded once, the copy as an error wrapping ErrDuplicate.
//
//	for rep, err := range aggregate.Open(ctx, "reports/", aggregate.Options{}) {
//		if err != nil {
//			log.Print(err) // one report, message or file
//			continue
//		}
//		for _, rec := range rep.Records {
//			fmt.Println(rep.OrgName, rec.SourceIP, rec.Count, rec.Evaluated.Disposition)
//		}
//	}
//
// Parse reads one uncompressed XML report. The readers above it are
// ReadFile, Read (any io.Reader), ReadDir (a plain folder), ReadMaildir,
// ReadIMAP (imaps:// only, read-only, with
// github.com/emersion/go-imap/v2) and Open, which picks one by what the
// location is. Options.Since skips reports whose period ends before it.
//
// # What real generators send
//
// Reports are matched by element local names in any namespace (none, the
// draft's http://dmarc.org/dmarc-xml/0.1, RFC 9990's
// urn:ietf:params:xml:ns:dmarc-2.0), in any order; unknown elements are
// skipped. Values are trimmed and enumerations lower-cased ("Pass",
// "FAIL"); a value outside the RFC's list is kept as sent and its Valid
// method says so. Optional elements may be missing; several <dkim> and
// <spf> results per record, <human_result>, IPv6 and IPv4-mapped source
// addresses, byte order marks, declared encodings such as ISO-8859-1,
// bytes that are not UTF-8 in a UTF-8 report (read as U+FFFD), gzip
// streams with bytes after the end, a <feedback> wrapped in an <xs:schema>
// element left open, an <email> or <extra_contact_info> written unescaped
// in angle brackets (<email><a@b></email>, kept as sent; looked for in
// the report's first 8 KiB, where <report_metadata> is), and attachments
// typed application/octet-stream but named .xml.gz are all read. What a
// report must have: report_id, date_range (seconds since the epoch),
// policy_published/domain, and per record a source_ip and a count; without
// one the report is an error wrapping ErrInvalid. A record of count 0 with
// no source_ip, the placeholder some receivers send for a day without
// mail, is skipped. An SMTP TLS report (RFC 8460) sent to the same mailbox
// is no report: a message with only one is ErrNoReport, a .json.gz file or
// zip entry ErrNotReport.
//
// # Bounds
//
// Everything read is attacker-controlled. Each bound is a constant, most
// adjustable in Options, and enforced as bytes arrive: decompressed size
// per report (DefaultMaxReportBytes) and compression ratio
// (DefaultMaxRatio), zip entries (DefaultMaxEntries) and central
// directory size, archive nesting (MaxArchiveDepth), XML depth
// (DefaultMaxDepth), text and tag size (DefaultMaxTextBytes), attributes
// (MaxAttrs), elements per record (DefaultMaxRecordElements), records
// per report (DefaultMaxRecords), message size (DefaultMaxMessageBytes),
// MIME depth and parts (MaxMIMEDepth, MaxMIMEParts), messages or files
// per mailbox or folder (DefaultMaxMessages), and the set of reports
// seen (DefaultMaxDedupe). A DOCTYPE is refused outright (ErrDoctype):
// no entity of any kind is expanded. A FIFO or device is refused without
// being read.
package aggregate
