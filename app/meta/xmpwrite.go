package meta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SidecarEdits are a photo's edits as Pinhole writes them into an XMP
// sidecar, in the standard namespaces digiKam, Lightroom and exiftool
// read: dc:title and dc:description (language alternatives, x-default),
// dc:subject, xmp:Rating, exif:DateTimeOriginal and photoshop:DateCreated
// (with the zone when known), exif:GPSLatitude/GPSLongitude in XMP's
// "DDD,MM.mmmmmmmmN" form with GPSVersionID and the altitude when known,
// xmp:MetadataDate and xmp:CreatorTool — plus pinhole:Edited, the list
// of fields that are edits, so they come back as edits if the database is
// lost.
type SidecarEdits struct {
	// Fields names the edited fields (FieldTitle…). Only their properties
	// are replaced; a sidecar's other properties are kept.
	Fields EditedFields

	Title, Description string
	Keywords           []string
	Rating             int

	// Taken is the wall-clock time where the photo was taken, in its zone
	// when HasOffset (Taken.Zone gives the offset).
	Taken     time.Time
	HasOffset bool

	// HasGPS false while Fields has FieldLocation: the user removed the
	// position, and the sidecar's is removed too.
	HasGPS        bool
	Lat, Lng, Alt float64
	HasAlt        bool

	// MetadataDate is when these edits are written. CreatorTool ("Pinhole
	// 1.2") is written unless another program's name is already there.
	MetadataDate time.Time
	CreatorTool  string
}

// More namespaces, for keeping other programs' keyword lists in step.
const (
	nsDigiKam = "http://www.digikam.org/ns/1.0/"
	nsMSPhoto = "http://ns.microsoft.com/photo/1.0/"
)

// A new sidecar starts as this packet.
const emptyPacket = "<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
	"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Pinhole\">\n" +
	" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
	" </rdf:RDF>\n" +
	"</x:xmpmeta>\n" +
	"<?xpacket end=\"w\"?>\n"

// UpdateSidecar returns the XMP sidecar old with e written into it: the
// properties of e's fields are replaced wherever they were (attribute or
// element form, in any rdf:Description), and everything else — other
// properties, other namespaces, comments, other languages of the title and
// description — is kept as it was. Other programs' keyword lists
// (digiKam:TagsList, lr:hierarchicalSubject, MicrosoftPhoto:LastKeywordXMP)
// keep the entries whose leaf is still a keyword and gain the new ones, so
// digiKam and Lightroom, which read those first, show the same keywords.
// old may be empty for a new sidecar. A sidecar that does not parse is
// refused rather than overwritten.
func UpdateSidecar(old []byte, e SidecarEdits) ([]byte, error) {
	if len(bytes.TrimSpace(old)) == 0 {
		old = []byte(emptyPacket)
	}
	doc, err := parseXMLTree(old)
	if err != nil {
		return nil, fmt.Errorf("update sidecar: %w", err)
	}
	rdf, scope := findRDF(doc, nil)
	if rdf == nil {
		return nil, errors.New("update sidecar: no rdf:RDF element: not an XMP packet")
	}
	rp := rdf.name.Space // the prefix this file uses for RDF

	// What the sidecar already says that must survive the rewrite.
	about := ""
	creator := ""
	otherLangs := map[string][]langText{}
	for _, d := range rdf.elements() {
		ds := scope.push(d)
		if !ds.is(d.name, nsRDF, "Description") {
			continue
		}
		for _, a := range d.attr {
			switch {
			case ds.isAttr(a.Name, nsRDF, "about") && about == "":
				about = a.Value
			case ds.isAttr(a.Name, nsXMP, "CreatorTool"):
				creator = a.Value
			}
		}
		for _, p := range d.elements() {
			ps := ds.push(p)
			switch {
			case ps.is(p.name, nsXMP, "CreatorTool"):
				creator = strings.TrimSpace(p.innerText())
			case ps.is(p.name, nsDC, "title"):
				otherLangs[FieldTitle] = p.otherLanguages(ps)
			case ps.is(p.name, nsDC, "description"):
				otherLangs[FieldDescription] = p.otherLanguages(ps)
			}
		}
	}
	writeCreator := e.CreatorTool != "" && (creator == "" || strings.HasPrefix(creator, "Pinhole"))

	// The properties this write owns.
	type prop struct{ ns, local string }
	owned := map[prop]bool{{nsXMP, "MetadataDate"}: true, {nsPinhole, "Edited"}: true}
	if writeCreator {
		owned[prop{nsXMP, "CreatorTool"}] = true
	}
	if e.Fields[FieldTitle] {
		owned[prop{nsDC, "title"}] = true
	}
	if e.Fields[FieldDescription] {
		owned[prop{nsDC, "description"}] = true
	}
	if e.Fields[FieldKeywords] {
		owned[prop{nsDC, "subject"}] = true
	}
	if e.Fields[FieldRating] {
		owned[prop{nsXMP, "Rating"}] = true
	}
	if e.Fields[FieldTaken] {
		owned[prop{nsEXIF, "DateTimeOriginal"}] = true
		owned[prop{nsPS, "DateCreated"}] = true
	}
	if e.Fields[FieldLocation] {
		for _, l := range []string{"GPSLatitude", "GPSLongitude", "GPSAltitude", "GPSAltitudeRef", "GPSVersionID"} {
			owned[prop{nsEXIF, l}] = true
		}
	}

	// Take the owned properties out of every description, and drop a
	// description left with nothing in it.
	var kept []*xnode
	for _, d := range rdf.kids {
		if d.kind != nodeElem {
			kept = append(kept, d)
			continue
		}
		ds := scope.push(d)
		if !ds.is(d.name, nsRDF, "Description") {
			kept = append(kept, d)
			continue
		}
		var attrs []xml.Attr
		for _, a := range d.attr {
			n := ds.resolveAttr(a.Name)
			if !owned[prop{n.Space, n.Local}] {
				attrs = append(attrs, a)
			}
		}
		d.attr = attrs
		d.removeChildren(func(p *xnode) bool {
			n := ds.push(p).resolve(p.name)
			return owned[prop{n.Space, n.Local}]
		})
		if e.Fields[FieldKeywords] {
			for _, p := range d.elements() {
				ps := ds.push(p)
				switch {
				case ps.is(p.name, nsDigiKam, "TagsList"), ps.is(p.name, nsMSPhoto, "LastKeywordXMP"):
					p.syncKeywordList(ps, rp, e.Keywords, "/")
				case ps.is(p.name, nsLR, "hierarchicalSubject"):
					p.syncKeywordList(ps, rp, e.Keywords, "|")
				}
			}
		}
		if d.empty(ds) {
			kept = trimTrailingSpace(kept)
			continue
		}
		kept = append(kept, d)
	}
	rdf.kids = kept

	// Our description goes last, declaring the namespaces it uses itself
	// so it cannot clash with the prefixes of the file.
	desc, err := parseXMLTree([]byte(e.description(rp, about, writeCreator, otherLangs)))
	if err != nil {
		return nil, fmt.Errorf("update sidecar: %w", err)
	}
	var tail []*xnode
	if n := len(rdf.kids); n > 0 && rdf.kids[n-1].isSpace() {
		tail = []*xnode{rdf.kids[n-1]} // a copy: appending below reuses the array
		rdf.kids = rdf.kids[:n-1]
	}
	rdf.kids = append(rdf.kids, &xnode{kind: nodeText, text: "\n  "})
	rdf.kids = append(rdf.kids, desc.elements()...)
	if tail == nil {
		tail = []*xnode{{kind: nodeText, text: "\n "}}
	}
	rdf.kids = append(rdf.kids, tail...)

	var out bytes.Buffer
	doc.write(&out)
	return out.Bytes(), nil
}

type langText struct{ lang, text string }

// description renders the rdf:Description holding e's properties, with rp
// as the RDF prefix.
func (e *SidecarEdits) description(rp, about string, creator bool, other map[string][]langText) string {
	var b strings.Builder
	q := func(local string) string { return rp + ":" + local }
	fmt.Fprintf(&b, "<%s %s=\"%s\"\n    xmlns:dc=\"%s\"\n    xmlns:xmp=\"%s\"\n    xmlns:exif=\"%s\"\n    xmlns:photoshop=\"%s\"\n    xmlns:pinhole=\"%s\">\n",
		q("Description"), q("about"), escapeAttr(about), nsDC, nsXMP, nsEXIF, nsPS, nsPinhole)
	simple := func(name, value string) {
		fmt.Fprintf(&b, "   <%s>%s</%s>\n", name, escapeText(value), name)
	}
	list := func(name, kind string, items []string) {
		fmt.Fprintf(&b, "   <%s>\n    <%s>\n", name, q(kind))
		for _, it := range items {
			fmt.Fprintf(&b, "     <%s>%s</%s>\n", q("li"), escapeText(it), q("li"))
		}
		fmt.Fprintf(&b, "    </%s>\n   </%s>\n", q(kind), name)
	}
	langAlt := func(name, field, text string) {
		if text == "" && len(other[field]) == 0 {
			return
		}
		fmt.Fprintf(&b, "   <%s>\n    <%s>\n", name, q("Alt"))
		if text != "" {
			fmt.Fprintf(&b, "     <%s xml:lang=\"x-default\">%s</%s>\n", q("li"), escapeText(text), q("li"))
		}
		for _, o := range other[field] {
			fmt.Fprintf(&b, "     <%s xml:lang=\"%s\">%s</%s>\n", q("li"), escapeAttr(o.lang), escapeText(o.text), q("li"))
		}
		fmt.Fprintf(&b, "    </%s>\n   </%s>\n", q("Alt"), name)
	}
	if e.Fields[FieldTitle] {
		langAlt("dc:title", FieldTitle, strings.TrimSpace(e.Title))
	}
	if e.Fields[FieldDescription] {
		langAlt("dc:description", FieldDescription, e.Description)
	}
	if e.Fields[FieldKeywords] && len(e.Keywords) > 0 {
		list("dc:subject", "Bag", e.Keywords)
	}
	if e.Fields[FieldRating] {
		simple("xmp:Rating", strconv.Itoa(max(-1, min(5, e.Rating))))
	}
	if e.Fields[FieldTaken] && !e.Taken.IsZero() {
		d := xmpDate(e.Taken, e.HasOffset)
		simple("exif:DateTimeOriginal", d)
		simple("photoshop:DateCreated", d)
	}
	if e.Fields[FieldLocation] && e.HasGPS {
		simple("exif:GPSVersionID", "2.3.0.0")
		simple("exif:GPSLatitude", xmpCoordinateText(e.Lat, 'N', 'S'))
		simple("exif:GPSLongitude", xmpCoordinateText(e.Lng, 'E', 'W'))
		if e.HasAlt {
			ref := "0"
			if e.Alt < 0 {
				ref = "1"
			}
			simple("exif:GPSAltitude", fmt.Sprintf("%d/100", int64(math.Round(math.Abs(e.Alt)*100))))
			simple("exif:GPSAltitudeRef", ref)
		}
	}
	if !e.MetadataDate.IsZero() {
		simple("xmp:MetadataDate", e.MetadataDate.UTC().Format("2006-01-02T15:04:05")+"+00:00")
	}
	if creator {
		simple("xmp:CreatorTool", e.CreatorTool)
	}
	var fields []string
	for f := range e.Fields {
		if editable[f] && e.Fields[f] {
			fields = append(fields, f)
		}
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		list("pinhole:Edited", "Bag", fields)
	}
	fmt.Fprintf(&b, "  </%s>", q("Description"))
	return b.String()
}

// xmpDate writes an XMP date: "2019-07-14T10:00:00+02:00", or without the
// offset when the zone is unknown.
func xmpDate(t time.Time, zoned bool) string {
	s := t.Format("2006-01-02T15:04:05")
	if zoned {
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		s += fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
	}
	return s
}

// xmpCoordinateText writes a coordinate in XMP's "DDD,MM.mmmmmmmmK" form;
// eight decimals of a minute keep it to within a millimetre.
func xmpCoordinateText(v float64, pos, neg byte) string {
	ref := pos
	if v < 0 {
		ref, v = neg, -v
	}
	deg := math.Floor(v)
	minutes := (v - deg) * 60
	m := strconv.FormatFloat(minutes, 'f', 8, 64)
	m = strings.TrimRight(m, "0")
	if strings.HasSuffix(m, ".") {
		m += "0"
	}
	return fmt.Sprintf("%d,%s%c", int(deg), m, ref)
}

// An XML tree kept close enough to the file that writing it back changes
// nothing but what was edited: names keep their prefixes as written,
// whitespace, comments and processing instructions stay where they were.
type xnode struct {
	kind int
	name xml.Name // as written: Space is the prefix
	attr []xml.Attr
	kids []*xnode
	text string // character data (unescaped), or raw markup
}

const (
	nodeDoc = iota
	nodeElem
	nodeText
	nodeRaw
)

// parseXMLTree reads a whole document; it refuses what is not well-formed.
func parseXMLTree(b []byte) (*xnode, error) {
	if len(b) > maxXMPBytes {
		return nil, errors.New("xmp packet too large")
	}
	b = bytes.TrimPrefix(utf16ToUTF8(b), []byte("\ufeff"))
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	doc := &xnode{kind: nodeDoc}
	stack := []*xnode{doc}
	for i := 0; ; i++ {
		if i > maxXMPTokens {
			return nil, errors.New("xmp has too many tokens")
		}
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxXMPDepth {
				return nil, errors.New("xmp nested too deep")
			}
			n := &xnode{kind: nodeElem, name: t.Name, attr: append([]xml.Attr(nil), t.Attr...)}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if top.kind != nodeElem || top.name != t.Name {
				return nil, fmt.Errorf("xml: unexpected end element </%s>", qname(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.kids = append(top.kids, &xnode{kind: nodeText, text: string(t)})
		case xml.Comment:
			top.kids = append(top.kids, &xnode{kind: nodeRaw, text: "<!--" + string(t) + "-->"})
		case xml.ProcInst:
			raw := "<?" + t.Target
			if len(t.Inst) > 0 {
				raw += " " + string(t.Inst)
			}
			top.kids = append(top.kids, &xnode{kind: nodeRaw, text: raw + "?>"})
		case xml.Directive:
			top.kids = append(top.kids, &xnode{kind: nodeRaw, text: "<!" + string(t) + ">"})
		}
	}
	if len(stack) != 1 {
		return nil, errors.New("xml: unclosed element")
	}
	return doc, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (n *xnode) write(b *bytes.Buffer) {
	switch n.kind {
	case nodeDoc:
		for _, k := range n.kids {
			k.write(b)
		}
	case nodeText:
		b.WriteString(escapeText(n.text))
	case nodeRaw:
		b.WriteString(n.text)
	case nodeElem:
		b.WriteByte('<')
		b.WriteString(qname(n.name))
		// Many attributes (namespace declarations, properties in
		// attribute form) go one a line, as XMP writers lay them out.
		sep := " "
		if len(n.attr) > 2 {
			sep = "\n    "
		}
		for _, a := range n.attr {
			fmt.Fprintf(b, "%s%s=\"%s\"", sep, qname(a.Name), escapeAttr(a.Value))
		}
		if len(n.kids) == 0 {
			b.WriteString("/>")
			return
		}
		b.WriteByte('>')
		for _, k := range n.kids {
			k.write(b)
		}
		b.WriteString("</" + qname(n.name) + ">")
	}
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }

func (n *xnode) elements() []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.kind == nodeElem {
			out = append(out, k)
		}
	}
	return out
}

func (n *xnode) isSpace() bool { return n.kind == nodeText && strings.TrimSpace(n.text) == "" }

func (n *xnode) innerText() string {
	var b strings.Builder
	for _, k := range n.kids {
		switch k.kind {
		case nodeText:
			b.WriteString(k.text)
		case nodeElem:
			b.WriteString(k.innerText())
		}
	}
	return b.String()
}

// removeChildren drops the child elements drop chooses, with the
// whitespace that indented them.
func (n *xnode) removeChildren(drop func(*xnode) bool) {
	var kept []*xnode
	for _, k := range n.kids {
		if k.kind == nodeElem && drop(k) {
			kept = trimTrailingSpace(kept)
			continue
		}
		kept = append(kept, k)
	}
	n.kids = kept
}

func trimTrailingSpace(list []*xnode) []*xnode {
	if n := len(list); n > 0 && list[n-1].isSpace() {
		return list[:n-1]
	}
	return list
}

// empty reports whether a description holds no property: no child element
// and no attribute but namespace declarations and rdf:about.
func (n *xnode) empty(s nsScope) bool {
	if len(n.elements()) > 0 {
		return false
	}
	for _, a := range n.attr {
		if isXMLNS(a.Name) {
			continue
		}
		if r := s.resolveAttr(a.Name); r.Space == nsRDF {
			continue
		}
		return false
	}
	return true
}

// otherLanguages returns the alternatives of a language-alternative
// property other than x-default.
func (n *xnode) otherLanguages(s nsScope) []langText {
	var out []langText
	var walk func(*xnode, nsScope)
	walk = func(x *xnode, s nsScope) {
		for _, k := range x.elements() {
			ks := s.push(k)
			if ks.is(k.name, nsRDF, "li") {
				for _, a := range k.attr {
					if a.Name.Space == "xml" && a.Name.Local == "lang" && !strings.EqualFold(a.Value, "x-default") {
						if t := strings.TrimSpace(k.innerText()); t != "" {
							out = append(out, langText{a.Value, t})
						}
					}
				}
				continue
			}
			walk(k, ks)
		}
	}
	walk(n, s)
	return out
}

// syncKeywordList keeps a hierarchical keyword list (digiKam's
// "Places/Paris", Lightroom's "Places|Paris") in step with keywords: an
// entry stays when its leaf is still a keyword, and a keyword no entry
// ends in is added as a top-level entry.
func (n *xnode) syncKeywordList(s nsScope, rp string, keywords []string, sep string) {
	want := map[string]bool{}
	for _, k := range keywords {
		want[strings.ToLower(strings.TrimSpace(k))] = true
	}
	for _, arr := range n.elements() {
		as := s.push(arr)
		if !as.is(arr.name, nsRDF, "Bag") && !as.is(arr.name, nsRDF, "Seq") {
			continue
		}
		covered := map[string]bool{}
		indent := "\n     "
		arr.removeChildren(func(li *xnode) bool {
			parts := strings.Split(li.innerText(), sep)
			leaf := strings.ToLower(strings.TrimSpace(parts[len(parts)-1]))
			if want[leaf] {
				covered[leaf] = true
				return false
			}
			return true
		})
		for i, k := range arr.kids {
			if k.kind == nodeElem && i > 0 && arr.kids[i-1].isSpace() {
				indent = arr.kids[i-1].text
			}
		}
		var tail []*xnode
		if m := len(arr.kids); m > 0 && arr.kids[m-1].isSpace() {
			tail = []*xnode{arr.kids[m-1]} // a copy: appending below reuses the array
			arr.kids = arr.kids[:m-1]
		}
		for _, k := range keywords {
			key := strings.ToLower(strings.TrimSpace(k))
			if key == "" || covered[key] {
				continue
			}
			covered[key] = true
			li := &xnode{kind: nodeElem, name: xml.Name{Space: rp, Local: "li"}, kids: []*xnode{{kind: nodeText, text: k}}}
			arr.kids = append(arr.kids, &xnode{kind: nodeText, text: indent}, li)
		}
		arr.kids = append(arr.kids, tail...)
	}
}

// findRDF finds the rdf:RDF element and the namespace scope around it.
func findRDF(n *xnode, s nsScope) (*xnode, nsScope) {
	for _, k := range n.elements() {
		ks := s.push(k)
		if ks.is(k.name, nsRDF, "RDF") {
			return k, ks
		}
		if r, rs := findRDF(k, ks); r != nil {
			return r, rs
		}
	}
	return nil, nil
}

// nsScope is the namespace declarations in force: one map of prefix to URI
// per enclosing element, innermost last.
type nsScope []map[string]string

func isXMLNS(n xml.Name) bool { return n.Space == "xmlns" || n.Space == "" && n.Local == "xmlns" }

// push returns the scope inside element n.
func (s nsScope) push(n *xnode) nsScope {
	var m map[string]string
	for _, a := range n.attr {
		if !isXMLNS(a.Name) {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		if a.Name.Space == "xmlns" {
			m[a.Name.Local] = a.Value
		} else {
			m[""] = a.Value
		}
	}
	if m == nil {
		return s
	}
	return append(s[:len(s):len(s)], m)
}

func (s nsScope) uri(prefix string) string {
	if prefix == "xml" {
		return nsXML
	}
	for i := len(s) - 1; i >= 0; i-- {
		if u, ok := s[i][prefix]; ok {
			return u
		}
	}
	return ""
}

// resolve gives an element name's namespace URI and local name.
func (s nsScope) resolve(n xml.Name) xml.Name { return xml.Name{Space: s.uri(n.Space), Local: n.Local} }

// resolveAttr is resolve for attributes, which have no default namespace.
func (s nsScope) resolveAttr(n xml.Name) xml.Name {
	if n.Space == "" {
		return n
	}
	return s.resolve(n)
}

func (s nsScope) is(n xml.Name, ns, local string) bool {
	r := s.resolve(n)
	return r.Space == ns && r.Local == local
}

func (s nsScope) isAttr(n xml.Name, ns, local string) bool {
	r := s.resolveAttr(n)
	return r.Space == ns && r.Local == local
}
