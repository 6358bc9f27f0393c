package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits for ISO base media files (HEIF, AVIF, CR3, MP4, MOV): how many
// boxes are looked at, how deep, and how many items a meta box may list.
const (
	maxBoxes     = 4096
	maxBoxDepth  = 10
	maxHEIFItems = 4096
	maxMoovBytes = 32 << 20 // a moov box larger than this is not read
)

// box is one ISO BMFF box: its type and the byte range of its payload.
type box struct {
	typ        string
	start, end int64 // payload
}

// bmff walks boxes of one file with a shared budget.
type bmff struct {
	rd      *reading
	boxes   int
	gpsRank int // source of the position found so far (movie.go)
}

// children lists the boxes in [start, end). A box that claims more than its
// parent holds is cut to the parent's end.
func (m *bmff) children(start, end int64) ([]box, error) {
	var out []box
	pos := start
	var hdr [16]byte
	for pos+8 <= end {
		m.boxes++
		if m.boxes > maxBoxes {
			return out, errors.New("too many boxes")
		}
		if _, err := m.rd.r.ReadAt(hdr[:8], pos); err != nil {
			return out, nil
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		hlen := int64(8)
		switch size {
		case 0:
			size = end - pos
		case 1:
			if _, err := m.rd.r.ReadAt(hdr[8:16], pos+8); err != nil {
				return out, nil
			}
			big := binary.BigEndian.Uint64(hdr[8:16])
			if big > uint64(math.MaxInt64) {
				return out, fmt.Errorf("malformed %q box size", typ)
			}
			size, hlen = int64(big), 16
		}
		if size < hlen {
			return out, fmt.Errorf("malformed %q box size", typ)
		}
		if size > end-pos {
			size = end - pos
		}
		out = append(out, box{typ: typ, start: pos + hlen, end: pos + size})
		pos += size
	}
	return out, nil
}

func find(boxes []box, typ string) (box, bool) {
	for _, b := range boxes {
		if b.typ == typ {
			return b, true
		}
	}
	return box{}, false
}

// bmffFormat names the format from the ftyp major brand, for messages.
func bmffFormat(h []byte) string {
	if len(h) < 12 {
		return "mp4"
	}
	switch mime := brandMIME(string(h[8:12])); mime {
	case "image/heic", "image/heif":
		return "heic"
	case "image/avif":
		return "avif"
	case "image/x-canon-cr3":
		return "cr3"
	case "image/jxl":
		return "jxl"
	case "video/quicktime":
		return "quicktime"
	}
	return "mp4"
}

// brandMIME maps an ftyp major brand to exiftool's MIME type.
func brandMIME(brand string) string {
	switch strings.TrimSpace(brand) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx":
		return "image/heic"
	case "mif1", "msf1", "mif2":
		return "image/heif"
	case "avif", "avis":
		return "image/avif"
	case "crx":
		return "image/x-canon-cr3"
	case "jxl":
		return "image/jxl"
	case "qt":
		return "video/quicktime"
	case "M4V", "M4VH", "M4VP":
		return "video/x-m4v"
	case "3gp4", "3gp5", "3gp6", "3gp7", "3gs7", "3ge6", "3ge7", "3gg6":
		return "video/3gpp"
	case "3g2a", "3g2b", "3g2c":
		return "video/3gpp2"
	}
	return "video/mp4"
}

// readBMFF reads HEIF/AVIF images, Canon CR3 and MP4/QuickTime video.
func readBMFF(rd *reading) error {
	m := &bmff{rd: rd}
	top, err := m.children(0, rd.size)
	if len(top) == 0 {
		if err == nil {
			err = errors.New("no boxes")
		}
		return err
	}
	mime := "video/quicktime" // old QuickTime files have no ftyp
	if ft, ok := find(top, "ftyp"); ok {
		if b, err := rd.readAt(ft.start, 4, 4); err == nil {
			mime = brandMIME(string(b))
		}
	}
	rd.setMIME(mime)
	for _, b := range top {
		switch b.typ {
		case "meta":
			if err := m.heifMeta(b); err != nil {
				return err
			}
		case "moov":
			if err := m.moov(b); err != nil {
				return err
			}
		case "uuid":
			m.uuid(b)
		case "udta": // FLIR writes user data at the top level
			m.udta(b)
		case "Exif": // JPEG XL container
			if data, err := rd.readAt(b.start, b.end-b.start, maxEXIFBlob); err == nil {
				rd.addEXIF(exifAfterOffset(data))
			}
		case "xml ":
			if data, err := rd.readAt(b.start, b.end-b.start, maxXMPBytes); err == nil {
				rd.addXMP(data)
			}
		}
	}
	return nil
}

var (
	uuidCanonCR3 = []byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}
	uuidXMP      = []byte{0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac}
)

// uuid handles the XMP uuid box (CR3, some MP4) and Canon's CR3 metadata
// box holding CMT1 (IFD0), CMT2 (EXIF), CMT4 (GPS) as TIFF structures.
func (m *bmff) uuid(b box) {
	id, err := m.rd.readAt(b.start, 16, 16)
	if err != nil {
		return
	}
	switch {
	case bytes.Equal(id, uuidXMP):
		if data, err := m.rd.readAt(b.start+16, b.end-b.start-16, maxXMPBytes); err == nil {
			m.rd.addXMP(data)
		}
	case bytes.Equal(id, uuidCanonCR3):
		kids, _ := m.children(b.start+16, b.end)
		d := &exifDirs{}
		var maker makerFacts
		for _, k := range kids {
			if !strings.HasPrefix(k.typ, "CMT") {
				continue
			}
			data, err := m.rd.readAt(k.start, k.end-k.start, maxEXIFBlob)
			if err != nil {
				continue
			}
			sub, err := walkTIFF(readerAtBytes(data), int64(len(data)))
			if err != nil {
				continue
			}
			switch k.typ {
			case "CMT1":
				d.chain = sub.chain
			case "CMT2":
				d.exif = sub.chain[0]
			case "CMT3": // the Canon maker note, as a TIFF of its own
				maker = canonFacts(sub.chain[0])
			case "CMT4":
				d.gps = sub.chain[0]
			}
		}
		if len(d.chain) > 0 && m.rd.exif == nil {
			m.rd.exif = d.facts()
			m.rd.exif.addMaker(maker)
		}
	}
}

// heifItem is one entry of a HEIF meta box.
type heifItem struct {
	typ         string
	contentType string
	method      int
	baseOffset  uint64
	extents     [][2]uint64 // offset, length
	width       int
	height      int
	rotation    int // irot, in 90° steps counter-clockwise
}

// heifMeta reads the item structure: which item is primary, where the Exif
// and XMP items live, and the primary item's size and rotation.
func (m *bmff) heifMeta(mb box) error {
	if mb.end-mb.start < 4 {
		return errors.New("short meta box")
	}
	kids, err := m.children(mb.start+4, mb.end)
	if err != nil {
		return err
	}
	items := map[uint32]*heifItem{}
	item := func(id uint32) *heifItem {
		it := items[id]
		if it == nil {
			if len(items) >= maxHEIFItems {
				return &heifItem{}
			}
			it = &heifItem{}
			items[id] = it
		}
		return it
	}
	var primary uint32
	var idat box
	for _, k := range kids {
		data := func(limit int64) ([]byte, error) {
			return m.rd.readAt(k.start, k.end-k.start, limit)
		}
		switch k.typ {
		case "pitm":
			b, err := data(16)
			if err != nil || len(b) < 6 {
				return errors.New("malformed pitm box")
			}
			if b[0] == 0 {
				primary = uint32(binary.BigEndian.Uint16(b[4:6]))
			} else if len(b) >= 8 {
				primary = binary.BigEndian.Uint32(b[4:8])
			}
		case "iinf":
			if err := m.iinf(k, item); err != nil {
				return err
			}
		case "iloc":
			b, err := data(4 << 20)
			if err != nil {
				return fmt.Errorf("malformed iloc box: %w", err)
			}
			if err := parseIloc(b, item); err != nil {
				return err
			}
		case "iprp":
			if err := m.iprp(k, item); err != nil {
				return err
			}
		case "idat":
			idat = k
		}
	}
	if it, ok := items[primary]; ok {
		if it.width > 0 && it.height > 0 {
			m.rd.info.Width, m.rd.info.Height = it.width, it.height
		}
		if o := irotOrientation(it.rotation); o != 0 && m.rd.info.Orientation == 0 {
			m.rd.info.Orientation = o
		}
	}
	for _, it := range items {
		if it.typ != "Exif" && !(it.typ == "mime" && strings.Contains(it.contentType, "rdf+xml")) {
			continue
		}
		b := m.itemData(it, idat)
		if b == nil {
			continue
		}
		if it.typ == "Exif" {
			m.rd.addEXIF(exifAfterOffset(b))
		} else {
			m.rd.addXMP(b)
		}
	}
	return nil
}

// irotOrientation maps HEIF's counter-clockwise rotation to the EXIF
// orientation that shows the picture the same way.
func irotOrientation(r int) int {
	switch r {
	case 1:
		return 8
	case 2:
		return 3
	case 3:
		return 6
	}
	return 0
}

// exifAfterOffset skips the 4-byte offset HEIF and JPEG XL put before the
// TIFF header of an Exif item, tolerating writers that get it wrong.
func exifAfterOffset(b []byte) []byte {
	if len(b) < 4 {
		return nil
	}
	off := int64(binary.BigEndian.Uint32(b[:4]))
	if off < int64(len(b))-4 {
		rest := b[4+off:]
		if isTIFF(rest) {
			return rest
		}
	}
	for i := 0; i+8 <= len(b) && i < 64; i++ {
		if isTIFF(b[i:]) {
			return b[i:]
		}
	}
	return nil
}

func (m *bmff) itemData(it *heifItem, idat box) []byte {
	var out []byte
	for _, e := range it.extents {
		off := it.baseOffset + e[0]
		if it.method == 1 {
			off += uint64(idat.start)
		} else if it.method != 0 {
			return nil
		}
		if off > uint64(m.rd.size) || e[1] > uint64(maxEXIFBlob) || uint64(len(out))+e[1] > uint64(maxEXIFBlob) {
			return nil
		}
		n := e[1]
		if n == 0 { // length 0 means "to the end of the file"
			n = uint64(m.rd.size) - off
			if n > uint64(maxEXIFBlob) {
				n = uint64(maxEXIFBlob)
			}
		}
		b, err := m.rd.readAt(int64(off), int64(n), maxEXIFBlob)
		if err != nil {
			return nil
		}
		out = append(out, b...)
	}
	return out
}

func (m *bmff) iinf(k box, item func(uint32) *heifItem) error {
	b, err := m.rd.readAt(k.start, min(k.end-k.start, 8), 8)
	if err != nil || len(b) < 6 {
		return errors.New("malformed iinf box")
	}
	start := k.start + 6
	if b[0] != 0 {
		start = k.start + 8
	}
	entries, err := m.children(start, k.end)
	if err != nil {
		return fmt.Errorf("malformed iinf box: %w", err)
	}
	for _, e := range entries {
		if e.typ != "infe" {
			continue
		}
		d, err := m.rd.readAt(e.start, min(e.end-e.start, 512), 512)
		if err != nil || len(d) < 4 {
			continue
		}
		ver := d[0]
		var id uint32
		var p int
		switch {
		case ver == 2 && len(d) >= 12:
			id, p = uint32(binary.BigEndian.Uint16(d[4:6])), 8
		case ver >= 3 && len(d) >= 14:
			id, p = binary.BigEndian.Uint32(d[4:8]), 10
		default:
			continue
		}
		it := item(id)
		it.typ = string(d[p : p+4])
		rest := d[p+4:]
		if it.typ == "mime" {
			// item_name NUL content_type NUL
			if i := bytes.IndexByte(rest, 0); i >= 0 {
				ct := rest[i+1:]
				if j := bytes.IndexByte(ct, 0); j >= 0 {
					ct = ct[:j]
				}
				it.contentType = string(ct)
			}
		}
	}
	return nil
}

// parseIloc decodes the item location box.
func parseIloc(b []byte, item func(uint32) *heifItem) error {
	bad := errors.New("malformed iloc box")
	if len(b) < 8 {
		return bad
	}
	ver := b[0]
	offSize, lenSize := int(b[4]>>4), int(b[4]&15)
	baseSize, idxSize := int(b[5]>>4), int(b[5]&15)
	if ver == 0 {
		idxSize = 0
	}
	p := 6
	readN := func(n int) (uint64, bool) {
		if n != 0 && n != 4 && n != 8 {
			return 0, false
		}
		if p+n > len(b) {
			return 0, false
		}
		var v uint64
		for _, c := range b[p : p+n] {
			v = v<<8 | uint64(c)
		}
		p += n
		return v, true
	}
	var count uint64
	var ok bool
	if ver < 2 {
		count, ok = readN2(b, &p)
	} else {
		count, ok = readN(4)
	}
	if !ok {
		return bad
	}
	for i := uint64(0); i < count && i < maxHEIFItems; i++ {
		var id uint64
		if ver < 2 {
			id, ok = readN2(b, &p)
		} else {
			id, ok = readN(4)
		}
		if !ok {
			return bad
		}
		it := item(uint32(id))
		if ver == 1 || ver == 2 {
			m, ok := readN2(b, &p)
			if !ok {
				return bad
			}
			it.method = int(m & 15)
		}
		if _, ok := readN2(b, &p); !ok { // data reference index
			return bad
		}
		if it.baseOffset, ok = readN(baseSize); !ok {
			return bad
		}
		ext, ok := readN2(b, &p)
		if !ok {
			return bad
		}
		it.extents = it.extents[:0]
		for j := uint64(0); j < ext; j++ {
			if _, ok := readN(idxSize); !ok {
				return bad
			}
			off, ok1 := readN(offSize)
			n, ok2 := readN(lenSize)
			if !ok1 || !ok2 {
				return bad
			}
			if len(it.extents) < 64 {
				it.extents = append(it.extents, [2]uint64{off, n})
			}
		}
	}
	return nil
}

func readN2(b []byte, p *int) (uint64, bool) {
	if *p+2 > len(b) {
		return 0, false
	}
	v := binary.BigEndian.Uint16(b[*p:])
	*p += 2
	return uint64(v), true
}

// iprp reads item properties (ispe size, irot rotation) and their
// association to items.
func (m *bmff) iprp(k box, item func(uint32) *heifItem) error {
	kids, err := m.children(k.start, k.end)
	if err != nil {
		return fmt.Errorf("malformed iprp box: %w", err)
	}
	ipco, ok := find(kids, "ipco")
	if !ok {
		return nil
	}
	props, err := m.children(ipco.start, ipco.end)
	if err != nil {
		return fmt.Errorf("malformed ipco box: %w", err)
	}
	for _, a := range kids {
		if a.typ != "ipma" {
			continue
		}
		b, err := m.rd.readAt(a.start, a.end-a.start, 1<<20)
		if err != nil || len(b) < 8 {
			return errors.New("malformed ipma box")
		}
		ver, flags := b[0], b[3]
		n := binary.BigEndian.Uint32(b[4:8])
		p := 8
		for i := uint32(0); i < n && i < maxHEIFItems; i++ {
			var id uint32
			if ver < 1 {
				if p+2 > len(b) {
					return errors.New("malformed ipma box")
				}
				id = uint32(binary.BigEndian.Uint16(b[p:]))
				p += 2
			} else {
				if p+4 > len(b) {
					return errors.New("malformed ipma box")
				}
				id = binary.BigEndian.Uint32(b[p:])
				p += 4
			}
			if p >= len(b) {
				return errors.New("malformed ipma box")
			}
			cnt := int(b[p])
			p++
			for j := 0; j < cnt; j++ {
				var idx int
				if flags&1 != 0 {
					if p+2 > len(b) {
						return errors.New("malformed ipma box")
					}
					idx = int(binary.BigEndian.Uint16(b[p:]) & 0x7fff)
					p += 2
				} else {
					if p >= len(b) {
						return errors.New("malformed ipma box")
					}
					idx = int(b[p] & 0x7f)
					p++
				}
				if idx < 1 || idx > len(props) {
					continue
				}
				m.applyProperty(props[idx-1], item(id))
			}
		}
	}
	return nil
}

func (m *bmff) applyProperty(pr box, it *heifItem) {
	switch pr.typ {
	case "ispe":
		b, err := m.rd.readAt(pr.start, 12, 12)
		if err == nil && it.width == 0 {
			it.width = int(binary.BigEndian.Uint32(b[4:8]))
			it.height = int(binary.BigEndian.Uint32(b[8:12]))
		}
	case "irot":
		b, err := m.rd.readAt(pr.start, 1, 1)
		if err == nil {
			it.rotation = int(b[0] & 3)
		}
	}
}

// parseISO6709 parses "+37.7858-122.4064+010.000/" (degrees, or DDMM.mm /
// DDMMSS.ss forms told apart by the digits before the point).
func parseISO6709(s string) (lat, lng, alt float64, hasAlt, ok bool) {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "/")
	// Split before each sign: "+37.7858", "-122.4064", "+010.000".
	var parts []string
	for len(s) > 0 && len(parts) < 3 {
		if s[0] != '+' && s[0] != '-' {
			return 0, 0, 0, false, false
		}
		end := strings.IndexAny(s[1:], "+-")
		if end < 0 {
			end = len(s) - 1
		}
		parts = append(parts, s[:end+1])
		s = s[end+1:]
	}
	if len(parts) < 2 {
		return 0, 0, 0, false, false
	}
	var ok1, ok2 bool
	lat, ok1 = iso6709Angle(parts[0], 2)
	lng, ok2 = iso6709Angle(parts[1], 3)
	if !ok1 || !ok2 {
		return 0, 0, 0, false, false
	}
	if len(parts) == 3 {
		if a, err := strconv.ParseFloat(strings.TrimRight(parts[2], "CRS"), 64); err == nil && math.Abs(a) < 100000 {
			alt, hasAlt = a, true
		}
	}
	return lat, lng, alt, hasAlt, true
}

func iso6709Angle(s string, degDigits int) (float64, bool) {
	if len(s) < 2 {
		return 0, false
	}
	sign := 1.0
	if s[0] == '-' {
		sign = -1
	}
	body := s[1:]
	intLen := strings.IndexByte(body, '.')
	if intLen < 0 {
		intLen = len(body)
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil {
		return 0, false
	}
	switch intLen - degDigits {
	case 0:
	case 2: // DDMM.mm
		deg := math.Floor(v / 100)
		v = deg + (v-deg*100)/60
	case 4: // DDMMSS.ss
		deg := math.Floor(v / 10000)
		mins := math.Floor((v - deg*10000) / 100)
		v = deg + mins/60 + (v-deg*10000-mins*100)/3600
	default:
		if intLen > degDigits {
			return 0, false
		}
	}
	return sign * v, true
}
