package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"
)

// QuickTime and MP4 movies: the movie header (creation time, duration),
// each track's handler and sample entry (size, codec), and the user data
// where cameras and phones put the capture time with its zone and the
// position.
//
// Times. The movie header counts seconds since 1904 in UTC (the QuickTime
// convention); some cameras write local time there, which cannot be told
// from the file, so it is taken as UTC, as exiftool does with its
// QuickTimeUTC option. A time with its zone wins over it: Apple's
// com.apple.quicktime.creationdate key, then a ©day with an offset.
//
// Positions, best first: Apple's location key, ©xyz (ISO 6709, written by
// Android, DJI and Google Photos, also as @xyz by Ricoh and in the ilst
// item list), the 3GPP loci box, FLIR's uuid box in udta, and the first
// fix of a GoPro GPMF track.

// quickTimeEpoch is where QuickTime and MP4 times count from.
var quickTimeEpoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

// unixIn1904 is 1970-01-01 in QuickTime seconds. A smaller creation time
// comes from a writer that counted from 1970 by mistake.
const unixIn1904 = 2082844800

// GPS sources in movies, best first; a position only replaces one from a
// worse source.
const (
	gpsAppleKeys = iota + 1
	gpsXYZ
	gpsLoci
	gpsFLIR
	gpsGoPro
)

var uuidFLIRGPS = []byte{0x7f, 0x2e, 0x21, 0x00, 0x8b, 0x46, 0x49, 0x18, 0xaf, 0xb1, 0xde, 0x70, 0x9a, 0x74, 0xf6, 0xf5}

// moov reads the movie header, the tracks, and user data.
func (m *bmff) moov(mv box) error {
	if mv.end-mv.start > maxMoovBytes {
		return errors.New("moov box too large")
	}
	kids, err := m.children(mv.start, mv.end)
	if err != nil {
		return err
	}
	for _, k := range kids {
		switch k.typ {
		case "mvhd":
			m.mvhd(k)
		case "trak":
			m.trak(k)
		case "udta":
			m.udta(k)
		case "meta":
			m.movieMeta(k, false)
		case "uuid":
			m.uuid(k)
		}
	}
	return nil
}

func (m *bmff) mvhd(k box) {
	b, err := m.rd.readAt(k.start, min(k.end-k.start, 32), 32)
	if err != nil || len(b) < 20 {
		return
	}
	var created, scale, dur uint64
	if b[0] == 1 {
		if len(b) < 32 {
			return
		}
		created = binary.BigEndian.Uint64(b[4:12])
		scale = uint64(binary.BigEndian.Uint32(b[20:24]))
		dur = binary.BigEndian.Uint64(b[24:32])
	} else {
		created = uint64(binary.BigEndian.Uint32(b[4:8]))
		scale = uint64(binary.BigEndian.Uint32(b[12:16]))
		dur = uint64(binary.BigEndian.Uint32(b[16:20]))
	}
	// Zero means "not set". A writer that counted from 1970 gives a time
	// before 1970 here; exiftool reads such a value from 1970, and so do we.
	if created > 0 && created < 1<<40 {
		t := quickTimeEpoch.Add(time.Duration(created) * time.Second)
		if created < unixIn1904 {
			t = time.Unix(int64(created), 0).UTC()
		}
		if t.Year() >= 1971 {
			m.rd.videoTime = t
		}
	}
	if scale > 0 && dur > 0 && dur != math.MaxUint32 && dur != math.MaxUint64 {
		m.rd.info.Duration = float64(dur) / float64(scale)
	}
}

// trak reads one track: the handler type says what it carries, the first
// sample entry of its sample description names the codec.
func (m *bmff) trak(t box) {
	kids, err := m.children(t.start, t.end)
	if err != nil {
		return
	}
	var handler, codec string
	var stbl box
	if md, ok := find(kids, "mdia"); ok {
		mk, _ := m.children(md.start, md.end)
		if h, ok := find(mk, "hdlr"); ok {
			if b, err := m.rd.readAt(h.start, 12, 12); err == nil {
				handler = string(b[8:12])
			}
		}
		if mi, ok := find(mk, "minf"); ok {
			mik, _ := m.children(mi.start, mi.end)
			if st, ok := find(mik, "stbl"); ok {
				stbl = st
				codec = m.sampleEntry(st)
			}
		}
	}
	switch {
	case handler == "soun":
		if m.rd.info.AudioCodec == "" {
			m.rd.info.AudioCodec = codec
		}
		return
	case handler == "meta" && codec == "gpmd":
		m.goProGPS(stbl)
		return
	case handler != "vide" && handler != "":
		return
	}
	if m.rd.info.VideoCodec == "" {
		m.rd.info.VideoCodec = codec
	}
	tk, ok := find(kids, "tkhd")
	if !ok {
		return
	}
	b, err := m.rd.readAt(tk.start, min(tk.end-tk.start, 96), 96)
	if err != nil {
		return
	}
	p := 76 // version 0: width and height follow 76 bytes
	if len(b) > 0 && b[0] == 1 {
		p = 88
	}
	if len(b) < p+8 || m.rd.info.Width != 0 {
		return
	}
	w := binary.BigEndian.Uint32(b[p:]) >> 16
	h := binary.BigEndian.Uint32(b[p+4:]) >> 16
	if w > 0 && h > 0 {
		m.rd.info.Width, m.rd.info.Height = int(w), int(h)
		m.rd.info.Rotation = matrixRotation(b[p-36 : p])
	}
}

// matrixRotation reads the quarter turn of a track header's display matrix
// {a b u, c d v, x y w} (a, b, c, d in 16.16 fixed point): phones record
// portrait video as landscape frames with a 90° matrix, and players show
// it turned. It returns 0, 90, 180 or 270 (clockwise), 0 for anything else.
func matrixRotation(mx []byte) int {
	v := func(i int) int32 { return int32(binary.BigEndian.Uint32(mx[4*i:])) }
	a, b, c, d := v(0), v(1), v(3), v(4)
	switch {
	case a == 0 && d == 0 && b > 0 && c < 0:
		return 90
	case a == 0 && d == 0 && b < 0 && c > 0:
		return 270
	case b == 0 && c == 0 && a < 0 && d < 0:
		return 180
	}
	return 0
}

// sampleEntry returns the type of the first sample entry of the track's
// sample description ("avc1", "hvc1", "mp4a", ...), which is what
// exiftool calls CompressorID and AudioFormat.
func (m *bmff) sampleEntry(stbl box) string {
	kids, _ := m.children(stbl.start, stbl.end)
	sd, ok := find(kids, "stsd")
	if !ok {
		return ""
	}
	b, err := m.rd.readAt(sd.start, 16, 16)
	if err != nil || binary.BigEndian.Uint32(b[4:8]) == 0 {
		return ""
	}
	if fourCC := b[12:16]; printable(fourCC) {
		return string(fourCC)
	}
	return ""
}

// printable reports whether b is a readable four-character code.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return len(b) > 0
}

// udta reads QuickTime user data: ©day, ©xyz, ©mak, ©mod (also with '@'
// for '©', as Ricoh writes them), the 3GPP loci box, FLIR's uuid boxes,
// Pentax's TAGS record, XMP, and a nested meta box with keys or items.
func (m *bmff) udta(u box) {
	kids, err := m.children(u.start, u.end)
	if err != nil {
		return
	}
	for _, k := range kids {
		typ := k.typ
		if strings.HasPrefix(typ, "@") {
			typ = "\xa9" + typ[1:]
		}
		switch typ {
		case "\xa9xyz", "\xa9mak", "\xa9mod", "\xa9day":
			b, err := m.rd.readAt(k.start, k.end-k.start, 4096)
			if err != nil || len(b) < 4 {
				continue
			}
			m.userText(typ, qtString(b))
		case "loci":
			if b, err := m.rd.readAt(k.start, k.end-k.start, 4096); err == nil {
				if lat, lng, alt, ok := parseLoci(b); ok {
					m.setGPS(gpsLoci, lat, lng, alt, true)
				}
			}
		case "uuid":
			if b, err := m.rd.readAt(k.start, min(k.end-k.start, 32), 32); err == nil && len(b) >= 32 && bytes.Equal(b[:16], uuidFLIRGPS) {
				// Big-endian floats after the UUID: a word, latitude,
				// longitude, altitude.
				lat := float64(math.Float32frombits(binary.BigEndian.Uint32(b[20:24])))
				lng := float64(math.Float32frombits(binary.BigEndian.Uint32(b[24:28])))
				alt := float64(math.Float32frombits(binary.BigEndian.Uint32(b[28:32])))
				m.setGPS(gpsFLIR, lat, lng, alt, !math.IsNaN(alt) && math.Abs(alt) < 100000)
			}
		case "TAGS":
			m.vendorTags(k)
		case "meta":
			m.movieMeta(k, true)
		case "XMP_":
			if b, err := m.rd.readAt(k.start, k.end-k.start, maxXMPBytes); err == nil {
				m.rd.addXMP(b)
			}
		}
	}
}

// userText applies one text item, from udta or from the ilst item list.
func (m *bmff) userText(typ, s string) {
	switch typ {
	case "\xa9xyz":
		if lat, lng, alt, hasAlt, ok := parseISO6709(s); ok {
			m.setGPS(gpsXYZ, lat, lng, alt, hasAlt)
		}
	case "\xa9mak":
		if m.rd.make == "" {
			m.rd.make = cleanText(s)
		}
	case "\xa9mod":
		if m.rd.model == "" {
			m.rd.model = cleanText(s)
		}
	case "\xa9day":
		if m.rd.dayTime == "" {
			m.rd.dayTime = strings.TrimSpace(s)
		}
	}
}

// vendorTags reads the binary TAGS record some cameras put in udta. Only
// Pentax's is read: its ISO (offset 0xaf, little-endian).
func (m *bmff) vendorTags(k box) {
	b, err := m.rd.readAt(k.start, min(k.end-k.start, 256), 256)
	if err != nil || !bytes.HasPrefix(b, []byte("PENTAX DIGITAL CAMERA\x00")) {
		return
	}
	if m.rd.make == "" {
		m.rd.make = cleanText(string(bytes.TrimRight(b[:24], "\x00")))
	}
	if len(b) >= 0xaf+2 {
		if iso := plausibleISO(uint64(binary.LittleEndian.Uint16(b[0xaf:])), true); iso > 0 && m.rd.maker.iso == 0 {
			m.rd.maker.iso = iso
		}
	}
}

// parseLoci decodes a 3GPP location box: version and flags, language, a
// name (UTF-8, or UTF-16 after a byte-order mark), role, then longitude,
// latitude and altitude as signed 16.16 fixed-point numbers.
func parseLoci(b []byte) (lat, lng, alt float64, ok bool) {
	if len(b) < 6 {
		return 0, 0, 0, false
	}
	p := 6
	if bytes.HasPrefix(b[p:], []byte{0xfe, 0xff}) {
		for p += 2; p+1 < len(b) && !(b[p] == 0 && b[p+1] == 0); p += 2 {
		}
		p += 2
	} else {
		i := bytes.IndexByte(b[p:], 0)
		if i < 0 {
			return 0, 0, 0, false
		}
		p += i + 1
	}
	if p+13 > len(b) {
		return 0, 0, 0, false
	}
	fixed := func(o int) float64 { return float64(int32(binary.BigEndian.Uint32(b[o:]))) / 65536 }
	return fixed(p + 5), fixed(p + 1), fixed(p + 9), true
}

// setGPS records a position from a source of the given rank.
func (m *bmff) setGPS(rank int, lat, lng, alt float64, hasAlt bool) {
	if !validGPS(lat, lng) || (m.gpsRank != 0 && m.gpsRank <= rank) {
		return
	}
	m.gpsRank = rank
	in := m.rd.info
	in.HasGPS, in.Lat, in.Lng = true, lat, lng
	in.Alt, in.HasAlt = alt, hasAlt
}

// qtString decodes a QuickTime user data text: 16-bit length, 16-bit
// language, text. Some writers store the text without that header.
func qtString(b []byte) string {
	n := int(binary.BigEndian.Uint16(b[:2]))
	if n > 0 && n <= len(b)-4 {
		return string(b[4 : 4+n])
	}
	return string(b)
}

// movieMeta reads a meta box of a movie: Apple's keys with their ilst
// values (iPhone videos: location, creation date with offset, make and
// model), or an iTunes-style ilst whose items are named by type (©day,
// ©xyz). In udta the meta box is a full box (4 bytes of version and flags
// first); in moov it is not.
func (m *bmff) movieMeta(mb box, full bool) {
	start := mb.start
	if full {
		start += 4
	}
	kids, err := m.children(start, mb.end)
	if err != nil {
		return
	}
	il, ok := find(kids, "ilst")
	if !ok {
		return
	}
	var keys []string
	if kb, ok := find(kids, "keys"); ok {
		keys = m.keyNames(kb)
	}
	items, _ := m.children(il.start, il.end)
	for _, it := range items {
		dk, _ := m.children(it.start, it.end)
		d, ok := find(dk, "data")
		if !ok {
			continue
		}
		v, err := m.rd.readAt(d.start, d.end-d.start, 4096)
		if err != nil || len(v) < 8 {
			continue
		}
		s := string(v[8:])
		idx := int(binary.BigEndian.Uint32([]byte(it.typ)))
		if idx < 1 || idx > len(keys) {
			m.userText(it.typ, s) // an item named by its type
			continue
		}
		switch keys[idx-1] {
		case "com.apple.quicktime.location.ISO6709":
			if lat, lng, alt, hasAlt, ok := parseISO6709(s); ok {
				m.setGPS(gpsAppleKeys, lat, lng, alt, hasAlt)
			}
		case "com.apple.quicktime.creationdate":
			m.rd.appleTime = strings.TrimSpace(s)
		case "com.apple.quicktime.content.identifier":
			m.rd.contentID = liveContentID(s)
		case "com.apple.quicktime.make":
			m.rd.make = cleanText(s)
		case "com.apple.quicktime.model":
			m.rd.model = cleanText(s)
		}
	}
}

// keyNames lists the names of a keys box; item n of ilst refers to key n.
func (m *bmff) keyNames(kb box) []string {
	b, err := m.rd.readAt(kb.start, kb.end-kb.start, 1<<20)
	if err != nil || len(b) < 8 {
		return nil
	}
	n := binary.BigEndian.Uint32(b[4:8])
	var keys []string
	p := 8
	for i := uint32(0); i < n && i < 1024 && p+8 <= len(b); i++ {
		sz := int(binary.BigEndian.Uint32(b[p:]))
		if sz < 8 || p+sz > len(b) {
			break
		}
		keys = append(keys, string(b[p+8:p+sz]))
		p += sz
	}
	return keys
}

// Limits for the GoPro metadata track: only its first sample is read.
const (
	maxGPMFSample = 64 << 10
	maxGPMFItems  = 4096
)

// goProGPS reads the first position of a GoPro GPMF track ("gpmd"): the
// first sample of the track holds a GPS5 (or, from the HERO11, GPS9)
// stream with its SCAL divisors and GPSF fix type. See GoPro's GPMF
// format description (github.com/gopro/gpmf-parser).
func (m *bmff) goProGPS(stbl box) {
	kids, _ := m.children(stbl.start, stbl.end)
	var off, size uint64
	if co, ok := find(kids, "stco"); ok {
		if b, err := m.rd.readAt(co.start, 12, 12); err == nil && binary.BigEndian.Uint32(b[4:8]) > 0 {
			off = uint64(binary.BigEndian.Uint32(b[8:12]))
		}
	} else if co, ok := find(kids, "co64"); ok {
		if b, err := m.rd.readAt(co.start, 16, 16); err == nil && binary.BigEndian.Uint32(b[4:8]) > 0 {
			off = binary.BigEndian.Uint64(b[8:16])
		}
	}
	if sz, ok := find(kids, "stsz"); ok {
		if b, err := m.rd.readAt(sz.start, min(sz.end-sz.start, 16), 16); err == nil && len(b) >= 12 {
			size = uint64(binary.BigEndian.Uint32(b[4:8]))
			if size == 0 && len(b) >= 16 && binary.BigEndian.Uint32(b[8:12]) > 0 {
				size = uint64(binary.BigEndian.Uint32(b[12:16]))
			}
		}
	}
	if off == 0 || size == 0 || off > uint64(m.rd.size) {
		return
	}
	b, err := m.rd.readAt(int64(off), int64(min(size, maxGPMFSample, uint64(m.rd.size)-off)), maxGPMFSample)
	if err != nil {
		return
	}
	if lat, lng, alt, ok := gpmfFirstFix(b); ok {
		m.setGPS(gpsGoPro, lat, lng, alt, true)
	}
}

// gpmfFirstFix walks GPMF key-length-value items: a four-character key,
// a type byte (0 for nested items), the size of one structure, a repeat
// count, then the data padded to four bytes. SCAL and GPSF apply to the
// stream they are in.
func gpmfFirstFix(b []byte) (lat, lng, alt float64, ok bool) {
	items := 0
	var walk func(b []byte, depth int) bool
	walk = func(b []byte, depth int) bool {
		var scal []float64
		fix := -1
		for p := 0; p+8 <= len(b); {
			items++
			if items > maxGPMFItems || depth > 4 {
				return false
			}
			key, typ := string(b[p:p+4]), b[p+4]
			ssize, repeat := int(b[p+5]), int(binary.BigEndian.Uint16(b[p+6:]))
			n := ssize * repeat
			data := p + 8
			if n > len(b)-data {
				return false
			}
			val := b[data : data+n]
			p = data + (n+3)&^3
			switch {
			case typ == 0:
				if walk(val, depth+1) {
					return true
				}
			case key == "SCAL":
				scal = gpmfNumbers(typ, ssize, val)
			case key == "GPSF" && len(val) >= 4:
				fix = int(binary.BigEndian.Uint32(val))
			case (key == "GPS5" || key == "GPS9") && ssize >= 12 && repeat > 0 && fix != 0 && fix != 1:
				// The first three int32 of the first structure are latitude,
				// longitude and altitude, each with its SCAL divisor. GPS9
				// carries its own fix type at byte 30.
				if key == "GPS9" && ssize >= 32 && binary.BigEndian.Uint16(val[30:]) < 2 {
					continue
				}
				div := func(i int) float64 {
					if i < len(scal) && scal[i] != 0 {
						return scal[i]
					}
					if len(scal) == 1 && scal[0] != 0 {
						return scal[0]
					}
					return 1
				}
				v := func(i int) float64 { return float64(int32(binary.BigEndian.Uint32(val[i*4:]))) }
				lat, lng, alt = v(0)/div(0), v(1)/div(1), v(2)/div(2)
				if validGPS(lat, lng) {
					ok = true
					return true
				}
			}
		}
		return false
	}
	walk(b, 0)
	return lat, lng, alt, ok
}

// gpmfNumbers decodes a SCAL value: int16 or int32, signed or not.
func gpmfNumbers(typ byte, ssize int, val []byte) []float64 {
	var out []float64
	switch {
	case (typ == 'l' || typ == 'L') && ssize%4 == 0:
		for i := 0; i+4 <= len(val) && len(out) < 16; i += 4 {
			u := binary.BigEndian.Uint32(val[i:])
			if typ == 'l' {
				out = append(out, float64(int32(u)))
			} else {
				out = append(out, float64(u))
			}
		}
	case (typ == 's' || typ == 'S') && ssize%2 == 0:
		for i := 0; i+2 <= len(val) && len(out) < 16; i += 2 {
			u := binary.BigEndian.Uint16(val[i:])
			if typ == 's' {
				out = append(out, float64(int16(u)))
			} else {
				out = append(out, float64(u))
			}
		}
	}
	return out
}
