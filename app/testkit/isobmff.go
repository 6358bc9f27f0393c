package testkit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Box returns one ISO-BMFF (MP4, MOV, HEIF) box: its size, its type and
// the parts that follow, in order.
func Box(typ string, parts ...[]byte) []byte {
	if len(typ) != 4 {
		panic("testkit: box type " + typ + " is not four bytes")
	}
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 8, n)
	binary.BigEndian.PutUint32(b, uint32(n))
	copy(b[4:], typ)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// FullBox returns a box that starts with a version and 24 bits of flags.
func FullBox(typ string, version byte, flags uint32, parts ...[]byte) []byte {
	vf := []byte{version, byte(flags >> 16), byte(flags >> 8), byte(flags)}
	return Box(typ, append([][]byte{vf}, parts...)...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// quickTimeEpoch is where movie header times count from.
var quickTimeEpoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

// Movie returns a movie file of the given brand ("isom", "qt  ", …): its
// ftyp box and a moov box holding the parts (MovieHeader, Track, user data).
func Movie(brand string, moov ...[]byte) []byte {
	return append(Box("ftyp", []byte(brand), u32(0), []byte(brand)), Box("moov", moov...)...)
}

// MovieHeader is a version 0 mvhd created at t (the zero time: not set),
// one second long.
func MovieHeader(t time.Time) []byte {
	var created int
	if !t.IsZero() {
		created = int(t.Sub(quickTimeEpoch) / time.Second)
	}
	return FullBox("mvhd", 0, 0, u32(created), u32(created), u32(600), u32(600), make([]byte, 80))
}

// Track is a trak with a handler ("vide", "soun", "meta"), a track header
// of w×h and a sample entry of type codec ("avc1", "hvc1", "mp4a"); stbl
// adds sample tables after the sample description.
func Track(handler, codec string, w, h int, stbl ...[]byte) []byte {
	tkhd := make([]byte, 84)
	binary.BigEndian.PutUint32(tkhd[76:], uint32(w)<<16)
	binary.BigEndian.PutUint32(tkhd[80:], uint32(h)<<16)
	hdlr := FullBox("hdlr", 0, 0, u32(0), []byte(handler), make([]byte, 13))
	stsd := FullBox("stsd", 0, 0, u32(1), Box(codec, make([]byte, 8)))
	return Box("trak", Box("tkhd", tkhd), Box("mdia", hdlr,
		Box("minf", Box("stbl", append([][]byte{stsd}, stbl...)...))))
}

// HEICWithJPEG returns a HEIF whose only (primary) image item is the JPEG
// jpg, as some cameras write their thumbnails and previews.
func HEICWithJPEG(jpg []byte) []byte {
	infe := FullBox("infe", 2, 0, u16(1), u16(0), []byte("jpeg"), []byte{0})
	iinf := FullBox("iinf", 0, 0, u16(1), infe)
	ftyp := Box("ftyp", []byte("heic"), u32(0), []byte("mif1heic"))
	// iloc v0: offset_size 4, length_size 4, base_offset_size 0; one item
	// with one extent whose offset is known once the layout is.
	meta := func(off int) []byte {
		iloc := FullBox("iloc", 0, 0, []byte{0x44, 0x00}, u16(1), u16(1), u16(0), u16(1), u32(off), u32(len(jpg)))
		return FullBox("meta", 0, 0, FullBox("hdlr", 0, 0, u32(0), []byte("pict"), make([]byte, 13)), iinf, iloc)
	}
	head := len(ftyp) + len(meta(0)) + 8 // mdat's header
	return bytes.Join([][]byte{ftyp, meta(head), Box("mdat", jpg)}, nil)
}

// FFmpeg runs ffmpeg with args (quiet, overwriting outputs), to make media
// only an encoder can: a playable video, an animated WebP. The tests need
// it (`scripts/deps.sh test` installs it): without it they fail, so a green
// run always means the files were really made.
func FFmpeg(tb testing.TB, args ...string) {
	tb.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		tb.Fatal("ffmpeg is not installed: scripts/deps.sh test (apt-get install ffmpeg)")
	}
	out, err := exec.Command(ff, append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		tb.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// Clip encodes a playable H.264 MP4 of w×h showing a moving test pattern
// for the given length into dir/name and returns its path.
func Clip(tb testing.TB, dir, name string, w, h int, length time.Duration) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	FFmpeg(tb, "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=25", w, h),
		"-t", strconv.FormatFloat(length.Seconds(), 'f', 3, 64), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", p)
	return p
}
