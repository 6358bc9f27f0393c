package thumbs

import (
	"encoding/binary"
	"io"
)

// heifHeader is what a HEIF or AVIF container declares about the images
// heif-convert would decode: every top-level image, a grid being the
// canvas its tiles are decoded into.
type heifHeader struct {
	w, h    int   // the largest declared image (0 when none is declared)
	tiles   int   // tiles of that image when it is a grid
	tilePx  int64 // pixels of its largest tile
	grid    bool
	items   int // image items in the file
	unsized int // image items without an ispe property
}

// heifImageTypes are item types that decode to pictures.
var heifImageTypes = map[string]bool{
	"hvc1": true, "av01": true, "grid": true, "iden": true, "iovl": true,
	"jpeg": true, "avc1": true, "unci": true, "j2k1": true, "vvc1": true,
}

// maxHEIFItems bounds the items and properties read from one file: a
// 48 MP iPhone picture has about 200 tiles.
const maxHEIFItems = 1 << 14

// eachBox calls fn for each box in r[off:end], at most limit of them.
func eachBox(r io.ReaderAt, off, end int64, limit int, fn func(b box) bool) {
	var h [16]byte
	for n := 0; off+8 <= end && n < limit; n++ {
		if _, err := r.ReadAt(h[:8], off); err != nil {
			return
		}
		sz := int64(binary.BigEndian.Uint32(h[:4]))
		hdr := int64(8)
		switch sz {
		case 0:
			sz = end - off
		case 1:
			if _, err := r.ReadAt(h[8:16], off+8); err != nil {
				return
			}
			sz = int64(binary.BigEndian.Uint64(h[8:16]))
			hdr = 16
		}
		if sz < hdr || sz > end-off {
			return
		}
		if !fn(box{typ: string(h[4:8]), start: off + hdr, end: off + sz}) {
			return
		}
		off += sz
	}
}

// readHEIFHeader walks the meta box: item types (iinf), properties (ipco)
// and their associations (ipma), grid references (iref dimg) and the grid
// descriptions themselves (iloc, idat).
func readHEIFHeader(r io.ReaderAt, size int64) heifHeader {
	var out heifHeader
	for _, b := range boxes(r, 0, size) {
		if b.typ != "meta" {
			continue
		}
		types := map[uint32]string{}
		var props []box // ipco children, 1-based in ipma
		assoc := map[uint32][]int{}
		dimg := map[uint32][]uint32{}
		var locs []heifItemLoc
		var idat box
		eachBox(r, b.start+4, b.end, 64, func(c box) bool {
			switch c.typ {
			case "iinf":
				heifItemTypesAll(r, c, types)
			case "iprp":
				eachBox(r, c.start, c.end, 16, func(p box) bool {
					switch p.typ {
					case "ipco":
						eachBox(r, p.start, p.end, maxHEIFItems, func(q box) bool {
							props = append(props, q)
							return true
						})
					case "ipma":
						heifAssociations(r, p, assoc)
					}
					return true
				})
			case "iref":
				heifDimg(r, c, dimg)
			case "iloc":
				locs = heifItemLocations(r, c)
			case "idat":
				idat = c
			}
			return true
		})
		ispe := func(id uint32) (int, int, bool) {
			for _, i := range assoc[id] {
				if i < 1 || i > len(props) || props[i-1].typ != "ispe" {
					continue
				}
				var v [12]byte
				if _, err := r.ReadAt(v[:], props[i-1].start); err != nil {
					return 0, 0, false
				}
				return int(binary.BigEndian.Uint32(v[4:])), int(binary.BigEndian.Uint32(v[8:])), true
			}
			return 0, 0, false
		}
		for id, typ := range types {
			if !heifImageTypes[typ] {
				continue
			}
			out.items++
			w, h, ok := ispe(id)
			if !ok {
				out.unsized++
			}
			var tiles int
			var tilePx int64
			if typ == "grid" {
				// The grid's own description says what canvas it is
				// decoded into; it may disagree with its ispe.
				if gw, gh, ok := heifGridSize(r, id, locs, idat); ok {
					w, h = max(w, gw), max(h, gh)
				}
				tiles = len(dimg[id])
				for _, t := range dimg[id] {
					if tw, th, ok := ispe(t); ok {
						tilePx = max(tilePx, int64(tw)*int64(th))
					}
				}
			}
			if int64(w)*int64(h)+tilePx > int64(out.w)*int64(out.h)+out.tilePx {
				out.w, out.h, out.tiles, out.tilePx, out.grid = w, h, tiles, tilePx, typ == "grid"
			}
		}
	}
	return out
}

// heifItemTypesAll is heifItemTypes without its cap of 256 entries: a
// grid's tiles are items too.
func heifItemTypesAll(r io.ReaderAt, c box, types map[uint32]string) {
	var vh [4]byte
	if _, err := r.ReadAt(vh[:], c.start); err != nil {
		return
	}
	skip := int64(4 + 2)
	if vh[0] > 0 {
		skip = 4 + 4
	}
	b := make([]byte, 14)
	eachBox(r, c.start+skip, c.end, maxHEIFItems, func(e box) bool {
		if e.typ != "infe" || e.end-e.start < 12 {
			return true
		}
		if _, err := r.ReadAt(b[:12], e.start); err != nil {
			return true
		}
		switch b[0] {
		case 2:
			types[uint32(binary.BigEndian.Uint16(b[4:]))] = string(b[8:12])
		case 3:
			if e.end-e.start >= 14 {
				if _, err := r.ReadAt(b, e.start); err == nil {
					types[binary.BigEndian.Uint32(b[4:])] = string(b[10:14])
				}
			}
		}
		return true
	})
}

// readBox reads a box's payload when it is at most limit bytes.
func readBox(r io.ReaderAt, b box, limit int64) []byte {
	n := b.end - b.start
	if n < 0 || n > limit {
		return nil
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, b.start); err != nil {
		return nil
	}
	return buf
}

// heifAssociations parses ipma: item → property indices (1-based).
func heifAssociations(r io.ReaderAt, c box, out map[uint32][]int) {
	b := readBox(r, c, 4<<20)
	if len(b) < 8 {
		return
	}
	version, flags := b[0], b[3]
	count := int(binary.BigEndian.Uint32(b[4:]))
	pos := 8
	for i := 0; i < count && i < maxHEIFItems; i++ {
		var id uint32
		if version < 1 {
			if pos+2 > len(b) {
				return
			}
			id = uint32(binary.BigEndian.Uint16(b[pos:]))
			pos += 2
		} else {
			if pos+4 > len(b) {
				return
			}
			id = binary.BigEndian.Uint32(b[pos:])
			pos += 4
		}
		if pos >= len(b) {
			return
		}
		n := int(b[pos])
		pos++
		for j := 0; j < n; j++ {
			if flags&1 != 0 {
				if pos+2 > len(b) {
					return
				}
				out[id] = append(out[id], int(binary.BigEndian.Uint16(b[pos:])&0x7FFF))
				pos += 2
			} else {
				if pos >= len(b) {
					return
				}
				out[id] = append(out[id], int(b[pos]&0x7F))
				pos++
			}
		}
	}
}

// heifDimg parses the dimg references of iref: a derived image (grid,
// overlay) → the items it is made of.
func heifDimg(r io.ReaderAt, c box, out map[uint32][]uint32) {
	var vh [4]byte
	if _, err := r.ReadAt(vh[:], c.start); err != nil {
		return
	}
	wide := vh[0] > 0
	eachBox(r, c.start+4, c.end, maxHEIFItems, func(e box) bool {
		if e.typ != "dimg" {
			return true
		}
		b := readBox(r, e, 1<<20)
		id := func(p int) (uint32, int) {
			if wide {
				if p+4 > len(b) {
					return 0, -1
				}
				return binary.BigEndian.Uint32(b[p:]), p + 4
			}
			if p+2 > len(b) {
				return 0, -1
			}
			return uint32(binary.BigEndian.Uint16(b[p:])), p + 2
		}
		from, p := id(0)
		if p < 0 || p+2 > len(b) {
			return true
		}
		n := int(binary.BigEndian.Uint16(b[p:]))
		p += 2
		for i := 0; i < n && len(out[from]) < maxHEIFItems; i++ {
			var to uint32
			if to, p = id(p); p < 0 {
				break
			}
			out[from] = append(out[from], to)
		}
		return true
	})
}

// heifItemLoc is where an item's first extent is: in the file
// (construction method 0) or in the idat box (1), and how many extents
// the item has in all.
type heifItemLoc struct {
	id      uint32
	method  uint64
	extents uint64
	span
}

// heifItemLocations parses iloc, keeping every item's first extent.
func heifItemLocations(r io.ReaderAt, c box) []heifItemLoc {
	b := readBox(r, c, 4<<20)
	if len(b) < 8 {
		return nil
	}
	version := b[0]
	offSize, lenSize := int(b[4]>>4), int(b[4]&15)
	baseSize, idxSize := int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	pos := 6
	read := func(size int) (uint64, bool) {
		if size == 0 {
			return 0, true
		}
		if pos+size > len(b) || (size != 2 && size != 4 && size != 8) {
			return 0, false
		}
		var v uint64
		for _, x := range b[pos : pos+size] {
			v = v<<8 | uint64(x)
		}
		pos += size
		return v, true
	}
	idWidth := 2
	if version == 2 {
		idWidth = 4
	}
	count, ok := read(idWidth)
	if !ok {
		return nil
	}
	var out []heifItemLoc
	for i := uint64(0); i < count && i < maxHEIFItems; i++ {
		id, ok := read(idWidth)
		if !ok {
			return out
		}
		method := uint64(0)
		if version >= 1 {
			if method, ok = read(2); !ok {
				return out
			}
			method &= 15
		}
		if _, ok = read(2); !ok { // data reference index
			return out
		}
		base, ok1 := read(baseSize)
		extents, ok2 := read(2)
		if !ok1 || !ok2 || extents > 1024 {
			return out
		}
		var first span
		for e := uint64(0); e < extents; e++ {
			_, ok1 := read(idxSize)
			off, ok2 := read(offSize)
			ln, ok3 := read(lenSize)
			if !ok1 || !ok2 || !ok3 {
				return out
			}
			if e == 0 {
				first = span{int64(base + off), int64(ln)}
			}
		}
		out = append(out, heifItemLoc{id: uint32(id), method: method, extents: extents, span: first})
	}
	return out
}

// heifGridSize reads a grid item's description (ISO/IEC 23008-12 6.6.2.3):
// version, flags, rows-1, columns-1, output width and height (16 or 32
// bits).
func heifGridSize(r io.ReaderAt, id uint32, locs []heifItemLoc, idat box) (int, int, bool) {
	for _, l := range locs {
		if l.id != id {
			continue
		}
		off := l.off
		switch l.method {
		case 0:
		case 1:
			if idat.end == 0 || l.off < 0 || l.off+l.n > idat.end-idat.start {
				return 0, 0, false
			}
			off += idat.start
		default:
			return 0, 0, false
		}
		var g [12]byte
		n, _ := r.ReadAt(g[:], off)
		switch {
		case n >= 8 && g[1]&1 == 0:
			return int(binary.BigEndian.Uint16(g[4:])), int(binary.BigEndian.Uint16(g[6:])), true
		case n >= 12:
			return int(binary.BigEndian.Uint32(g[4:])), int(binary.BigEndian.Uint32(g[8:])), true
		}
		return 0, 0, false
	}
	return 0, 0, false
}
