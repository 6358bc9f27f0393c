package meta

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// XMP namespaces read here.
const (
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC     = "http://purl.org/dc/elements/1.1/"
	nsXMP    = "http://ns.adobe.com/xap/1.0/"
	nsEXIF   = "http://ns.adobe.com/exif/1.0/"
	nsEXIFEX = "http://cipa.jp/exif/1.0/"
	nsTIFF   = "http://ns.adobe.com/tiff/1.0/"
	nsAUX    = "http://ns.adobe.com/exif/1.0/aux/"
	nsPS     = "http://ns.adobe.com/photoshop/1.0/"
	nsLR     = "http://ns.adobe.com/lightroom/1.0/"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
	// nsPinhole holds what only Pinhole writes: the list of fields a
	// sidecar carries as a user's edits. The .invalid domain can never
	// resolve, as fits a name that is only an identifier.
	nsPinhole = "http://ns.pinhole.invalid/xmp/1.0/"
)

// Limits for XMP: a packet is rarely over a few hundred KB.
const (
	maxXMPBytes  = 2 << 20
	maxXMPTokens = 200000
	maxXMPDepth  = 64
)

// xmpFacts are the XMP properties Pinhole uses.
type xmpFacts struct {
	title, description string
	keywords           []string
	rating             int
	hasRating          bool

	dateTimeOriginal, createDate, dateCreated string // as written

	make, model, lens        string
	serial                   string
	orientation              int
	exposure, fnumber, focal float64
	iso                      int
	lat, lng, alt            float64
	hasGPS, hasAlt           bool

	metadataDate string // xmp:MetadataDate as written
	creatorTool  string
	edited       []string // pinhole:Edited

	regions []Region // named faces (regions.go)
}

// parseXMP reads an XMP packet. Properties may be written as attributes of
// rdf:Description, as elements with text, or as rdf:Bag/Seq/Alt lists; all
// three forms are accepted.
func parseXMP(b []byte) (*xmpFacts, error) {
	if len(b) > maxXMPBytes {
		return nil, errors.New("xmp packet too large")
	}
	props, err := xmpProperties(utf16ToUTF8(b))
	if len(props) == 0 {
		if err == nil {
			err = errors.New("no xmp properties")
		}
		return nil, err
	}
	x := props.facts()
	x.regions = parseRegions(b)
	return x, nil
}

// utf16ToUTF8 converts an XMP packet written in UTF-16 (allowed by the
// spec, and done by some Adobe tools) to UTF-8; other input is returned as is.
func utf16ToUTF8(b []byte) []byte {
	var order binary.ByteOrder
	switch {
	case len(b) < 4:
		return b
	case b[0] == 0xfe && b[1] == 0xff, b[0] == 0 && b[1] == '<':
		order = binary.BigEndian
	case b[0] == 0xff && b[1] == 0xfe, b[0] == '<' && b[1] == 0:
		order = binary.LittleEndian
	default:
		return b
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, order.Uint16(b[i:]))
	}
	return []byte(strings.TrimPrefix(string(utf16.Decode(u)), "\ufeff"))
}

// xmpProps maps "namespace local" to the property's values in order.
type xmpProps map[string][]string

type xmpFrame struct {
	name     xml.Name
	text     strings.Builder
	values   []string
	isLI     bool
	xDefault bool
}

// xmpProperties collects every simple property, list item and attribute.
// It uses RawToken and resolves namespace prefixes itself, which is much
// cheaper than the decoder's own resolution and checks.
func xmpProperties(b []byte) (xmpProps, error) {
	props := xmpProps{}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var stack []*xmpFrame
	var scopes [][]xml.Attr // xmlns declarations per open element
	resolve := func(n xml.Name) xml.Name {
		if n.Space == "xml" {
			return xml.Name{Space: nsXML, Local: n.Local}
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			for _, a := range scopes[i] {
				if (a.Name.Space == "xmlns" && a.Name.Local == n.Space) || (n.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns") {
					return xml.Name{Space: a.Value, Local: n.Local}
				}
			}
		}
		return n
	}
	set := func(n xml.Name, vals []string) {
		k := n.Space + " " + n.Local
		if _, ok := props[k]; !ok && len(vals) > 0 {
			props[k] = vals
		}
	}
	for i := 0; i < maxXMPTokens; i++ {
		tok, err := dec.RawToken()
		if err != nil {
			if err == io.EOF {
				return props, nil
			}
			return props, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMPDepth {
				return props, errors.New("xmp nested too deep")
			}
			var decl []xml.Attr
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					decl = append(decl, a)
				}
			}
			scopes = append(scopes, decl)
			name := resolve(t.Name)
			f := &xmpFrame{name: name, isLI: name.Space == nsRDF && name.Local == "li"}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				an := resolve(a.Name)
				switch {
				case an.Space == nsXML && an.Local == "lang":
					f.xDefault = a.Value == "x-default"
				case an.Space == nsRDF || an.Space == "":
				default:
					set(an, []string{a.Value})
				}
			}
			stack = append(stack, f)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			scopes = scopes[:len(scopes)-1]
			text := strings.TrimSpace(f.text.String())
			if f.isLI {
				// A list item belongs to the nearest enclosing property.
				for j := len(stack) - 1; j >= 0; j-- {
					p := stack[j]
					if p.name.Space == nsRDF {
						continue
					}
					if text != "" {
						if f.xDefault {
							p.values = append([]string{text}, p.values...)
						} else {
							p.values = append(p.values, text)
						}
					}
					break
				}
				continue
			}
			if f.name.Space == nsRDF || f.name.Space == "adobe:ns:meta/" {
				continue
			}
			if len(f.values) == 0 && text != "" {
				f.values = []string{text}
			}
			set(f.name, f.values)
		}
	}
	return props, errors.New("xmp has too many tokens")
}

func (p xmpProps) first(ns, local string) string {
	if v := p[ns+" "+local]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

func (p xmpProps) facts() *xmpFacts {
	x := &xmpFacts{
		title:            p.first(nsDC, "title"),
		description:      p.first(nsDC, "description"),
		dateTimeOriginal: p.first(nsEXIF, "DateTimeOriginal"),
		createDate:       p.first(nsXMP, "CreateDate"),
		dateCreated:      p.first(nsPS, "DateCreated"),
		make:             cleanText(p.first(nsTIFF, "Make")),
		model:            cleanText(p.first(nsTIFF, "Model")),
		lens:             cleanText(firstNonEmpty(p.first(nsEXIFEX, "LensModel"), p.first(nsAUX, "Lens"))),
		serial:           cleanText(firstNonEmpty(p.first(nsEXIFEX, "BodySerialNumber"), p.first(nsAUX, "SerialNumber"))),
		metadataDate:     p.first(nsXMP, "MetadataDate"),
		creatorTool:      cleanText(p.first(nsXMP, "CreatorTool")),
	}
	for _, f := range p[nsPinhole+" Edited"] {
		if f = strings.TrimSpace(f); f != "" && len(x.edited) < 16 {
			x.edited = appendUnique(x.edited, f)
		}
	}
	for _, k := range p[nsDC+" subject"] {
		if k = strings.TrimSpace(k); k != "" {
			x.keywords = appendUnique(x.keywords, k)
		}
	}
	if len(x.keywords) == 0 {
		// Lightroom's hierarchy "Places|Europe|Paris": the leaf is the keyword.
		for _, k := range p[nsLR+" hierarchicalSubject"] {
			parts := strings.Split(k, "|")
			if leaf := strings.TrimSpace(parts[len(parts)-1]); leaf != "" {
				x.keywords = appendUnique(x.keywords, leaf)
			}
		}
	}
	if s := p.first(nsXMP, "Rating"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= -1 && f <= 5 {
			x.rating, x.hasRating = int(math.Round(f)), true
		}
	}
	// Windows' MicrosoftPhoto:Rating is a percent (exiftool's
	// XMP-microsoft:RatingPercent), read when xmp:Rating is absent. Windows
	// names the namespace with a final slash, exiftool without.
	for _, ns := range []string{nsMSPhoto, strings.TrimSuffix(nsMSPhoto, "/")} {
		s := p.first(ns, "Rating")
		if s == "" || x.hasRating {
			continue
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 100 {
			x.rating, x.hasRating = starsOfPercent(int(math.Round(f))), true
		}
	}
	if s := p.first(nsTIFF, "Orientation"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 8 {
			x.orientation = n
		}
	}
	x.exposure = xmpRational(p.first(nsEXIF, "ExposureTime"))
	x.fnumber = xmpRational(p.first(nsEXIF, "FNumber"))
	x.focal = xmpRational(p.first(nsEXIF, "FocalLength"))
	for _, s := range []string{p.first(nsEXIFEX, "PhotographicSensitivity"), p.first(nsEXIF, "ISOSpeedRatings")} {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			x.iso = n
			break
		}
	}
	lat, ok1 := xmpCoordinate(p.first(nsEXIF, "GPSLatitude"))
	lng, ok2 := xmpCoordinate(p.first(nsEXIF, "GPSLongitude"))
	if ok1 && ok2 && validGPS(lat, lng) {
		x.lat, x.lng, x.hasGPS = lat, lng, true
		if s := p.first(nsEXIF, "GPSAltitude"); s != "" {
			alt := xmpRational(s)
			if p.first(nsEXIF, "GPSAltitudeRef") == "1" {
				alt = -alt
			}
			if s == "0" || alt != 0 {
				x.alt, x.hasAlt = alt, true
			}
		}
	}
	return x
}

// xmpRational parses "1/60", "2.8" or "28/10".
func xmpRational(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if n, d, ok := strings.Cut(s, "/"); ok {
		a, err1 := strconv.ParseFloat(n, 64)
		b, err2 := strconv.ParseFloat(d, 64)
		if err1 != nil || err2 != nil || b == 0 {
			return 0
		}
		return a / b
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// xmpCoordinate parses XMP's GPS form "DDD,MM.mmk" or "DDD,MM,SSk" where k
// is N, S, E or W.
func xmpCoordinate(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, false
	}
	ref := s[len(s)-1]
	sign := 1.0
	switch ref {
	case 'N', 'E', 'n', 'e':
	case 'S', 'W', 's', 'w':
		sign = -1
	default:
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	parts := strings.Split(s[:len(s)-1], ",")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var v float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || f < 0 {
			return 0, false
		}
		v += f / math.Pow(60, float64(i))
	}
	return sign * v, true
}

// splitXMPDate turns an XMP/ISO 8601 date ("2005-08-03T18:59:18.00-04:00",
// "2013-07-05T03:18:27Z", "2012-04-16", "2019-01-31T14:22:33+0100") into
// exiftool's "YYYY:MM:DD hh:mm:ss" and an offset ("" when none).
func splitXMPDate(s string) (raw, offset string) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return s, ""
	}
	date := strings.NewReplacer("-", ":").Replace(s[:10])
	rest := s[10:]
	clock := "00:00:00"
	if len(rest) > 0 && (rest[0] == 'T' || rest[0] == ' ') {
		rest = rest[1:]
		n := 0
		for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == ':') {
			n++
		}
		c := rest[:n]
		rest = rest[n:]
		switch len(c) {
		case 5:
			clock = c + ":00"
		case 8:
			clock = c
		default:
			return s, ""
		}
		if len(rest) > 0 && rest[0] == '.' {
			k := 1
			for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
				k++
			}
			rest = rest[k:]
		}
		offset = strings.TrimSpace(rest)
	}
	return date + " " + clock, offset
}

// ReadSidecar reads a standalone .xmp sidecar file: title, description,
// keywords, rating, and dates, camera and GPS when the sidecar has them.
// A Google Takeout .json is read by ReadTakeout.
func ReadSidecar(path string) (*Info, error) {
	if IsTakeoutJSON(path) {
		return ReadTakeout(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read sidecar: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read sidecar: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxXMPBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read sidecar: %w", err)
	}
	return sidecarFrom(b, filepath.Base(path), st.ModTime())
}

func sidecarFrom(b []byte, name string, mtime time.Time) (info *Info, err error) {
	rd := &reading{name: name, info: &Info{}}
	rd.setMIME("application/rdf+xml")
	defer func() {
		if p := recover(); p != nil {
			info, err = rd.info, fmt.Errorf("read xmp: %w: %v", ErrParserPanic, p)
		}
	}()
	x, err := parseXMP(b)
	if err != nil {
		rd.finish(mtime)
		return rd.info, fmt.Errorf("read xmp: %w", err)
	}
	rd.xmp = x
	rd.finish(mtime)
	rd.info.MetadataDate = xmpInstant(x.metadataDate)
	rd.info.CreatorTool = x.creatorTool
	for _, f := range x.edited {
		if editable[f] {
			rd.info.EditedFields = append(rd.info.EditedFields, f)
		}
	}
	return rd.info, nil
}

// xmpInstant parses an XMP date as an instant; one without a zone is taken
// as UTC. The zero time when it does not parse.
func xmpInstant(s string) time.Time {
	raw, off := splitXMPDate(s)
	t, ok := parseExifTime(raw)
	if !ok || !plausibleYear(t.Year()) {
		return time.Time{}
	}
	if o, ok := parseOffset(off); ok {
		t = t.Add(-time.Duration(o) * time.Second)
	}
	return t.UTC()
}
