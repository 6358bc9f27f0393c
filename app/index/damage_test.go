package index

import (
	"bytes"
	"crypto/sha1"
	"io"
	"strings"
	"testing"

	"pinhole/app/testkit"
)

// The check gives the same verdict however the bytes are split into
// writes (the hash copies 256 KB at a time; markers can straddle them).
func TestJPEGCheck(t *testing.T) {
	whole := testkit.JPEG(testkit.Photo{W: 64, H: 48, Gray: true, Quality: 80})
	sos := bytes.Index(whole, []byte{0xFF, 0xDA})
	lossless := bytes.Replace(whole, []byte{0xFF, 0xC0}, []byte{0xFF, 0xC3}, 1)
	junk := append(append([]byte{}, whole[:20]...), 0x00)
	junk = append(junk, whole[20:]...)
	for _, tc := range []struct {
		name string
		b    []byte
		want string // prefix of the problem, "" for none
	}{
		{"whole", whole, ""},
		{"bytes after the end", append(append([]byte{}, whole...), "trailer"...), ""},
		{"not a JPEG", []byte("\x89PNG\r\n\x1a\nrest of a png"), ""},
		{"empty", nil, ""},
		{"cut in the picture data", whole[:len(whole)-200], incompletePrefix},
		{"cut right after the scan header", whole[:sos+14], incompletePrefix},
		{"cut in the header", whole[:sos-30], damagedPrefix},
		{"only the start", whole[:2], damagedPrefix},
		{"a byte where a marker should be", junk, damagedPrefix},
		{"lossless", lossless, unsupportedPrefix},
	} {
		for _, step := range []int{1, 2, 3, 7, 1 << 20} {
			c := &jpegCheck{}
			for b := tc.b; len(b) > 0; {
				n := min(step, len(b))
				c.Write(b[:n])
				b = b[n:]
			}
			got := c.Problem()
			if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
				t.Errorf("%s in writes of %d: problem %q, want prefix %q", tc.name, step, got, tc.want)
			}
		}
	}
}

// The check rides along the hash; it must cost little beside it:
// go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench JPEGCheck ./app/index/
func BenchmarkJPEGCheck(b *testing.B) {
	data := testkit.JPEG(testkit.Photo{W: 2000, H: 1500, Noise: true})
	for _, tc := range []struct {
		name string
		w    func() io.Writer
	}{
		{"check", func() io.Writer { return &jpegCheck{} }},
		{"sha1", func() io.Writer { return sha1.New() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				w := tc.w()
				for p := data; len(p) > 0; {
					n := min(len(p), 256<<10)
					w.Write(p[:n])
					p = p[n:]
				}
			}
		})
	}
}
