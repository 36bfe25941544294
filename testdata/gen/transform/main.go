// Command transform makes copies of a capture as it reaches people in
// practice:
//
//	transform crlf IN OUT           LF -> CRLF (copied through Windows)
//	transform gzip IN OUT           gzip, no name, no time stamp (reproducible)
//	transform prefix PREFIX IN OUT  every line prefixed, as a log shipper does
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
)

func main() {
	a := os.Args[1:]
	if len(a) < 3 {
		usage()
	}
	var in, out string
	var conv func([]byte) []byte
	switch a[0] {
	case "crlf":
		in, out = a[1], a[2]
		conv = func(b []byte) []byte {
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
			return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		}
	case "gzip":
		in, out = a[1], a[2]
		conv = func(b []byte) []byte {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			return buf.Bytes()
		}
	case "prefix":
		if len(a) < 4 {
			usage()
		}
		p := []byte(a[1])
		in, out = a[2], a[3]
		conv = func(b []byte) []byte {
			var buf bytes.Buffer
			for _, l := range bytes.SplitAfter(b, []byte("\n")) {
				if len(l) == 0 {
					continue
				}
				buf.Write(p)
				buf.Write(l)
			}
			return buf.Bytes()
		}
	default:
		usage()
	}
	b, err := os.ReadFile(in)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(out, conv(b), 0o644); err != nil {
		fail(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: transform crlf|gzip IN OUT | transform prefix PREFIX IN OUT")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "transform:", err)
	os.Exit(1)
}
