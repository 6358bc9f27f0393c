package meta

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Motion photos: a still picture that carries a few seconds of video in
// the same file, as Google's and Samsung's phones write them. The video is
// an ordinary MP4 placed after the picture's own data; what changes between
// the layouts is how the file says where it starts:
//
//   - Google's Motion Photo format (Pixel, and Samsung and others since
//     2021): XMP GCamera:MotionPhoto="1" and a Container:Directory whose
//     items follow the primary picture back to back at the end of the file.
//     The item with Item:Semantic="MotionPhoto" is the video; each item
//     takes Item:Length bytes plus Item:Padding after them, counted from the
//     end of the file.
//   - Google's older Micro Video (MVIMG_*.jpg): GCamera:MicroVideo="1" and
//     GCamera:MicroVideoOffset, the video's distance from the end of the
//     file.
//   - Samsung's trailer: after the picture, data blocks and a directory;
//     the file ends with "SEFH" directory, its length and "SEFT". The block
//     named "MotionPhoto_Data" (type 0x0a30) holds the MP4.
//   - HEIC motion photos keep the video in a top-level "mpvd" box.
//
// Whatever the file claims is checked: the range must lie inside the file,
// start with an MP4 file type box, and hold a movie with a video track.
// The range is recorded (Info.Motion) and served from the original file;
// nothing is copied.

// Motion is the video a motion photo carries inside its file.
type Motion struct {
	Offset int64 `json:"offset"` // where the MP4 starts in the file
	Length int64 `json:"length"` // its size in bytes
	// Layout says which record located it: "container" (GCamera:MotionPhoto
	// with a Container:Directory), "micro_video" (GCamera:MicroVideo),
	// "samsung" (the SEFH/SEFT trailer) or "mpvd" (a HEIC's box).
	Layout     string  `json:"layout"`
	Duration   float64 `json:"duration,omitzero"`    // seconds, from the MP4's movie header
	VideoCodec string  `json:"video_codec,omitzero"` // the MP4's sample entry ("avc1", "hvc1")
	Width      int     `json:"width,omitzero"`       // the video track's size
	Height     int     `json:"height,omitzero"`
}

// Motion layouts, as Motion.Layout names them.
const (
	LayoutContainer  = "container"
	LayoutMicroVideo = "micro_video"
	LayoutSamsung    = "samsung"
	LayoutMPVD       = "mpvd"
)

// XMP namespaces of Google's camera and container records.
const (
	nsGCamera   = "http://ns.google.com/photos/1.0/camera/"
	nsContainer = "http://ns.google.com/photos/1.0/container/"
	nsItem      = "http://ns.google.com/photos/1.0/container/item/"
)

// Limits for the records that locate a motion photo's video.
const (
	maxMotionItems   = 16      // Container:Directory items
	maxMotionTokens  = 20000   // XMP tokens looked at for them
	maxSEFHBytes     = 1 << 16 // the Samsung directory (exiftool's limit too)
	maxSEFEntries    = 256
	maxSEFNameLength = 256
	minMotionBytes   = 32 // an ftyp box and a movie box header at least
)

// motionXMP is what an XMP packet says about a motion photo.
type motionXMP struct {
	motionPhoto bool // GCamera:MotionPhoto = 1
	microVideo  bool // GCamera:MicroVideo = 1
	microOffset string
	items       []motionItem
}

// motionItem is one Container:Directory item.
type motionItem struct {
	semantic, mime  string
	length, padding string // as written; parsed when used
}

// noteMotionXMP keeps the first XMP packet that mentions Google's camera
// or container records, whichever packet wins for the other properties.
func (rd *reading) noteMotionXMP(b []byte) {
	if rd.motion != nil || !bytes.Contains(b, []byte("ns.google.com/photos/1.0/")) {
		return
	}
	if m := parseMotionXMP(utf16ToUTF8(b)); m.motionPhoto || m.microVideo || len(m.items) > 0 {
		rd.motion = &m
	}
}

// parseMotionXMP collects the GCamera flags and the directory items. The
// flags may be attributes or elements; an item's fields may be attributes
// of Container:Item, of an rdf:Description inside it, or elements inside it.
// Prefixes are resolved from the packet's own declarations.
func parseMotionXMP(b []byte) motionXMP {
	var m motionXMP
	if len(b) > maxXMPBytes {
		return m
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	type frame struct {
		name   xml.Name
		text   strings.Builder
		decl   []xml.Attr
		isItem bool
	}
	var stack []*frame
	resolve := func(n xml.Name) xml.Name {
		for i := len(stack) - 1; i >= 0; i-- {
			for _, a := range stack[i].decl {
				if a.Name.Space == "xmlns" && a.Name.Local == n.Space {
					return xml.Name{Space: a.Value, Local: n.Local}
				}
			}
		}
		return n
	}
	inItem := func() *motionItem {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].isItem && len(m.items) > 0 {
				return &m.items[len(m.items)-1]
			}
		}
		return nil
	}
	set := func(n xml.Name, v string, it *motionItem) {
		v = strings.TrimSpace(v)
		switch n.Space {
		case nsGCamera:
			switch n.Local {
			case "MotionPhoto":
				m.motionPhoto = v == "1"
			case "MicroVideo":
				m.microVideo = v == "1"
			case "MicroVideoOffset":
				m.microOffset = v
			}
		case nsItem:
			if it == nil {
				return
			}
			switch n.Local {
			case "Semantic":
				it.semantic = v
			case "Mime":
				it.mime = v
			case "Length":
				it.length = v
			case "Padding":
				it.padding = v
			}
		}
	}
	for i := 0; i < maxMotionTokens; i++ {
		tok, err := dec.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMPDepth {
				return m
			}
			f := &frame{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					f.decl = append(f.decl, a)
				}
			}
			stack = append(stack, f)
			f.name = resolve(t.Name)
			if f.name.Space == nsContainer && f.name.Local == "Item" {
				if len(m.items) >= maxMotionItems {
					return m
				}
				f.isItem = true
				m.items = append(m.items, motionItem{})
			}
			it := inItem()
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" {
					set(resolve(a.Name), a.Value, it)
				}
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			set(f.name, f.text.String(), inItem())
			stack = stack[:len(stack)-1]
		}
	}
	return m
}

// findMotion looks for an embedded video in a still picture, trying each
// record the file has in turn; the first range that checks out wins.
func (rd *reading) findMotion() {
	if rd.info.Kind != KindImage || rd.size < minMotionBytes {
		return
	}
	type candidate struct {
		layout      string
		off, length int64
	}
	var cands []candidate
	if x := rd.motion; x != nil {
		if off, n, ok := containerRange(x.items, rd.size); ok {
			cands = append(cands, candidate{LayoutContainer, off, n})
		}
		if x.microVideo {
			if n, err := strconv.ParseInt(x.microOffset, 10, 64); err == nil && n > 0 && n < rd.size {
				cands = append(cands, candidate{LayoutMicroVideo, rd.size - n, n})
			}
		}
	}
	if off, n, ok := rd.samsungMotion(); ok {
		cands = append(cands, candidate{LayoutSamsung, off, n})
	}
	if rd.info.MIME != "image/jpeg" {
		if off, n, ok := rd.mpvdBox(); ok {
			cands = append(cands, candidate{LayoutMPVD, off, n})
		}
	}
	for _, c := range cands {
		if m, err := rd.checkMotion(c.off, c.length); err == nil {
			m.Layout = c.layout
			rd.info.Motion = m
			return
		}
	}
}

// containerRange finds the MotionPhoto item of a Container:Directory. The
// items after the primary (the first) sit back to back at the end of the
// file, each followed by its padding, so the video's start is found by
// counting back from the end.
func containerRange(items []motionItem, size int64) (off, length int64, ok bool) {
	idx := -1
	for i, it := range items {
		if i > 0 && strings.EqualFold(it.semantic, "MotionPhoto") {
			idx = i
			break
		}
	}
	if idx < 0 {
		return 0, 0, false
	}
	num := func(s string, need bool) (int64, bool) {
		if s == "" {
			return 0, !need
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0 && n <= size
	}
	pos := size
	for j := len(items) - 1; j >= idx; j-- {
		n, ok1 := num(items[j].length, true)
		pad, ok2 := num(items[j].padding, false)
		if !ok1 || !ok2 || n == 0 {
			return 0, 0, false
		}
		pos -= pad + n
		if pos < 0 {
			return 0, 0, false
		}
		length = n
	}
	return pos, length, true
}

// samsungMotion reads Samsung's trailer: the file ends with a directory
// ("SEFH", version, count, then 12-byte entries: type, distance back from
// the directory to the block, block size), the directory's length and
// "SEFT". Each block starts with its type, the length of its name and the
// name; the video block's name is "MotionPhoto_Data" and the MP4 follows it.
func (rd *reading) samsungMotion() (off, length int64, ok bool) {
	if rd.size < 16 {
		return 0, 0, false
	}
	var tail [8]byte
	if _, err := rd.r.ReadAt(tail[:], rd.size-8); err != nil || string(tail[4:]) != "SEFT" {
		return 0, 0, false
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n < 12 || n > maxSEFHBytes || n > rd.size-8 {
		return 0, 0, false
	}
	dirPos := rd.size - 8 - n
	dir, err := rd.readAt(dirPos, n, maxSEFHBytes)
	if err != nil || string(dir[:4]) != "SEFH" {
		return 0, 0, false
	}
	count := int64(binary.LittleEndian.Uint32(dir[8:12]))
	if count > maxSEFEntries || 12+12*count > n {
		return 0, 0, false
	}
	for i := int64(0); i < count; i++ {
		e := dir[12+12*i:]
		typ := binary.LittleEndian.Uint16(e[2:4])
		back := int64(binary.LittleEndian.Uint32(e[4:8]))
		size := int64(binary.LittleEndian.Uint32(e[8:12]))
		if back > dirPos || size > back || size < 8 {
			continue
		}
		start := dirPos - back
		var hdr [8]byte
		if _, err := rd.r.ReadAt(hdr[:], start); err != nil {
			continue
		}
		nameLen := int64(binary.LittleEndian.Uint32(hdr[4:8]))
		if nameLen > maxSEFNameLength || 8+nameLen > size {
			continue
		}
		name, err := rd.readAt(start+8, nameLen, maxSEFNameLength)
		if err != nil {
			continue
		}
		if typ == 0x0a30 || string(name) == "MotionPhoto_Data" {
			return start + 8 + nameLen, size - 8 - nameLen, true
		}
	}
	return 0, 0, false
}

// mpvdBox finds the top-level "mpvd" box of a HEIC motion photo.
func (rd *reading) mpvdBox() (off, length int64, ok bool) {
	m := &bmff{rd: rd}
	top, _ := m.children(0, rd.size)
	if b, found := find(top, "mpvd"); found {
		return b.start, b.end - b.start, true
	}
	return 0, 0, false
}

// checkMotion accepts a range only when it lies inside the file and holds
// an MP4: an ftyp box first, and a movie with a video track.
func (rd *reading) checkMotion(off, length int64) (*Motion, error) {
	if off <= 0 || length < minMotionBytes || off > rd.size || length > rd.size-off {
		return nil, fmt.Errorf("video at %d+%d outside file of %d bytes", off, length, rd.size)
	}
	var hdr [8]byte
	if _, err := rd.r.ReadAt(hdr[:], off); err != nil {
		return nil, fmt.Errorf("read video header: %w", err)
	}
	if string(hdr[4:8]) != "ftyp" {
		return nil, errors.New("no mp4 file type box where the video should start")
	}
	if n := int64(binary.BigEndian.Uint32(hdr[:4])); n < 8 || n > length {
		return nil, errors.New("malformed mp4 file type box")
	}
	sub := &reading{name: rd.name, r: io.NewSectionReader(rd.r, off, length), size: length, info: &Info{}}
	if err := readBMFF(sub); err != nil {
		return nil, fmt.Errorf("read embedded mp4: %w", err)
	}
	v := sub.info
	if v.VideoCodec == "" {
		return nil, errors.New("embedded mp4 has no video track")
	}
	return &Motion{Offset: off, Length: length, Duration: v.Duration, VideoCodec: v.VideoCodec, Width: v.Width, Height: v.Height}, nil
}

// liveContentID accepts an Apple content identifier (a UUID in practice)
// and nothing else: it is compared between files, so it must be plain.
func liveContentID(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "\x00")
	if len(s) < 8 || len(s) > 64 {
		return ""
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return ""
		}
	}
	return s
}
