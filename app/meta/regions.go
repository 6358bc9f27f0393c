package meta

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Namespaces of the two face-region dialects read here.
const (
	nsMWGRS  = "http://www.metadataworkinggroup.com/schemas/regions/"
	nsStArea = "http://ns.adobe.com/xmp/sType/Area#"
	nsStDim  = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
	nsMP     = "http://ns.microsoft.com/photo/1.2/"
	nsMPRI   = "http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
	nsMPReg  = "http://ns.microsoft.com/photo/1.2/t/Region#"
)

// Limits on regions: a group photo has dozens of faces, never thousands.
const (
	maxRegions    = 64
	maxRegionName = 200
)

// Region is a named face in a picture, as a file's XMP tags it: the
// Metadata Working Group's regions (mwg-rs, written by Lightroom, digiKam,
// Picasa and Apple Photos exports) or Microsoft Photo's (MP:RegionInfo,
// Windows Photo Gallery). X, Y, W and H are fractions (0–1) of the picture
// as stored in the file, before its orientation turns it — the MWG
// guidance's convention, which Lightroom and digiKam follow — with X, Y
// the top-left corner. DisplayRect turns it as the picture is shown.
type Region struct {
	Name string  `json:"name"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
}

// DisplayRect is r as the picture is shown after EXIF orientation o
// (1–8; anything else is taken as 1).
func (r Region) DisplayRect(o int) Region {
	x, y, w, h := r.X, r.Y, r.W, r.H
	switch o {
	case 2: // mirrored left–right
		x = 1 - x - w
	case 3: // turned 180°
		x, y = 1-x-w, 1-y-h
	case 4: // mirrored top–bottom
		y = 1 - y - h
	case 5: // transposed: stored (x, y) shows at (y, x)
		x, y, w, h = y, x, h, w
	case 6: // turned 90° clockwise: stored (x, y) shows at (1-y, x)
		x, y, w, h = 1-y-h, x, h, w
	case 7: // transverse: stored (x, y) shows at (1-y, 1-x)
		x, y, w, h = 1-y-h, 1-x-w, h, w
	case 8: // turned 90° counter-clockwise: stored (x, y) shows at (y, 1-x)
		x, y, w, h = y, 1-x-w, h, w
	}
	return Region{Name: r.Name, X: x, Y: y, W: w, H: h}
}

// regionHints are byte strings without which a packet has no regions:
// most packets have none, and are not decoded a second time.
var regionHints = [][]byte{[]byte(nsMWGRS), []byte(nsMPRI)}

// parseRegions reads the named face regions of an XMP packet, in both
// dialects. MWG regions are preferred; Microsoft Photo's are read only
// when the packet has no MWG face (digiKam writes both for the same
// faces). Regions without a name, of another type than Face, or whose
// rectangle is not inside the picture are left out.
func parseRegions(b []byte) []Region {
	b = utf16ToUTF8(b)
	hinted := false
	for _, h := range regionHints {
		if bytes.Contains(b, h) {
			hinted = true
		}
	}
	if !hinted {
		return nil
	}
	mwg, mp := regionStructs(b)
	var out []Region
	for _, s := range mwg {
		if t := s[nsMWGRS+" Type"]; t != "" && !strings.EqualFold(t, "Face") {
			continue
		}
		if u := s[nsStArea+" unit"]; u != "" && u != "normalized" {
			continue
		}
		w, h := regionNumber(s[nsStArea+" w"]), regionNumber(s[nsStArea+" h"])
		// stArea's x and y are the centre of the area.
		r := Region{
			Name: regionName(s[nsMWGRS+" Name"]),
			X:    regionNumber(s[nsStArea+" x"]) - w/2, Y: regionNumber(s[nsStArea+" y"]) - h/2, W: w, H: h,
		}
		if ok := r.valid(); ok && len(out) < maxRegions {
			out = append(out, r)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range mp {
		parts := strings.Split(s[nsMPReg+" Rectangle"], ",")
		if len(parts) != 4 {
			continue
		}
		r := Region{
			Name: regionName(s[nsMPReg+" PersonDisplayName"]),
			X:    regionNumber(parts[0]), Y: regionNumber(parts[1]), W: regionNumber(parts[2]), H: regionNumber(parts[3]),
		}
		if r.valid() && len(out) < maxRegions {
			out = append(out, r)
		}
	}
	return out
}

// valid reports whether r has a name and a rectangle inside the picture
// (a rounding error of 1% past an edge is clamped away).
func (r *Region) valid() bool {
	if r.Name == "" {
		return false
	}
	for _, v := range []float64{r.X, r.Y, r.W, r.H} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	const slack = 0.01
	if r.W <= 0 || r.H <= 0 || r.X < -slack || r.Y < -slack || r.X+r.W > 1+slack || r.Y+r.H > 1+slack {
		return false
	}
	r.X, r.Y = math.Max(r.X, 0), math.Max(r.Y, 0)
	r.W, r.H = math.Min(r.W, 1-r.X), math.Min(r.H, 1-r.Y)
	return true
}

func regionNumber(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// regionName is a region's name with whitespace runs made one space and
// control characters dropped; "" when it is too long to be a name.
func regionName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = cleanText(strings.Join(strings.Fields(s), " "))
	if len(s) > maxRegionName {
		return ""
	}
	return s
}

// regionStructs collects the fields of each region structure: every
// rdf:li inside mwg-rs:RegionList (MWG) or MPRI:Regions (Microsoft), as a
// map from "namespace local" to text. Fields may be attributes or
// elements at any depth inside the item (mwg-rs:Area is a nested
// structure, written either way), so the item's whole subtree is flattened.
func regionStructs(b []byte) (mwg, mp []map[string]string) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var names []xml.Name    // resolved names of the open elements
	var scopes [][]xml.Attr // xmlns declarations per open element
	var texts []*strings.Builder
	resolve := func(n xml.Name) xml.Name {
		for i := len(scopes) - 1; i >= 0; i-- {
			for _, a := range scopes[i] {
				if (a.Name.Space == "xmlns" && a.Name.Local == n.Space) || (n.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns") {
					return xml.Name{Space: a.Value, Local: n.Local}
				}
			}
		}
		return n
	}
	var cur map[string]string // the open region item, if any
	curDepth := -1
	curMP := false
	for i := 0; i < maxXMPTokens; i++ {
		tok, err := dec.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(names) >= maxXMPDepth {
				return mwg, mp
			}
			var decl []xml.Attr
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					decl = append(decl, a)
				}
			}
			scopes = append(scopes, decl)
			n := resolve(t.Name)
			if cur == nil && n.Space == nsRDF && n.Local == "li" {
				// An item of a region list: its list is inside the
				// property two levels up (property > rdf:Bag > rdf:li).
				if k := len(names) - 2; k >= 0 {
					p := names[k]
					if (p.Space == nsMWGRS && p.Local == "RegionList") || (p.Space == nsMPRI && p.Local == "Regions") {
						cur, curDepth, curMP = map[string]string{}, len(names), p.Space == nsMPRI
					}
				}
			}
			names = append(names, n)
			texts = append(texts, &strings.Builder{})
			if cur != nil {
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
						continue
					}
					an := resolve(a.Name)
					if an.Space != nsRDF && an.Space != "" {
						cur[an.Space+" "+an.Local] = a.Value
					}
				}
			}
		case xml.CharData:
			if cur != nil && len(texts) > 0 && texts[len(texts)-1].Len() < 4096 {
				texts[len(texts)-1].Write(t)
			}
		case xml.EndElement:
			if len(names) == 0 {
				continue
			}
			n := names[len(names)-1]
			text := strings.TrimSpace(texts[len(texts)-1].String())
			names, texts, scopes = names[:len(names)-1], texts[:len(texts)-1], scopes[:len(scopes)-1]
			if cur == nil {
				continue
			}
			if len(names) == curDepth {
				if curMP {
					mp = append(mp, cur)
				} else {
					mwg = append(mwg, cur)
				}
				cur, curDepth = nil, -1
				if len(mwg)+len(mp) > 4*maxRegions {
					return mwg, mp
				}
				continue
			}
			if text != "" && n.Space != nsRDF {
				if _, ok := cur[n.Space+" "+n.Local]; !ok {
					cur[n.Space+" "+n.Local] = text
				}
			}
		}
	}
	return mwg, mp
}
