package demo

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
)

// XMP is what a photo's owner wrote about it, as an Adobe XMP packet.
type XMP struct {
	Title       string   // dc:title
	Description string   // dc:description
	Keywords    []string // dc:subject
	Rating      int      // xmp:Rating 1–5; 0 leaves it out
}

var xmpHeader = []byte("http://ns.adobe.com/xap/1.0/\x00")

// Segment encodes x as a JPEG APP1 segment holding a standard XMP packet.
func (x *XMP) Segment() ([]byte, error) {
	var p bytes.Buffer
	p.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	p.WriteString("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
	p.WriteString(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	p.WriteString("  <rdf:Description rdf:about=\"\"\n")
	p.WriteString("    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n")
	p.WriteString("    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n")
	if x.Rating != 0 {
		fmt.Fprintf(&p, "   <xmp:Rating>%d</xmp:Rating>\n", x.Rating)
	}
	langAlt(&p, "dc:title", x.Title)
	langAlt(&p, "dc:description", x.Description)
	if len(x.Keywords) > 0 {
		p.WriteString("   <dc:subject>\n    <rdf:Bag>\n")
		for _, k := range x.Keywords {
			p.WriteString("     <rdf:li>")
			xmlText(&p, k)
			p.WriteString("</rdf:li>\n")
		}
		p.WriteString("    </rdf:Bag>\n   </dc:subject>\n")
	}
	p.WriteString("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n")
	p.WriteString("<?xpacket end=\"w\"?>")

	n := len(xmpHeader) + p.Len()
	if n > maxSegment-2 {
		return nil, fmt.Errorf("xmp: packet of %d bytes is too large", n)
	}
	seg := make([]byte, 0, 4+n)
	seg = append(seg, 0xFF, 0xE1)
	seg = binary.BigEndian.AppendUint16(seg, uint16(n+2))
	seg = append(seg, xmpHeader...)
	return append(seg, p.Bytes()...), nil
}

// langAlt writes a language alternative with only the default language, the
// form every XMP reader understands.
func langAlt(p *bytes.Buffer, name, text string) {
	if text == "" {
		return
	}
	fmt.Fprintf(p, "   <%s>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">", name)
	xmlText(p, text)
	fmt.Fprintf(p, "</rdf:li>\n    </rdf:Alt>\n   </%s>\n", name)
}

func xmlText(p *bytes.Buffer, s string) {
	// EscapeText only fails when the writer fails; a bytes.Buffer never does.
	_ = xml.EscapeText(p, []byte(s))
}
