package testkit

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
)

// HostileFile is one file of the hostile set: small, and a valid file of
// its kind as far as its header goes, but declaring a decode that would
// take gigabytes of memory, thousands of frames or hundreds of scans.
type HostileFile struct {
	Name string // file name, with the extension that makes it that kind
	// Refused says whether the thumbnailer must refuse it: from its
	// header, before decoding, or (Broken) after a helper failed on it.
	// The rest must render within the budget.
	Refused bool
	Broken  bool
	What    string // what makes it hostile, for messages
}

// Hostile writes the hostile set into dir and describes it.
func Hostile(dir string) ([]HostileFile, error) {
	files := []struct {
		HostileFile
		data func() ([]byte, error)
	}{
		{HostileFile{"grid.heic", true, false, "HEIC grid of 40×40 tiles declaring 20000×20000"}, func() ([]byte, error) { return HEICGrid(20000, 20000, 512), nil }},
		{HostileFile{"bogus.heic", true, true, "HEIC grid of 2048×1536 whose tiles are not HEVC"}, func() ([]byte, error) { return HEICGrid(2048, 1536, 512), nil }},
		{HostileFile{"deep16.png", true, false, "16-bit RGBA PNG of 8192×8192 (zlib of zeros)"}, func() ([]byte, error) { return PNG16(8192, 8192) }},
		{HostileFile{"gif3000.gif", false, false, "animated GIF of 3000 frames"}, func() ([]byte, error) { return AnimatedGIF(1600, 1200, 3000) }},
		{HostileFile{"webp3000.webp", false, false, "animated WebP of 3000 frames"}, func() ([]byte, error) { return AnimatedWebP(1600, 1200, 3000), nil }},
		{HostileFile{"tiff900mp.tif", true, false, "TIFF declaring 30000×30000 (900 MP)"}, func() ([]byte, error) { return TIFF(30000, 30000), nil }},
		{HostileFile{"scans300.jpg", true, false, "progressive JPEG with 300 scans"}, func() ([]byte, error) { return ProgressiveJPEG(2000, 1500, 300), nil }},
		{HostileFile{"preview.dng", true, false, "DNG whose preview JPEG declares 60000×60000"}, func() ([]byte, error) { return RAWWithPreview(60000, 60000), nil }},
		{HostileFile{"video60k.mp4", true, false, "MP4 whose track declares 60000×60000"}, func() ([]byte, error) { return MP4(60000, 60000), nil }},
	}
	var out []HostileFile
	for _, f := range files {
		b, err := f.data()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, f.HostileFile)
	}
	return out, nil
}

// HEICGrid returns a HEIC whose primary item is a grid of w×h made of
// tile×tile HEVC tiles (ftyp, meta with hdlr/pitm/iinf/iloc/iref/iprp,
// mdat). The tiles' data is a few bogus bytes: only the header matters to
// an admission check, while a decoder allocates the whole canvas first.
func HEICGrid(w, h, tile int) []byte {
	cols, rows := (w+tile-1)/tile, (h+tile-1)/tile
	n := cols * rows
	build := func(mdat int) []byte {
		infe := func(id int, typ string, hidden bool) []byte {
			flags := uint32(0)
			if hidden {
				flags = 1
			}
			return FullBox("infe", 2, flags, u16(id), u16(0), []byte(typ), []byte{0})
		}
		entries := [][]byte{u16(n + 1), infe(1, "grid", false)}
		for i := 0; i < n; i++ {
			entries = append(entries, infe(2+i, "hvc1", true))
		}
		// iloc v0: 4-byte offsets and lengths, no base offset. The grid
		// description comes first in mdat, then one shared bogus tile.
		loc := [][]byte{{0x44, 0x00}, u16(n + 1), u16(1), u16(0), u16(1), u32(mdat + 8), u32(8)}
		for i := 0; i < n; i++ {
			loc = append(loc, u16(2+i), u16(0), u16(1), u32(mdat+16), u32(16))
		}
		refs := [][]byte{u16(1), u16(n)}
		for i := 0; i < n; i++ {
			refs = append(refs, u16(2+i))
		}
		// Properties: 1 the grid's ispe, 2 the tiles' ispe, 3 an hvcC.
		ipco := Box("ipco",
			FullBox("ispe", 0, 0, u32(w), u32(h)),
			FullBox("ispe", 0, 0, u32(tile), u32(tile)),
			Box("hvcC", append([]byte{1}, make([]byte, 22)...)))
		ma := [][]byte{u32(n + 1), u16(1), {1, 0x01}}
		for i := 0; i < n; i++ {
			ma = append(ma, u16(2+i), []byte{2, 0x83, 0x02})
		}
		meta := FullBox("meta", 0, 0,
			FullBox("hdlr", 0, 0, u32(0), []byte("pict"), make([]byte, 12), []byte{0}),
			FullBox("pitm", 0, 0, u16(1)),
			FullBox("iinf", 0, 0, entries...),
			FullBox("iloc", 0, 0, loc...),
			FullBox("iref", 0, 0, Box("dimg", refs...)),
			Box("iprp", ipco, FullBox("ipma", 0, 0, ma...)))
		ftyp := Box("ftyp", []byte("heic"), u32(0), []byte("mif1heic"))
		grid := []byte{0, 0, byte(rows - 1), byte(cols - 1)}
		grid = append(grid, u16(w)...)
		grid = append(grid, u16(h)...)
		tileData := []byte{0, 0, 0, 12, 0x26, 0x01, 0xAF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
		return append(append(ftyp, meta...), Box("mdat", grid, tileData)...)
	}
	first := build(0)
	return build(len(first) - 8 - 8 - 16)
}

// PNG16 returns a 16-bit RGBA PNG of w×h whose pixels are all zero: some
// 650 kB that image/png decodes into 8 bytes per pixel.
func PNG16(w, h int) ([]byte, error) {
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	row := make([]byte, 1+w*8)
	for y := 0; y < h; y++ {
		if _, err := z.Write(row); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	ihdr := append(append(u32(w), u32(h)...), 16, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = pngChunk(out, "IHDR", ihdr)
	out = pngChunk(out, "IDAT", idat.Bytes())
	return pngChunk(out, "IEND", nil), nil
}

func pngChunk(out []byte, typ string, data []byte) []byte {
	out = append(out, u32(len(data))...)
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return append(out, u32(int(crc32.ChecksumIEEE(out[start:])))...)
}

// InterlacedPNG returns an 8-bit RGB PNG of w×h with Adam7 interlacing
// (which image/png does not write), showing a colour ramp.
func InterlacedPNG(w, h int) ([]byte, error) {
	var raw bytes.Buffer
	passes := [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	for _, p := range passes {
		x0, y0, dx, dy := p[0], p[1], p[2], p[3]
		pw, ph := (w-x0+dx-1)/dx, (h-y0+dy-1)/dy
		if pw <= 0 || ph <= 0 {
			continue
		}
		for y := y0; y < h; y += dy {
			raw.WriteByte(0)
			for x := x0; x < w; x += dx {
				raw.Write([]byte{byte(x * 255 / w), byte(y * 255 / h), 0x80})
			}
		}
	}
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	if _, err := z.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = pngChunk(out, "IHDR", append(append(u32(w), u32(h)...), 8, 2, 0, 0, 1))
	out = pngChunk(out, "IDAT", idat.Bytes())
	return pngChunk(out, "IEND", nil), nil
}

// AnimatedGIF returns a GIF of w×h with frames frames: a full first
// frame, then small ones.
func AnimatedGIF(w, h, frames int) ([]byte, error) {
	pal := color.Palette{color.RGBA{0x20, 0x60, 0xC0, 0xFF}, color.RGBA{0xE0, 0x40, 0x20, 0xFF}}
	g := &gif.GIF{Config: image.Config{ColorModel: pal, Width: w, Height: h}}
	first := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	g.Image, g.Delay = append(g.Image, first), append(g.Delay, 2)
	small := image.NewPaletted(image.Rect(0, 0, 16, 16), pal)
	for i := range small.Pix {
		small.Pix[i] = 1
	}
	for i := 1; i < frames; i++ {
		g.Image, g.Delay = append(g.Image, small), append(g.Delay, 2)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// bitWriter packs bits least significant first, as VP8L reads them.
type bitWriter struct {
	b    []byte
	bits uint64
	n    uint
}

func (w *bitWriter) put(v uint64, n uint) {
	w.bits |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.b = append(w.b, byte(w.bits))
		w.bits >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		w.b = append(w.b, byte(w.bits))
	}
	return w.b
}

// VP8L returns a lossless WebP bitstream of w×h in one colour: five prefix
// codes of a single symbol each, so every pixel takes no bits at all.
func VP8L(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.put(0x2F, 8)
	bw.put(uint64(w-1), 14)
	bw.put(uint64(h-1), 14)
	bw.put(1, 1) // alpha is used
	bw.put(0, 3) // version
	bw.put(0, 1) // no transform
	bw.put(0, 1) // no colour cache
	bw.put(0, 1) // one prefix code group
	// The codes of green, red, blue, alpha and distance.
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		bw.put(1, 1) // simple code
		bw.put(0, 1) // one symbol
		bw.put(1, 1) // of eight bits
		bw.put(uint64(sym), 8)
	}
	return bw.bytes()
}

// riffChunk returns a RIFF chunk, padded to an even length.
func riffChunk(fourcc string, data ...[]byte) []byte {
	n := 0
	for _, d := range data {
		n += len(d)
	}
	b := make([]byte, 8, 8+n+1)
	copy(b, fourcc)
	binary.LittleEndian.PutUint32(b[4:], uint32(n))
	for _, d := range data {
		b = append(b, d...)
	}
	if n%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func le24(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }

// AnimatedWebP returns an animated WebP on a w×h canvas with frames
// frames: a full first frame, then 16×16 ones, all lossless.
func AnimatedWebP(w, h, frames int) []byte {
	vp8x := append([]byte{0x02 | 0x10, 0, 0, 0}, append(le24(w-1), le24(h-1)...)...)
	body := [][]byte{[]byte("WEBP"), riffChunk("VP8X", vp8x), riffChunk("ANIM", []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0})}
	anmf := func(fw, fh int, c color.NRGBA) []byte {
		head := append(append(le24(0), le24(0)...), append(append(le24(fw-1), le24(fh-1)...), append(le24(40), 0)...)...)
		return riffChunk("ANMF", head, riffChunk("VP8L", VP8L(fw, fh, c)))
	}
	body = append(body, anmf(w, h, color.NRGBA{0x20, 0x60, 0xC0, 0xFF}))
	small := anmf(16, 16, color.NRGBA{0xE0, 0x40, 0x20, 0xFF})
	for i := 1; i < frames; i++ {
		body = append(body, small)
	}
	var out []byte
	for _, b := range body {
		out = append(out, b...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(out)))...), out...)
}

// TIFF returns an uncompressed 8-bit RGB TIFF declaring w×h in one strip
// of a few bytes.
func TIFF(w, h int) []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}
	es := []entry{
		{256, 4, 1, uint32(w)}, {257, 4, 1, uint32(h)}, {258, 3, 1, 8},
		{259, 3, 1, 1}, {262, 3, 1, 2}, {273, 4, 1, 0}, {277, 3, 1, 3},
		{278, 4, 1, uint32(h)}, {279, 4, 1, 16},
	}
	ifd := 8
	data := ifd + 2 + len(es)*12 + 4
	b := make([]byte, data+16)
	copy(b, "II*\x00")
	le.PutUint32(b[4:], uint32(ifd))
	le.PutUint16(b[ifd:], uint16(len(es)))
	for i, e := range es {
		p := b[ifd+2+i*12:]
		if e.tag == 273 {
			e.value = uint32(data)
		}
		le.PutUint16(p, e.tag)
		le.PutUint16(p[2:], e.typ)
		le.PutUint32(p[4:], e.count)
		if e.typ == 3 {
			le.PutUint16(p[8:], uint16(e.value))
		} else {
			le.PutUint32(p[8:], e.value)
		}
	}
	return b
}

// jpegBits writes JPEG entropy-coded data: bits most significant first,
// with a zero byte stuffed after every 0xFF.
type jpegBits struct {
	b    []byte
	acc  uint32
	nacc uint
}

func (j *jpegBits) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		j.acc = j.acc<<1 | v>>uint(i)&1
		j.nacc++
		if j.nacc == 8 {
			j.b = append(j.b, byte(j.acc))
			if byte(j.acc) == 0xFF {
				j.b = append(j.b, 0)
			}
			j.acc, j.nacc = 0, 0
		}
	}
}

func (j *jpegBits) flush() []byte {
	for j.nacc != 0 {
		j.put(1, 1)
	}
	return j.b
}

func segment(marker byte, data ...[]byte) []byte {
	n := 2
	for _, d := range data {
		n += len(d)
	}
	b := []byte{0xFF, marker, byte(n >> 8), byte(n)}
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}

// ProgressiveJPEG returns a valid greyscale progressive JPEG of w×h with
// scans scans (at most 1 + 63×14): the DC scan, then for each AC
// coefficient in turn a first scan at Al=13 and its 13 refinement scans.
// All coefficients are zero, so each AC scan is a few end-of-band runs:
// hundreds of scans fit in a few kB, each a pass over every block for a
// decoder.
func ProgressiveJPEG(w, h, scans int) []byte {
	out := []byte{0xFF, 0xD8}
	q := make([]byte, 65)
	for i := 1; i < 65; i++ {
		q[i] = 1
	}
	out = append(out, segment(0xDB, q)...)
	out = append(out, segment(0xC2, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0})...)
	// DC table 0: one code of length 1 for category 0. AC table 0: the
	// end-of-band runs EOB0…EOB14, 4 bits each (code R for EOBR).
	dc := append([]byte{0x00, 1}, make([]byte, 15)...)
	dc = append(dc, 0)
	ac := []byte{0x10, 0, 0, 0, 15}
	ac = append(ac, make([]byte, 12)...)
	for r := 0; r <= 14; r++ {
		ac = append(ac, byte(r<<4))
	}
	out = append(out, segment(0xC4, dc, ac)...)
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	sos := func(ss, se, ah, al int) []byte {
		return segment(0xDA, []byte{1, 1, 0x00, byte(ss), byte(se), byte(ah<<4 | al)})
	}
	// DC first scan: every block's difference is category 0.
	var dcBits jpegBits
	for i := 0; i < blocks; i++ {
		dcBits.put(0, 1)
	}
	out = append(out, sos(0, 0, 0, 0)...)
	out = append(out, dcBits.flush()...)
	eobRuns := func() []byte {
		var b jpegBits
		for left := blocks; left > 0; {
			run := min(left, 1<<15-1)
			r := 0
			for 1<<(r+1) <= run {
				r++
			}
			b.put(uint32(r), 4)
			b.put(uint32(run-1<<r), uint(r))
			left -= run
		}
		return b.flush()
	}
	runs := eobRuns()
	n := 1
	for k := 1; k <= 63 && n < scans; k++ {
		for al := 13; al >= 0 && n < scans; al-- {
			ah := 0
			if al < 13 {
				ah = al + 1
			}
			out = append(out, sos(k, k, ah, al)...)
			out = append(out, runs...)
			n++
		}
	}
	return append(out, 0xFF, 0xD9)
}

// previewJPEG returns a baseline JPEG header declaring w×h (three
// components) and a few bytes of scan data.
func previewJPEG(w, h int) []byte {
	out := []byte{0xFF, 0xD8}
	q := make([]byte, 65)
	for i := 1; i < 65; i++ {
		q[i] = 1
	}
	out = append(out, segment(0xDB, q)...)
	out = append(out, segment(0xC0, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0})...)
	out = append(out, segment(0xDA, []byte{3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0})...)
	out = append(out, make([]byte, 64)...)
	return append(out, 0xFF, 0xD9)
}

// RAWWithPreview returns a TIFF-based RAW (as a DNG or CR2 is) whose IFD0
// points at a preview JPEG declaring w×h.
func RAWWithPreview(w, h int) []byte {
	le := binary.LittleEndian
	jpg := previewJPEG(w, h)
	const ifd = 8
	es := [][4]uint32{
		{254, 4, 1, 1}, {256, 4, 1, 256}, {257, 4, 1, 171}, {259, 3, 1, 6},
		{513, 4, 1, 0}, {514, 4, 1, uint32(len(jpg))},
	}
	data := ifd + 2 + len(es)*12 + 4
	b := make([]byte, data)
	copy(b, "II*\x00")
	le.PutUint32(b[4:], ifd)
	le.PutUint16(b[ifd:], uint16(len(es)))
	for i, e := range es {
		p := b[ifd+2+i*12:]
		if e[0] == 513 {
			e[3] = uint32(data)
		}
		le.PutUint16(p, uint16(e[0]))
		le.PutUint16(p[2:], uint16(e[1]))
		le.PutUint32(p[4:], e[2])
		if e[1] == 3 {
			le.PutUint16(p[8:], uint16(e[3]))
		} else {
			le.PutUint32(p[8:], e[3])
		}
	}
	return append(b, jpg...)
}

// MP4 returns an MP4 with one H.264 video track whose track header and
// sample description declare w×h, and one bogus sample.
func MP4(w, h int) []byte {
	matrix := append(append(u32(0x10000), make([]byte, 12)...), append(append(u32(0x10000), make([]byte, 12)...), u32(0x40000000)...)...)
	mvhd := FullBox("mvhd", 0, 0, u32(0), u32(0), u32(1000), u32(1000), u32(0x10000), u16(0x100), make([]byte, 10), matrix, make([]byte, 24), u32(2))
	tkhd := FullBox("tkhd", 0, 3, u32(0), u32(0), u32(1), u32(0), u32(1000), make([]byte, 8), u16(0), u16(0), u16(0), u16(0), matrix, u32(w<<16), u32(h<<16))
	sps := []byte{0x67, 0x42, 0x00, 0x1E, 0xF4, 0x0B, 0x00}
	pps := []byte{0x68, 0xCE, 0x3C, 0x80}
	avcC := Box("avcC", []byte{1, 0x42, 0, 0x1E, 0xFF, 0xE1}, u16(len(sps)), sps, []byte{1}, u16(len(pps)), pps)
	avc1 := Box("avc1", make([]byte, 6), u16(1), make([]byte, 16), u16(w), u16(h),
		u32(0x480000), u32(0x480000), u32(0), u16(1), make([]byte, 32), u16(0x18), u16(0xFFFF), avcC)
	sample := []byte{0, 0, 0, 4, 0x65, 0x88, 0x84, 0x00}
	build := func(mdat int) []byte {
		stbl := Box("stbl",
			FullBox("stsd", 0, 0, u32(1), avc1),
			FullBox("stts", 0, 0, u32(1), u32(1), u32(1000)),
			FullBox("stsc", 0, 0, u32(1), u32(1), u32(1), u32(1)),
			FullBox("stsz", 0, 0, u32(0), u32(1), u32(len(sample))),
			FullBox("stco", 0, 0, u32(1), u32(mdat+8)))
		minf := Box("minf", FullBox("vmhd", 0, 1, make([]byte, 8)),
			Box("dinf", FullBox("dref", 0, 0, u32(1), FullBox("url ", 0, 1))), stbl)
		mdia := Box("mdia", FullBox("mdhd", 0, 0, u32(0), u32(0), u32(1000), u32(1000), u16(0x55C4), u16(0)),
			FullBox("hdlr", 0, 0, u32(0), []byte("vide"), make([]byte, 12), []byte{0}), minf)
		moov := Box("moov", mvhd, Box("trak", tkhd, mdia))
		ftyp := Box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))
		return append(append(ftyp, moov...), Box("mdat", sample)...)
	}
	first := build(0)
	return build(len(first) - 8 - len(sample))
}
