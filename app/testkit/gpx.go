package testkit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// GPXPoint is one point of a generated track; a zero Time writes none.
type GPXPoint struct {
	Lat, Lng float64
	Time     time.Time
}

// GPXLine is n points starting at (lat, lng) at start, one every step,
// each dLat and dLng further than the one before: a walk in a straight
// line, where a test knows where the walker was at any instant.
func GPXLine(start time.Time, step time.Duration, n int, lat, lng, dLat, dLng float64) []GPXPoint {
	out := make([]GPXPoint, n)
	for i := range out {
		out[i] = GPXPoint{Lat: lat + float64(i)*dLat, Lng: lng + float64(i)*dLng, Time: start.Add(time.Duration(i) * step)}
	}
	return out
}

// GPX is a GPX 1.1 file of one track named name with a segment for each
// of segs, as a phone app or a handheld GPS writes it.
func GPX(name string, segs ...[]GPXPoint) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<gpx version="1.1" creator="pinhole testkit" xmlns="http://www.topografix.com/GPX/1/1">` + "\n<trk><name>")
	xml.EscapeText(&b, []byte(name))
	b.WriteString("</name>\n")
	for _, s := range segs {
		b.WriteString("<trkseg>\n")
		for _, p := range s {
			fmt.Fprintf(&b, `<trkpt lat="%.7f" lon="%.7f"><ele>34.5</ele>`, p.Lat, p.Lng)
			if !p.Time.IsZero() {
				fmt.Fprintf(&b, "<time>%s</time>", p.Time.UTC().Format(time.RFC3339))
			}
			b.WriteString("</trkpt>\n")
		}
		b.WriteString("</trkseg>\n")
	}
	b.WriteString("</trk>\n</gpx>\n")
	return b.Bytes()
}

// GPXRoute is a GPX 1.1 file of one planned route (rte/rtept, no times).
func GPXRoute(name string, pts []GPXPoint) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>` + "\n" + `<gpx version="1.1" creator="pinhole testkit"><rte><name>`)
	xml.EscapeText(&b, []byte(name))
	b.WriteString("</name>\n")
	for _, p := range pts {
		fmt.Fprintf(&b, `<rtept lat="%.7f" lon="%.7f"/>`+"\n", p.Lat, p.Lng)
	}
	b.WriteString("</rte></gpx>\n")
	return b.Bytes()
}
