package meta_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"pinhole/app/meta"
	"pinhole/app/testkit"
)

var walkStart = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)

func TestReadGPXTrackSegmentsAndRoutes(t *testing.T) {
	a := testkit.GPXLine(walkStart, 10*time.Second, 50, 47.0, 8.0, 0.0001, 0.0002)
	b := testkit.GPXLine(walkStart.Add(time.Hour), 10*time.Second, 20, 47.1, 8.1, 0.0001, 0)
	tr, err := meta.ReadGPX(bytes.NewReader(testkit.GPX("Uetliberg & back", a, b)))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Name != "Uetliberg & back" || len(tr.Segments) != 2 || tr.Points != 70 {
		t.Fatalf("read %q with %d segments, %d points; want the name, 2 segments (lines not joined), 70 points", tr.Name, len(tr.Segments), tr.Points)
	}
	if p := tr.Segments[1][0]; !p.Time.Equal(walkStart.Add(time.Hour)) || p.Time.Location() != time.UTC || math.Abs(p.Lat-47.1) > 1e-7 {
		t.Errorf("second segment starts %+v", p)
	}
	// A time written with an offset is the same instant in UTC.
	off := strings.Replace(string(testkit.GPX("x", a[:1])), "2024-06-01T09:00:00Z", "2024-06-01T11:00:00+02:00", 1)
	tr, err = meta.ReadGPX(strings.NewReader(off))
	if err != nil || !tr.Segments[0][0].Time.Equal(walkStart) {
		t.Errorf("offset time read as %v (%v), want %v", tr.Segments[0][0].Time, err, walkStart)
	}
	// A planned route: a line without times.
	tr, err = meta.ReadGPX(bytes.NewReader(testkit.GPXRoute("Plan", a[:5])))
	if err != nil || tr.Points != 5 || len(tr.Segments) != 1 || !tr.Segments[0][0].Time.IsZero() || tr.Name != "Plan" {
		t.Fatalf("route: %+v, %v", tr, err)
	}
}

// Hostile and broken files give a clear error (or, broken part way, the
// points before the break), never a panic or unbounded memory.
func TestReadGPXHostile(t *testing.T) {
	line := testkit.GPXLine(walkStart, time.Second, 10, 1, 1, 0.001, 0.001)
	good := string(testkit.GPX("t", line))
	deep := `<gpx>` + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + `</gpx>`
	laughs := `<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
		`<gpx><trk><name>&b;</name><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>`
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "no XML"},
		{"not XML", "\x00\x01PK\x03\x04 binary", "not valid XML"},
		{"other XML", `<kml><Document/></kml>`, "root element is <kml>"},
		{"no points", `<gpx version="1.1"><trk><name>x</name></trk></gpx>`, "no track or route points"},
		{"impossible positions", `<gpx><trk><trkseg><trkpt lat="91" lon="0"/><trkpt lat="NaN" lon="1"/><trkpt lon="1"/></trkseg></trk></gpx>`, "all 3 have a missing or impossible position"},
		{"nested deep", deep, "nested over 32 deep"},
		{"entity expansion", laughs, "not valid XML"},
		{"long text", `<gpx><trk><name>` + strings.Repeat("x", 10000) + `</name></trk></gpx>`, "over 4096 bytes"},
		{"other charset", `<?xml version="1.0" encoding="EBCDIC"?><gpx/>`, "not supported"},
	} {
		tr, err := meta.ReadGPX(strings.NewReader(c.in))
		if err == nil || tr != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, %v; want an error saying %q", c.name, tr, err, c.want)
		}
	}

	// Broken part way: the points before the break are kept, and the
	// error says so.
	i := 0
	for range 5 {
		i += strings.Index(good[i+1:], "<trkpt") + 1
	}
	cut := good[:i+20] // inside the fifth point
	tr, err := meta.ReadGPX(strings.NewReader(cut))
	if !errors.Is(err, meta.ErrGPXTruncated) || tr == nil || tr.Points == 0 || tr.Points >= 10 {
		t.Fatalf("truncated file: %v points, %v; want the points before the cut and ErrGPXTruncated", tr, err)
	}
	// Points with a bad position are skipped, the rest kept.
	mixed := strings.Replace(good, `lat="1.0000000"`, `lat="abc"`, 1)
	tr, err = meta.ReadGPX(strings.NewReader(mixed))
	if err != nil || tr.Points != 9 || tr.Skipped != 1 {
		t.Fatalf("one bad point: %+v, %v", tr, err)
	}

	// Too many points: refused once the bound is reached, whatever the
	// rest of the file holds (a stream, never held whole).
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`<gpx><trk><trkseg>`))
		pt := []byte(`<trkpt lat="1" lon="2"/>`)
		for range meta.MaxGPXPoints + 10 {
			if _, err := pw.Write(pt); err != nil {
				return
			}
		}
		pw.Write([]byte(`</trkseg></trk></gpx>`))
		pw.Close()
	}()
	tr, err = meta.ReadGPX(pr)
	pr.Close()
	if !errors.Is(err, meta.ErrGPXTruncated) || !strings.Contains(err.Error(), "split the file") || tr.Points != meta.MaxGPXPoints {
		t.Fatalf("too many points: %v", err)
	}
}

func TestTrackTimelineAt(t *testing.T) {
	// Points a minute apart going north-east, then a 10-minute hole, then
	// on. Segments are read in time order whatever their file order.
	a := testkit.GPXLine(walkStart, time.Minute, 5, 10, 20, 0.01, 0.02)
	b := testkit.GPXLine(walkStart.Add(14*time.Minute), time.Minute, 3, 11, 21, 0, 0)
	tr, err := meta.ReadGPX(bytes.NewReader(testkit.GPX("t", b, a)))
	if err != nil {
		t.Fatal(err)
	}
	tl := meta.NewTrackTimeline(tr.Segments)
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-6 }
	for _, c := range []struct {
		at       time.Duration
		lat, lng float64
		ok       bool
	}{
		{0, 10, 20, true},                       // the first point
		{90 * time.Second, 10.015, 20.03, true}, // half way between the 2nd and 3rd
		{4 * time.Minute, 10.04, 20.08, true},   // the last point of a
		{6 * time.Minute, 0, 0, false},          // in the 10-minute hole
		{15*time.Minute + 30*time.Second, 11, 21, true},
		{-time.Second, 0, 0, false},     // before the track
		{17 * time.Minute, 0, 0, false}, // after it
	} {
		lat, lng, _, ok := tl.At(walkStart.Add(c.at), 5*time.Minute)
		if ok != c.ok || ok && (!near(lat, c.lat) || !near(lng, c.lng)) {
			t.Errorf("at +%v: %v,%v %v; want %v,%v %v", c.at, lat, lng, ok, c.lat, c.lng, c.ok)
		}
	}
	// Across the antimeridian the short way round.
	x := meta.NewTrackTimeline([][]meta.TrackPoint{{{Lat: 0, Lng: 179.9, Time: walkStart}, {Lat: 0, Lng: -179.9, Time: walkStart.Add(time.Minute)}}})
	if _, lng, _, ok := x.At(walkStart.Add(45*time.Second), 5*time.Minute); !ok || !near(lng, -179.95) {
		t.Errorf("across the antimeridian: %v %v, want -179.95", lng, ok)
	}
}

// BenchmarkReadGPX reads a day of one-second logging (86,400 points,
// about 9 MB), as a phone app writes it.
func BenchmarkReadGPX(b *testing.B) {
	data := testkit.GPX("day", testkit.GPXLine(walkStart, time.Second, 86400, 47, 8, 1e-5, 1e-5))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := meta.ReadGPX(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
