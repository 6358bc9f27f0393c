package meta

// readJXL reads a JPEG XL file: a bare codestream (size from its header)
// or the box container, which may also hold Exif and XMP boxes.
func readJXL(rd *reading) error {
	rd.setMIME("image/jxl")
	h, err := rd.readAt(0, min(rd.size, 16), 16)
	if err != nil {
		return err
	}
	if len(h) >= 2 && h[0] == 0xff && h[1] == 0x0a {
		rd.info.Width, rd.info.Height = jxlSize(h[2:])
		return nil
	}
	if err := readBMFF(rd); err != nil {
		return err
	}
	rd.setMIME("image/jxl")
	m := &bmff{rd: rd}
	top, _ := m.children(0, rd.size)
	for _, b := range top {
		skip := int64(0)
		switch b.typ {
		case "jxlp":
			skip = 4 // partial codestream index
		case "jxlc":
		default:
			continue
		}
		if c, err := rd.readAt(b.start+skip, min(b.end-b.start-skip, 16), 16); err == nil &&
			len(c) >= 2 && c[0] == 0xff && c[1] == 0x0a {
			rd.info.Width, rd.info.Height = jxlSize(c[2:])
		}
		break
	}
	return nil
}

// jxlSize decodes the SizeHeader that follows the codestream signature.
func jxlSize(b []byte) (int, int) {
	br := bitReader{b: b}
	u32 := func() uint64 {
		return br.bits([]int{9, 13, 18, 30}[br.bits(2)]) + 1
	}
	var w, h uint64
	small := br.bits(1) == 1
	if small {
		h = (br.bits(5) + 1) * 8
	} else {
		h = u32()
	}
	ratio := br.bits(3)
	switch {
	case ratio != 0:
		r := [8][2]uint64{{1, 1}, {1, 1}, {12, 10}, {4, 3}, {3, 2}, {16, 9}, {5, 4}, {2, 1}}[ratio]
		w = h * r[0] / r[1]
	case small:
		w = (br.bits(5) + 1) * 8
	default:
		w = u32()
	}
	if br.short || w > 1<<30 || h > 1<<30 {
		return 0, 0
	}
	return int(w), int(h)
}

// bitReader reads little-endian bit fields, least significant bit first.
type bitReader struct {
	b     []byte
	pos   int
	short bool
}

func (r *bitReader) bits(n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		if r.pos/8 >= len(r.b) {
			r.short = true
			return 0
		}
		bit := uint64(r.b[r.pos/8]>>(r.pos%8)) & 1
		v |= bit << i
		r.pos++
	}
	return v
}
