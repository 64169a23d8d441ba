package aggregate_test

import (
	"bytes"
	"maps"
	"slices"
	"testing"
)

// generated are the fixtures built from the hand-written reports in
// testdata/reports: archives, messages in the shapes generators send
// them, an mbox file and a Maildir folder. They are checked in (go test
// -run TestGeneratedFixtures -update rewrites them) so they can be
// opened by hand too.
func generated(t testing.TB) map[string][]byte {
	r := func(name string) []byte { return readFixture(t, "reports/"+name) }
	google, microsoft, yahoo := r("google.xml"), r("microsoft.xml"), r("yahoo.xml")
	opendmarc, rfc9990, mailru := r("opendmarc.xml"), r("rfc9990.xml"), r("mailru.xml")
	ses, maildmarc := r("amazonses.xml"), r("maildmarc.xml")

	m := map[string][]byte{}
	m["archives/reports.zip"] = zipOf(zipEntry{"google.xml", google}, zipEntry{"yahoo.xml", yahoo})
	m["archives/opendmarc.xml.gz"] = gz(opendmarc)
	// A line break after the gzip stream, as one generator sends.
	m["archives/trailing.xml.gz"] = append(gz(ses), "\r\n"...)

	m["messages/google.eml"] = message(`
From: noreply-dmarc-support@google.com
To: dmarc@contoso.example
Subject: Report domain: contoso.example Submitter: google.com Report-ID: 11842306129877432201
Message-ID: <11842306129877432201@google.com>
Date: Tue, 02 Dec 2025 15:59:59 -0800`,
		part{header: `Content-Type: text/plain; charset="UTF-8"`, body: []byte("This is an aggregate report from google.com.\n")},
		part{header: `Content-Type: application/zip;
	name="google.com!contoso.example!1764547200!1764633599.zip"
Content-Disposition: attachment;
	filename="google.com!contoso.example!1764547200!1764633599.zip"`, cte: "base64",
			body: zipOf(zipEntry{"google.com!contoso.example!1764547200!1764633599.xml", google})})
	m["messages/microsoft.eml"] = message(`
From: dmarcreport@microsoft.com
To: dmarc@contoso.example
Subject: Report Domain: contoso.example Submitter: protection.outlook.com Report-ID: 9f6c0e3a1b2d4c5e8f7a6b5c4d3e2f10
Message-ID: <9f6c0e3a@mail.outlook.example>`,
		part{header: `Content-Type: text/plain; charset="us-ascii"`, body: []byte("DMARC Aggregate Report\n")},
		part{header: `Content-Type: application/gzip; name="protection.outlook.com!contoso.example!1764547200!1764633600.xml.gz"
Content-Disposition: attachment; filename*=UTF-8''protection.outlook.com%21contoso.example%211764547200%211764633600.xml.gz`,
			cte: "base64", body: gz(microsoft)})
	// A single-part message: the gzip is the whole body; bytes after the
	// gzip stream.
	m["messages/yahoo.eml"] = message(`
From: noreply@dmarc.yahoo.com
To: dmarc@contoso.example
Subject: Report Domain: contoso.example Submitter: yahoo.com Report-ID: <1764633600.580212>
Message-ID: <1764633600.580212@dmarc.yahoo.com>`,
		part{header: `Content-Type: application/gzip
Content-Disposition: attachment; filename="yahoo.com!contoso.example!1764547200!1764633599.xml.gz"`,
			cte: "base64", body: append(gz(yahoo), "\r\n"...)})
	m["messages/octet-stream.eml"] = message(`
From: postmaster@mx.wingtip.example
To: dmarc@contoso.example
Subject: Report Domain: contoso.example Submitter: mx.wingtip.example
Message-ID: <opendmarc.1764633600@mx.wingtip.example>`,
		part{header: `Content-Type: text/plain`, body: []byte("see attachment\n")},
		part{header: `Content-Type: application/octet-stream
Content-Disposition: attachment; filename="mx.wingtip.example!contoso.example!1764547200!1764633600.xml.gz"`,
			cte: "base64", body: gz(opendmarc)})
	m["messages/quoted-printable.eml"] = message(`
From: dmarc-reports@receiver.example
To: dmarc@contoso.example
Subject: Report Domain: contoso.example Submitter: receiver.example Report-ID: rfc9990-0001
Message-ID: <rfc9990-0001@receiver.example>`,
		part{header: `Content-Type: text/xml; charset=utf-8`, cte: "quoted-printable", body: rfc9990})
	m["messages/two-attachments.eml"] = message(`
From: reports@relay.example
To: dmarc@contoso.example
Subject: two reports
Message-ID: <two@relay.example>`,
		part{header: `Content-Type: application/x-gzip; name="amazonses.xml.gz"`, cte: "base64", body: gz(ses)},
		part{header: `Content-Type: application/xml; name="maildmarc.xml"`, body: maildmarc})
	m["messages/zip-two-entries.eml"] = message(`
From: reports@relay.example
To: dmarc@contoso.example
Subject: a zip of two reports
Message-ID: <zip2@relay.example>`,
		part{header: `Content-Type: application/x-zip-compressed; name="=?UTF-8?Q?reports=5F2025.zip?="`, cte: "base64",
			body: zipOf(zipEntry{"mailru.xml", mailru}, zipEntry{"opendmarc.xml", opendmarc})})
	m["messages/forwarded.eml"] = message(`
From: Admin <admin@contoso.example>
To: dmarc@contoso.example
Subject: Fwd: Report Domain: contoso.example Submitter: mail.ru
Message-ID: <fwd-1@contoso.example>`,
		part{header: `Content-Type: text/plain`, body: []byte("Forwarding this one.\n")},
		part{header: `Content-Type: message/rfc822`, body: message(`
From: dmarc_support@corp.mail.ru
To: admin@contoso.example
Subject: Report Domain: contoso.example Submitter: mail.ru
Message-ID: <mailru-1@corp.mail.ru>`,
			part{header: `Content-Type: application/zip; name="mail.ru!contoso.example!1764547200!1764633600.zip"`, cte: "base64",
				body: zipOf(zipEntry{"mail.ru!contoso.example!1764547200!1764633600.xml", mailru})})})
	m["messages/no-report.eml"] = message(`
From: Someone <someone@fabrikam.example>
To: dmarc@contoso.example
Subject: Hello
Message-ID: <hello@fabrikam.example>`,
		part{header: `Content-Type: text/plain; charset=utf-8`, body: []byte("From here on, not a report.\nJust text.\n")})

	// An mbox of three messages; the second's body has a "From " line,
	// quoted (">From ") as mboxrd does.
	var mbox bytes.Buffer
	for _, name := range []string{"google.eml", "no-report.eml", "microsoft.eml"} {
		mbox.WriteString("From MAILER-DAEMON Wed Dec  3 10:00:00 2025\n")
		msg := bytes.ReplaceAll(m["messages/"+name], []byte("\r\n"), []byte("\n"))
		msg = bytes.ReplaceAll(msg, []byte("\nFrom "), []byte("\n>From "))
		mbox.Write(msg)
		mbox.WriteString("\n")
	}
	m["mbox/reports.mbox"] = mbox.Bytes()

	// A Maildir: new/ and cur/ hold messages; google.eml twice (the same
	// report received twice); tmp/ holds one being delivered, skipped.
	m["maildir/new/1764720000.M1P100.mx"] = m["messages/yahoo.eml"]
	m["maildir/cur/1764700000.M1P100.mx"] = m["messages/google.eml"]
	m["maildir/cur/1764710000.M2P100.mx"] = m["messages/octet-stream.eml"]
	m["maildir/cur/1764730000.M3P100.mx"] = m["messages/google.eml"]
	m["maildir/tmp/1764740000.M4P100.mx"] = m["messages/microsoft.eml"]
	return m
}

// TestGeneratedFixtures keeps the checked-in generated fixtures what
// their generator makes.
func TestGeneratedFixtures(t *testing.T) {
	m := generated(t)
	for _, name := range slices.Sorted(maps.Keys(m)) {
		writeGenerated(t, name, m[name])
	}
}
