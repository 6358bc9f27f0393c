package testkit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
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
	if p.Exif != nil || p.RawExif != nil || p.XMP != nil {
		tb.Fatal("testkit: JPEGFile keeps only photos without metadata")
	}
	dir := filepath.Join(os.TempDir(), "pinhole-testkit-v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
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
	path := filepath.Join(dir, name+".jpg")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	// Written aside and renamed, so a run stopped halfway or another test
	// binary writing the same photo never leaves half a file.
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.Write(JPEG(p))
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
