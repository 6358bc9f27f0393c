package testkit

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pinhole/app/demo"
)

// The EXIF and XMP a photo carries are written by app/demo's writer, the
// one the demo library's photos are made with (and checked by exiftool in
// its tests): tests keep no writer of their own.
type (
	Exif     = demo.Exif
	XMP      = demo.XMP
	GPS      = demo.GPS
	Rational = demo.Rational
)

// Photo describes a picture file to make. The zero value is a 16×12
// photo-like colour picture without metadata.
type Photo struct {
	W, H int    // pixels; 0 means 16×12
	Seed uint64 // which picture: different seeds give different files

	Quality int  // JPEG quality; 0 means 90
	Gray    bool // one grey component (a PNG: 8-bit grey)
	Noise   bool // random pixels, which do not compress (see Noise)
	Deep    bool // PNG only: 16 bits per channel

	// Exif is written as an APP1 segment (its Width and Height default to
	// the picture's); RawExif is a TIFF block written as it is, for
	// readers' tests that need tags no camera writes. XMP follows it.
	Exif    *Exif
	RawExif []byte
	XMP     *XMP
	// RawXMP is an XMP packet (FacesXMP) written as its own APP1 segment
	// after the others; Squares are painted over the picture.
	RawXMP  []byte
	Squares []Square
}

func (p Photo) size() (int, int) {
	if p.W <= 0 || p.H <= 0 {
		return 16, 12
	}
	return p.W, p.H
}

// Image returns the photo's pixels.
func (p Photo) Image() image.Image {
	w, h := p.size()
	var img *image.RGBA
	if p.Noise {
		img = Noise(w, h, p.Seed)
	} else {
		img = Picture(w, h, p.Seed)
	}
	paint(img, p.Squares)
	if !p.Gray {
		return img
	}
	g := image.NewGray(img.Rect)
	for i := range g.Pix {
		r, gr, b := int(img.Pix[4*i]), int(img.Pix[4*i+1]), int(img.Pix[4*i+2])
		g.Pix[i] = uint8((299*r + 587*gr + 114*b) / 1000)
	}
	return g
}

// JPEG encodes the photo (with image/jpeg: baseline, 4:2:0) and places its
// EXIF and XMP segments right after SOI, where cameras write them. It
// panics on metadata the EXIF writer refuses: a test's own mistake.
func JPEG(p Photo) []byte {
	q := p.Quality
	if q == 0 {
		q = 90
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, p.Image(), &jpeg.Options{Quality: q}); err != nil {
		panic(fmt.Sprintf("testkit: encode jpeg: %v", err))
	}
	var segs [][]byte
	if p.Exif != nil {
		x := *p.Exif
		if x.Width == 0 && x.Height == 0 {
			x.Width, x.Height = p.size()
		}
		seg, err := x.Segment()
		if err != nil {
			panic(fmt.Sprintf("testkit: exif: %v", err))
		}
		segs = append(segs, seg)
	}
	if p.RawExif != nil {
		segs = append(segs, APP1(append([]byte("Exif\x00\x00"), p.RawExif...)))
	}
	if p.XMP != nil {
		seg, err := p.XMP.Segment()
		if err != nil {
			panic(fmt.Sprintf("testkit: xmp: %v", err))
		}
		segs = append(segs, seg)
	}
	if p.RawXMP != nil {
		segs = append(segs, XMPSegment(p.RawXMP))
	}
	if len(segs) == 0 {
		return b.Bytes()
	}
	out, err := InsertSegments(b.Bytes(), segs...)
	if err != nil {
		panic(err)
	}
	return out
}

// APP1 wraps data (an identifier and its payload) as a JPEG APP1 segment.
func APP1(data []byte) []byte {
	if len(data) > 0xFFFF-2 {
		panic(fmt.Sprintf("testkit: APP1 payload of %d bytes", len(data)))
	}
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(data)+2))
	return append(seg, data...)
}

// InsertSegments returns a copy of the JPEG jpg with segs placed right after
// its SOI marker, where readers expect the Exif APP1 segment.
func InsertSegments(jpg []byte, segs ...[]byte) ([]byte, error) {
	if len(jpg) < 4 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return nil, errors.New("insert segments: not a JPEG")
	}
	n := len(jpg)
	for _, s := range segs {
		n += len(s)
	}
	out := make([]byte, 0, n)
	out = append(out, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...), nil
}

// PNG encodes the photo as a PNG (8-bit RGBA or grey; Deep: 16-bit RGBA).
// Metadata fields are ignored.
func PNG(p Photo) []byte {
	img := p.Image()
	if p.Deep {
		src := img
		b := src.Bounds()
		deep := image.NewRGBA64(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := src.At(x, y).RGBA()
				// Spread the 8-bit values over 16 bits with low bits that
				// differ, so the file really needs its depth.
				deep.SetRGBA64(x, y, color.RGBA64{uint16(r) ^ uint16(x), uint16(g) ^ uint16(y), uint16(bl), uint16(a)})
			}
		}
		img = deep
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(fmt.Sprintf("testkit: encode png: %v", err))
	}
	return b.Bytes()
}

// WriteFile writes data at rel (slash-separated) under root, making its
// folders, and returns the file's path.
func WriteFile(tb testing.TB, root, rel string, data []byte) string {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// JPEGFile returns the path of the photo's JPEG, made once and kept in the
// system temp folder between runs: painting and encoding 24 MP takes
// seconds. Photos with metadata are not kept; use JPEG and WriteFile.
func JPEGFile(tb testing.TB, p Photo) string {
	tb.Helper()
	w, h := p.size()
	name := fmt.Sprintf("photo_%dx%d_%d", w, h, p.Seed)
	if p.Quality != 0 {
		name += fmt.Sprintf("_q%d", p.Quality)
	}
	if p.Gray {
		name += "_gray"
	}
	if p.Noise {
		name += "_noise"
	}
	return kept(tb, p, name+".jpg", func() []byte { return JPEG(p) })
}

// kept returns the path of the file name in the kit's folder of the system
// temp folder, made by mk when it is not there yet.
func kept(tb testing.TB, p Photo, name string, mk func() []byte) string {
	tb.Helper()
	if p.Exif != nil || p.RawExif != nil || p.XMP != nil {
		tb.Fatal("testkit: only photos without metadata are kept between runs")
	}
	dir := filepath.Join(os.TempDir(), "pinhole-testkit-v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	// Written aside and renamed, so a run stopped halfway or another test
	// binary writing the same file never leaves half of it.
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.Write(mk())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		tb.Fatal(err)
	}
	return path
}

// CJPEG encodes the photo with libjpeg's own encoder, cjpeg (package
// libjpeg-turbo-progs, which `scripts/deps.sh test` installs), for what
// image/jpeg does not write: progressive files, chroma sampling other than
// 4:2:0, restart intervals. scans is a scan script in cjpeg's -scans
// format ("" for none); args are cjpeg's other options, e.g.
// "-progressive", "-sample", "2x1", "-restart", "1". Metadata fields are
// ignored; the picture is the photo's, at quality 90 unless args say.
func CJPEG(tb testing.TB, p Photo, scans string, args ...string) []byte {
	tb.Helper()
	bin, err := exec.LookPath("cjpeg")
	if err != nil {
		tb.Fatal("cjpeg is not installed: scripts/deps.sh test (apt-get install libjpeg-turbo-progs)")
	}
	dir := tb.TempDir()
	img := p.Image()
	var in bytes.Buffer
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok {
		fmt.Fprintf(&in, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
		in.Write(g.Pix)
	} else {
		rgba := img.(*image.RGBA)
		fmt.Fprintf(&in, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
		for i := 0; i < len(rgba.Pix); i += 4 {
			in.Write(rgba.Pix[i : i+3])
		}
	}
	src := filepath.Join(dir, "in.pnm")
	if err := os.WriteFile(src, in.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	opts := []string{"-quality", "90"}
	if p.Quality != 0 {
		opts[1] = strconv.Itoa(p.Quality)
	}
	if scans != "" {
		script := filepath.Join(dir, "scans.txt")
		if err := os.WriteFile(script, []byte(scans), 0o644); err != nil {
			tb.Fatal(err)
		}
		opts = append(opts, "-scans", script)
	}
	out, err := exec.Command(bin, append(append(opts, args...), src)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		tb.Fatalf("cjpeg %v: %v %s", args, err, msg)
	}
	return out
}

// CJPEGFile is CJPEG's file, made once and kept in the system temp folder
// between runs like JPEGFile's: cjpeg takes seconds over a 24 MP picture.
func CJPEGFile(tb testing.TB, p Photo, scans string, args ...string) string {
	tb.Helper()
	w, h := p.size()
	key := sha1.Sum([]byte(fmt.Sprintf("%d %d %d %d %v %v %q %q", w, h, p.Seed, p.Quality, p.Gray, p.Noise, scans, args)))
	return kept(tb, p, fmt.Sprintf("cjpeg_%dx%d_%x.jpg", w, h, key[:6]), func() []byte { return CJPEG(tb, p, scans, args...) })
}

// ProgressiveFile returns the path of JPEGFile's photo rewritten as a
// progressive JPEG by jpegtran (libjpeg-turbo-progs; lossless: the same
// coefficients in libjpeg's default scan script), kept between runs.
func ProgressiveFile(tb testing.TB, p Photo) string {
	tb.Helper()
	src := JPEGFile(tb, p)
	name := strings.TrimSuffix(filepath.Base(src), ".jpg") + "_progressive.jpg"
	return kept(tb, p, name, func() []byte {
		bin, err := exec.LookPath("jpegtran")
		if err != nil {
			tb.Fatal("jpegtran is not installed: scripts/deps.sh test (apt-get install libjpeg-turbo-progs)")
		}
		out, err := exec.Command(bin, "-copy", "all", "-progressive", src).Output()
		if err != nil {
			tb.Fatalf("jpegtran %s: %v", src, err)
		}
		return out
	})
}
