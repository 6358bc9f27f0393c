package testkit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
)

// Face is a named face region to write into XMP: a rectangle in fractions
// (0–1) of the picture as stored, X and Y its top-left corner.
type Face struct {
	Name       string
	X, Y, W, H float64
}

// Dialects of face regions FacesXMP writes.
const (
	// MWG is the Metadata Working Group's regions as digiKam writes them:
	// each region an rdf:Description whose fields are attributes.
	MWG = "mwg"
	// MWGElements is the same as Lightroom and exiftool write it: fields
	// as elements of rdf:parseType="Resource" structures.
	MWGElements = "mwg-elements"
	// MP is Microsoft Photo's RegionInfo (Windows Photo Gallery).
	MP = "mp"
)

// Square is a filled rectangle painted over a Photo's picture, in stored
// pixels: a face stand-in whose colour a crop can be checked against.
type Square struct {
	R image.Rectangle
	C color.RGBA
}

// FacesXMP returns an XMP packet (no JPEG wrapping) tagging faces in the
// dialect, for a picture of w×h stored pixels.
func FacesXMP(dialect string, w, h int, faces ...Face) []byte {
	var p bytes.Buffer
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	p.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
	p.WriteString(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	switch dialect {
	case MP:
		p.WriteString("  <rdf:Description rdf:about=\"\" xmlns:MP=\"http://ns.microsoft.com/photo/1.2/\"\n")
		p.WriteString("    xmlns:MPRI=\"http://ns.microsoft.com/photo/1.2/t/RegionInfo#\" xmlns:MPReg=\"http://ns.microsoft.com/photo/1.2/t/Region#\">\n")
		p.WriteString("   <MP:RegionInfo rdf:parseType=\"Resource\">\n    <MPRI:Regions>\n     <rdf:Bag>\n")
		for _, f := range faces {
			fmt.Fprintf(&p, "      <rdf:li MPReg:PersonDisplayName=\"%s\" MPReg:Rectangle=\"%.6f, %.6f, %.6f, %.6f\"/>\n", esc(f.Name), f.X, f.Y, f.W, f.H)
		}
		p.WriteString("     </rdf:Bag>\n    </MPRI:Regions>\n   </MP:RegionInfo>\n")
	default:
		p.WriteString("  <rdf:Description rdf:about=\"\" xmlns:mwg-rs=\"http://www.metadataworkinggroup.com/schemas/regions/\"\n")
		p.WriteString("    xmlns:stDim=\"http://ns.adobe.com/xap/1.0/sType/Dimensions#\" xmlns:stArea=\"http://ns.adobe.com/xmp/sType/Area#\">\n")
		p.WriteString("   <mwg-rs:Regions rdf:parseType=\"Resource\">\n")
		fmt.Fprintf(&p, "    <mwg-rs:AppliedToDimensions stDim:w=\"%d\" stDim:h=\"%d\" stDim:unit=\"pixel\"/>\n", w, h)
		p.WriteString("    <mwg-rs:RegionList>\n     <rdf:Bag>\n")
		for _, f := range faces {
			cx, cy := f.X+f.W/2, f.Y+f.H/2
			if dialect == MWGElements {
				fmt.Fprintf(&p, "      <rdf:li rdf:parseType=\"Resource\">\n       <mwg-rs:Name>%s</mwg-rs:Name>\n       <mwg-rs:Type>Face</mwg-rs:Type>\n", esc(f.Name))
				fmt.Fprintf(&p, "       <mwg-rs:Area rdf:parseType=\"Resource\"><stArea:x>%.6f</stArea:x><stArea:y>%.6f</stArea:y><stArea:w>%.6f</stArea:w><stArea:h>%.6f</stArea:h><stArea:unit>normalized</stArea:unit></mwg-rs:Area>\n      </rdf:li>\n", cx, cy, f.W, f.H)
				continue
			}
			fmt.Fprintf(&p, "      <rdf:li>\n       <rdf:Description mwg-rs:Name=\"%s\" mwg-rs:Type=\"Face\">\n", esc(f.Name))
			fmt.Fprintf(&p, "        <mwg-rs:Area stArea:x=\"%.6f\" stArea:y=\"%.6f\" stArea:w=\"%.6f\" stArea:h=\"%.6f\" stArea:unit=\"normalized\"/>\n       </rdf:Description>\n      </rdf:li>\n", cx, cy, f.W, f.H)
		}
		p.WriteString("     </rdf:Bag>\n    </mwg-rs:RegionList>\n   </mwg-rs:Regions>\n")
	}
	p.WriteString("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return p.Bytes()
}

// XMPSegment wraps an XMP packet as the JPEG APP1 segment that carries it.
func XMPSegment(packet []byte) []byte {
	return APP1(append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...))
}

// paint fills each square of sq on img.
func paint(img *image.RGBA, sq []Square) {
	for _, s := range sq {
		r := s.R.Intersect(img.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetRGBA(x, y, s.C)
			}
		}
	}
}
