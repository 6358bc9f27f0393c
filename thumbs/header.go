package thumbs

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// imageHeader is what a PNG, GIF, WebP, TIFF or BMP header declares about
// the decode the standard library and x/image would run: enough to charge
// its real memory before a single pixel is decoded.
type imageHeader struct {
	kind string // "PNG", "16-bit PNG", "animated WebP" …, for reasons
	w, h int
	// decoded is the bytes per pixel of the image the decoder allocates,
	// times two when it holds a second full-size buffer on the way
	// (Adam7 passes, the VP8L transforms), in eighths for paletted and
	// 4:2:0 pictures: 12 means 1.5 bytes.
	decoded8 int64
	// flat is set when the decoded picture must be copied to RGBA before
	// resampling (anything but opaque RGBA, grey and YCbCr).
	flat bool
	// extra is further memory the decoder holds: a TIFF strip or tile,
	// an animated WebP's first frame, row buffers.
	extra int64
	// frames is how many frames the file holds (1 for stills; counted up
	// to a cap), of which only the first is decoded.
	frames int
	// webpFrame is the first frame of an animated WebP: where it sits on
	// the canvas and its chunks, decoded as a still of its own.
	webpFrame *webpFrame
}

var errHeader = errors.New("bad image header")

// readImageHeader reads the header of the PNG, GIF, WebP, TIFF or BMP in r
// with our own bounded parsers; the decoders' own DecodeConfig may allocate
// by what a hostile header says (x/image/tiff reads whole tag arrays).
func readImageHeader(r io.ReaderAt, size int64, head []byte) (imageHeader, error) {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return pngHeader(r, size)
	case bytes.HasPrefix(head, []byte("GIF8")):
		return gifHeader(r, size)
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return webpHeader(r, size)
	case bytes.HasPrefix(head, []byte("II")) || bytes.HasPrefix(head, []byte("MM")):
		return tiffHeader(r, size)
	case bytes.HasPrefix(head, []byte("BM")):
		return bmpHeader(r, size)
	}
	return imageHeader{}, errHeader
}

// pngHeader reads IHDR, and tRNS if it comes before the image data: image/png
// then decodes grey and RGB to NRGBA instead.
func pngHeader(r io.ReaderAt, size int64) (imageHeader, error) {
	var b [25]byte
	if _, err := r.ReadAt(b[:], 8); err != nil || string(b[4:8]) != "IHDR" {
		return imageHeader{}, fmt.Errorf("%w: no PNG IHDR", errHeader)
	}
	h := imageHeader{kind: "PNG", frames: 1,
		w: int(binary.BigEndian.Uint32(b[8:])), h: int(binary.BigEndian.Uint32(b[12:]))}
	depth, ct, interlaced := b[16], b[17], b[20] == 1
	if h.w <= 0 || h.h <= 0 || h.w > 1<<30 || h.h > 1<<30 {
		return imageHeader{}, fmt.Errorf("%w: PNG of %d×%d", errHeader, h.w, h.h)
	}
	trns := false
	off := int64(33)
	for i := 0; i < 64 && off+8 <= size; i++ {
		var c [8]byte
		if _, err := r.ReadAt(c[:], off); err != nil {
			break
		}
		typ := string(c[4:])
		if typ == "tRNS" {
			trns = true
		}
		if typ == "IDAT" || typ == "IEND" {
			break
		}
		off += 12 + int64(binary.BigEndian.Uint32(c[:4]))
	}
	deep := depth == 16
	if deep {
		h.kind = "16-bit PNG"
	}
	// The picture image/png allocates for each colour type.
	switch ct {
	case 0: // grey: Gray or Gray16, NRGBA(64) with tRNS
		switch {
		case trns && deep:
			h.decoded8, h.flat = 64, true
		case trns:
			h.decoded8, h.flat = 32, true
		case deep:
			h.decoded8, h.flat = 16, true
		default:
			h.decoded8 = 8
		}
	case 2: // RGB: RGBA or RGBA64, NRGBA(64) with tRNS
		h.decoded8, h.flat = 32, trns
		if deep {
			h.decoded8, h.flat = 64, true
		}
	case 3: // palette
		h.decoded8, h.flat = 8, true
	case 4, 6: // grey+alpha, RGBA: NRGBA or NRGBA64
		h.decoded8, h.flat = 32, true
		if deep {
			h.decoded8 = 64
		}
	default:
		return imageHeader{}, fmt.Errorf("%w: PNG colour type %d", errHeader, ct)
	}
	if interlaced {
		// Each Adam7 pass is decoded into a picture of its own and merged
		// into the full one; the passes add up to the full size again.
		h.decoded8 *= 2
		h.kind = "interlaced " + h.kind
	}
	// Two rows of raw samples and the inflater's window.
	h.extra = 2*(int64(h.w)*8+1) + 64<<10
	return h, nil
}

// gifHeader reads the logical screen. image/gif decodes the first frame
// only, into a paletted picture no larger than the screen; the frames are
// counted (a few hundred thousand reads at most) for the record.
func gifHeader(r io.ReaderAt, size int64) (imageHeader, error) {
	var b [13]byte
	if _, err := r.ReadAt(b[:], 0); err != nil {
		return imageHeader{}, fmt.Errorf("%w: short GIF", errHeader)
	}
	h := imageHeader{kind: "GIF", decoded8: 8, flat: true, frames: 1,
		w: int(binary.LittleEndian.Uint16(b[6:])), h: int(binary.LittleEndian.Uint16(b[8:]))}
	if h.w == 0 || h.h == 0 {
		return imageHeader{}, fmt.Errorf("%w: GIF of %d×%d", errHeader, h.w, h.h)
	}
	h.frames = gifFrames(r, size, b[10])
	if h.frames > 1 {
		h.kind = "animated GIF"
	}
	// The LZW decoder's tables and a row: small.
	h.extra = 64 << 10
	return h, nil
}

// maxCountedFrames bounds the frame count of GIF and WebP headers: beyond
// it the number only goes into a message.
const maxCountedFrames = 100_000

// gifFrames counts image descriptors by skipping sub-blocks, reading the
// file through a buffer (a long animation has hundreds of thousands of
// sub-blocks) and giving up on counting past maxCountedFrames.
func gifFrames(r io.ReaderAt, size int64, flags byte) int {
	off := int64(13)
	if flags&0x80 != 0 {
		off += 3 << (flags&7 + 1)
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, off, max(0, size-off)), 64<<10)
	skipBlocks := func() bool {
		for {
			n, err := br.ReadByte()
			if err != nil {
				return false
			}
			if n == 0 {
				return true
			}
			if _, err := br.Discard(int(n)); err != nil {
				return false
			}
		}
	}
	n := 0
	var d [9]byte
	for n < maxCountedFrames {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		switch c {
		case 0x21: // extension: label, then sub-blocks
			if _, err := br.ReadByte(); err != nil || !skipBlocks() {
				return max(n, 1)
			}
		case 0x2C: // image descriptor, local palette, LZW width, sub-blocks
			if _, err := io.ReadFull(br, d[:]); err != nil {
				return max(n, 1)
			}
			n++
			skip := 1 // LZW minimum code size
			if d[8]&0x80 != 0 {
				skip += 3 << (d[8]&7 + 1)
			}
			if _, err := br.Discard(skip); err != nil || !skipBlocks() {
				return max(n, 1)
			}
		default: // trailer or garbage
			return max(n, 1)
		}
	}
	return max(n, 1)
}

// webpFrame is an animated WebP's first frame.
type webpFrame struct {
	x, y, w, h int
	alph, data span // ALPH (may be empty) and VP8 or VP8L chunk payloads
	lossless   bool
}

// webpHeader reads a WebP's chunks: a simple lossy (VP8) or lossless (VP8L)
// still, or an extended file (VP8X) whose canvas size it declares, which
// may be animated (ANIM, ANMF frames: the first one is decoded).
func webpHeader(r io.ReaderAt, size int64) (imageHeader, error) {
	h := imageHeader{kind: "WebP", frames: 1}
	off := int64(12)
	end := size
	var riff [4]byte
	if _, err := r.ReadAt(riff[:], 4); err == nil {
		end = min(size, 8+int64(binary.LittleEndian.Uint32(riff[:])))
	}
	var c [8]byte
	vp8x, animated := false, false
	var hasAlpha bool
	frames := 0
	for steps := 0; off+8 <= end && steps < maxCountedFrames+64; steps++ {
		if _, err := r.ReadAt(c[:], off); err != nil {
			break
		}
		n := int64(binary.LittleEndian.Uint32(c[4:]))
		body := off + 8
		if n > end-body {
			n = end - body
		}
		switch string(c[:4]) {
		case "VP8X":
			var x [10]byte
			if n < 10 {
				return h, fmt.Errorf("%w: short VP8X", errHeader)
			}
			if _, err := r.ReadAt(x[:], body); err != nil {
				return h, fmt.Errorf("%w: short VP8X", errHeader)
			}
			vp8x = true
			animated = x[0]&2 != 0
			hasAlpha = x[0]&0x10 != 0
			h.w = 1 + (int(x[4]) | int(x[5])<<8 | int(x[6])<<16)
			h.h = 1 + (int(x[7]) | int(x[8])<<8 | int(x[9])<<16)
		case "VP8 ", "VP8L":
			if vp8x && animated {
				break
			}
			w, hh, lossless, err := webpBitstreamSize(r, body, n, string(c[:4]))
			if err != nil {
				return h, err
			}
			if !vp8x {
				h.w, h.h = w, hh
			}
			// Lossy: 4:2:0 YCbCr (1.5 bytes; 2.5 with alpha, flattened).
			// Lossless: NRGBA, plus a second buffer when a transform
			// (colour indexing) expands the picture.
			if lossless {
				h.kind, h.decoded8, h.flat = "lossless WebP", 64, true
			} else {
				h.decoded8 = 12
				if hasAlpha {
					h.decoded8, h.flat = 20+32, true // alpha plane decoded as VP8L first
				}
			}
			return h, nil
		case "ANMF":
			frames++
			if frames == 1 {
				f, err := webpFirstFrame(r, body, n)
				if err != nil {
					return h, err
				}
				h.webpFrame = f
			}
		}
		off = body + n + n&1
	}
	if !vp8x {
		return h, fmt.Errorf("%w: WebP without image data", errHeader)
	}
	if !animated || h.webpFrame == nil {
		return h, fmt.Errorf("%w: WebP without image data", errHeader)
	}
	f := h.webpFrame
	if f.x+f.w > h.w || f.y+f.h > h.h {
		return h, fmt.Errorf("%w: WebP frame outside the canvas", errHeader)
	}
	h.kind, h.frames = "animated WebP", max(frames, 1)
	// The canvas (RGBA, composited onto white) plus the first frame's own
	// decode, as a still of its kind.
	h.decoded8, h.flat = 32, false
	per := int64(12 + 32) // lossy, flattened onto the canvas
	if f.lossless {
		per = 64 + 32
	} else if f.alph.n > 0 {
		per = 20 + 32 + 32
	}
	h.extra = int64(f.w) * int64(f.h) * per / 8
	return h, nil
}

// webpBitstreamSize reads the size a VP8 or VP8L bitstream declares.
func webpBitstreamSize(r io.ReaderAt, off, n int64, fourcc string) (w, h int, lossless bool, err error) {
	var b [10]byte
	if fourcc == "VP8L" {
		if n < 5 {
			return 0, 0, true, fmt.Errorf("%w: short VP8L", errHeader)
		}
		if _, err := r.ReadAt(b[:5], off); err != nil || b[0] != 0x2F {
			return 0, 0, true, fmt.Errorf("%w: bad VP8L", errHeader)
		}
		v := binary.LittleEndian.Uint32(b[1:])
		return int(v&0x3FFF) + 1, int(v>>14&0x3FFF) + 1, true, nil
	}
	if n < 10 {
		return 0, 0, false, fmt.Errorf("%w: short VP8", errHeader)
	}
	if _, err := r.ReadAt(b[:], off); err != nil || b[3] != 0x9D || b[4] != 0x01 || b[5] != 0x2A {
		return 0, 0, false, fmt.Errorf("%w: bad VP8", errHeader)
	}
	return int(binary.LittleEndian.Uint16(b[6:]) & 0x3FFF), int(binary.LittleEndian.Uint16(b[8:]) & 0x3FFF), false, nil
}

// webpFirstFrame reads an ANMF chunk: its place on the canvas, then its
// ALPH and VP8/VP8L chunks.
func webpFirstFrame(r io.ReaderAt, off, n int64) (*webpFrame, error) {
	var b [16]byte
	if n < 16+8 {
		return nil, fmt.Errorf("%w: short ANMF", errHeader)
	}
	if _, err := r.ReadAt(b[:], off); err != nil {
		return nil, fmt.Errorf("%w: short ANMF", errHeader)
	}
	u24 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 }
	f := &webpFrame{x: 2 * u24(b[0:]), y: 2 * u24(b[3:]), w: 1 + u24(b[6:]), h: 1 + u24(b[9:])}
	pos, end := off+16, off+n
	var c [8]byte
	for i := 0; i < 16 && pos+8 <= end; i++ {
		if _, err := r.ReadAt(c[:], pos); err != nil {
			break
		}
		cn := min(int64(binary.LittleEndian.Uint32(c[4:])), end-pos-8)
		switch string(c[:4]) {
		case "ALPH":
			f.alph = span{pos + 8, cn}
		case "VP8 ", "VP8L":
			w, h, lossless, err := webpBitstreamSize(r, pos+8, cn, string(c[:4]))
			if err != nil {
				return nil, err
			}
			if w != f.w || h != f.h {
				return nil, fmt.Errorf("%w: WebP frame of %d×%d declares %d×%d", errHeader, f.w, f.h, w, h)
			}
			f.data, f.lossless = span{pos + 8, cn}, lossless
			return f, nil
		}
		pos += 8 + cn + cn&1
	}
	return nil, fmt.Errorf("%w: ANMF without image data", errHeader)
}

// TIFF tags beyond those tiff.go knows.
const (
	tagBitsPerSample   = 0x0102
	tagPhotometric     = 0x0106
	tagSamplesPerPixel = 0x0115
	tagRowsPerStrip    = 0x0116
	tagTileWidth       = 0x0142
	tagTileLength      = 0x0143
	tagTileByteCounts  = 0x0145
	tagExtraSamples    = 0x0152
)

// tiffHeader reads IFD0, the one directory x/image/tiff decodes: its size,
// samples, and the largest strip or tile the decoder buffers. Only IFD0 is
// decoded, so only IFD0 is charged.
func tiffHeader(r io.ReaderAt, size int64) (imageHeader, error) {
	t, err := newTIFF(r, 0, size)
	if err != nil {
		return imageHeader{}, fmt.Errorf("%w: %v", errHeader, err)
	}
	es, _, err := t.readIFD(t.ifd0)
	if err != nil {
		return imageHeader{}, fmt.Errorf("%w: tiff: %v", errHeader, err)
	}
	get := func(tag uint16, def uint32) uint32 {
		if v, ok := t.first(es, tag); ok {
			return v
		}
		return def
	}
	h := imageHeader{kind: "TIFF", frames: 1, w: int(get(tagWidth, 0)), h: int(get(tagHeight, 0))}
	if h.w <= 0 || h.h <= 0 {
		return imageHeader{}, fmt.Errorf("%w: TIFF without a size", errHeader)
	}
	bits := get(tagBitsPerSample, 1)
	deep := bits == 16
	if deep {
		h.kind = "16-bit TIFF"
	}
	switch get(tagPhotometric, 2) {
	case 0, 1: // grey
		h.decoded8 = 8
		if deep {
			h.decoded8, h.flat = 16, true
		}
	case 3: // palette
		h.decoded8, h.flat = 8, true
	default: // RGB(A): RGBA or NRGBA, 64-bit at 16 bits per sample
		h.decoded8, h.flat = 32, get(tagExtraSamples, 0) == 2
		if deep {
			h.decoded8, h.flat = 64, true
		}
	}
	// x/image/tiff decompresses one strip or tile at a time into a buffer
	// capped at 8 bytes per pixel of the block; uncompressed blocks are
	// read at their stored length. A deflate or LZW stream can fill the
	// cap whatever the samples say, and the buffer grows by doubling.
	bw, bh := int64(h.w), int64(h.h)
	if tw := get(tagTileWidth, 0); tw != 0 {
		bw, bh = int64(tw), int64(get(tagTileLength, 0))
	} else if rps := int64(get(tagRowsPerStrip, 0)); rps > 0 && rps < bh {
		bh = rps
	}
	blockCap := bw * bh * 8
	switch get(tagCompression, 1) {
	case 1, 0:
		counts := uint16(tagStripCounts)
		if get(tagTileWidth, 0) != 0 {
			counts = tagTileByteCounts
		}
		h.extra = min(blockCap, t.maxValue(es, counts))
	default:
		h.extra = 2 * blockCap
	}
	return h, nil
}

// maxValue returns the largest of a SHORT or LONG tag's values, reading
// them in chunks (a strip table may hold tens of thousands).
func (t *tiffFile) maxValue(es []tiffEntry, tag uint16) int64 {
	for _, e := range es {
		if e.tag != tag {
			continue
		}
		width := int64(4)
		if e.typ == 3 {
			width = 2
		} else if e.typ != 4 {
			return 0
		}
		n := int64(e.count)
		if n*width <= 4 {
			var m int64
			for i := int64(0); i < n; i++ {
				if width == 2 {
					m = max(m, int64(t.bo.Uint16(e.value[i*2:])))
				} else {
					m = max(m, int64(t.bo.Uint32(e.value[:])))
				}
			}
			return m
		}
		off := int64(t.bo.Uint32(e.value[:]))
		if off < 0 || off+n*width > t.size {
			return 0
		}
		buf := make([]byte, 64<<10)
		var m int64
		for done := int64(0); done < n*width; {
			k := min(int64(len(buf)), n*width-done)
			if _, err := t.r.ReadAt(buf[:k], t.base+off+done); err != nil {
				return m
			}
			for i := int64(0); i+width <= k; i += width {
				if width == 2 {
					m = max(m, int64(t.bo.Uint16(buf[i:])))
				} else {
					m = max(m, int64(t.bo.Uint32(buf[i:])))
				}
			}
			done += k
		}
		return m
	}
	return 0
}

// bmpHeader reads the BITMAPINFOHEADER x/image/bmp decodes from.
func bmpHeader(r io.ReaderAt, size int64) (imageHeader, error) {
	var b [30]byte
	if _, err := r.ReadAt(b[:], 0); err != nil {
		return imageHeader{}, fmt.Errorf("%w: short BMP", errHeader)
	}
	w := int64(int32(binary.LittleEndian.Uint32(b[18:])))
	hh := int64(int32(binary.LittleEndian.Uint32(b[22:])))
	if hh < 0 {
		hh = -hh // top-down rows
	}
	if w <= 0 || hh <= 0 || w > 1<<30 || hh > 1<<30 {
		return imageHeader{}, fmt.Errorf("%w: BMP of %d×%d", errHeader, w, hh)
	}
	h := imageHeader{kind: "BMP", frames: 1, w: int(w), h: int(hh), decoded8: 32}
	switch binary.LittleEndian.Uint16(b[28:]) {
	case 8:
		h.decoded8, h.flat = 8, true
	case 32:
		h.flat = true // NRGBA when it has alpha
	}
	h.extra = w*4 + 64<<10
	return h, nil
}
