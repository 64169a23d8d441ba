package aggregate_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// BenchmarkParse measures parsing throughput on a generated report of
// 10,000 records (3.9 MB of XML): go test -bench Parse -benchmem
// ./dmarc/aggregate. rows/s is the figure to compare.
func BenchmarkParse(b *testing.B) {
	const rows = 10_000
	var doc bytes.Buffer
	io.Copy(&doc, newRowsReader("bench", rows))
	b.SetBytes(int64(doc.Len()))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := aggregate.Parse(bytes.NewReader(doc.Bytes()), aggregate.Options{})
		if err != nil || len(rep.Records) != rows {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadGzip is the same report gzipped, through Read.
func BenchmarkReadGzip(b *testing.B) {
	const rows = 10_000
	var doc bytes.Buffer
	io.Copy(&doc, newRowsReader("bench", rows))
	data := gz(doc.Bytes())
	b.SetBytes(int64(doc.Len()))
	b.ReportAllocs()
	for b.Loop() {
		for rep, err := range aggregate.Read(ctx, bytes.NewReader(data), "bench.xml.gz", aggregate.Options{}) {
			if err != nil || len(rep.Records) != rows {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
