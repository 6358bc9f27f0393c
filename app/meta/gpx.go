package meta

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GPX files are read as a stream of tokens with these bounds, so a huge or
// hostile file costs a bounded amount of memory and time whatever it
// holds: a track logger records a point a second, so 400,000 points are
// four and a half days.
const (
	// MaxGPXBytes is the largest GPX file read.
	MaxGPXBytes = 64 << 20
	// MaxGPXPoints is the most points kept from one file.
	MaxGPXPoints = 400_000
	// maxGPXDepth is how deeply elements may nest (a GPX needs five).
	maxGPXDepth = 32
	// maxGPXText is the longest text of one element (a name, a time).
	maxGPXText = 4096
)

// IsGPX reports whether a file name is a GPX track by its extension.
func IsGPX(name string) bool {
	return len(name) > 4 && strings.EqualFold(name[len(name)-4:], ".gpx")
}

// TrackPoint is one position of a track. Time is zero when the point had
// none (a planned route).
type TrackPoint struct {
	Lat, Lng float64
	Time     time.Time
}

// Track is what a GPX file holds: its tracks' segments and its routes,
// each a line of points in the file's order.
type Track struct {
	Name     string
	Segments [][]TrackPoint
	// Points is the number of points in all segments.
	Points int
	// Skipped counts points with a missing or impossible position.
	Skipped int
}

// ErrGPXTruncated is wrapped by ReadGPX when the file ended early or went
// bad part way: the points before that are kept in the returned track.
var ErrGPXTruncated = errors.New("gpx file ends early")

// ReadGPX reads a GPX 1.0 or 1.1 file: trk/trkseg/trkpt and rte/rtept,
// each segment or route a line. Times are UTC (the GPX schema says so;
// a time with an offset is converted). It fails on anything that is not
// GPX, with no points, or beyond the bounds above; when the XML breaks
// after some points it returns them with an error wrapping
// ErrGPXTruncated.
func ReadGPX(r io.Reader) (*Track, error) {
	dec := xml.NewDecoder(io.LimitReader(r, MaxGPXBytes+1))
	dec.Strict = true
	// No character sets but UTF-8 (and ASCII): the decoder then refuses
	// others instead of guessing.
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if l := strings.ToLower(label); l == "us-ascii" || l == "ascii" {
			return in, nil
		}
		return nil, fmt.Errorf("character set %q not supported", label)
	}
	t := &Track{}
	var (
		stack   []string
		seg     []TrackPoint
		pt      *TrackPoint
		ptOK    bool
		text    strings.Builder
		sawRoot bool
		trkName string
	)
	finishSeg := func() {
		if len(seg) > 0 {
			t.Segments = append(t.Segments, seg)
		}
		seg = nil
	}
	fail := func(err error) (*Track, error) {
		if t.Points > 0 {
			finishSeg()
			return t, fmt.Errorf("%w: %v; kept the %d points before", ErrGPXTruncated, err, t.Points)
		}
		return nil, err
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(fmt.Errorf("not valid XML (line %d): %v", lineOf(dec), shortXMLErr(err)))
		}
		if dec.InputOffset() > MaxGPXBytes {
			return fail(fmt.Errorf("file is over %d MB", MaxGPXBytes>>20))
		}
		switch e := tok.(type) {
		case xml.StartElement:
			name := e.Name.Local
			if len(stack) == 0 {
				if name != "gpx" {
					return nil, fmt.Errorf("not a GPX file: its root element is <%s>", name)
				}
				sawRoot = true
			}
			if len(stack) >= maxGPXDepth {
				return fail(fmt.Errorf("elements nested over %d deep (line %d)", maxGPXDepth, lineOf(dec)))
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, name)
			text.Reset()
			switch {
			case name == "trkseg" && parent == "trk", name == "rte" && parent == "gpx":
				finishSeg()
			case (name == "trkpt" && parent == "trkseg") || (name == "rtept" && parent == "rte"):
				if t.Points >= MaxGPXPoints {
					return fail(fmt.Errorf("over %d points; split the file", MaxGPXPoints))
				}
				pt = &TrackPoint{}
				ptOK = readLatLon(e.Attr, pt)
			}
		case xml.CharData:
			if text.Len()+len(e) > maxGPXText {
				return fail(fmt.Errorf("text of <%s> is over %d bytes (line %d)", stack[len(stack)-1], maxGPXText, lineOf(dec)))
			}
			text.Write(e)
		case xml.EndElement:
			name := e.Name.Local
			stack = stack[:len(stack)-1]
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch {
			case name == "time" && pt != nil && (parent == "trkpt" || parent == "rtept"):
				if tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(text.String())); err == nil {
					pt.Time = tm.UTC()
				} else if tm, err := time.Parse("2006-01-02T15:04:05", strings.TrimSpace(text.String())); err == nil {
					pt.Time = tm // no zone written: UTC, as the schema says
				}
			case name == "name" && (parent == "trk" || parent == "rte") && trkName == "":
				trkName = strings.TrimSpace(text.String())
			case name == "name" && parent == "metadata" && t.Name == "":
				t.Name = strings.TrimSpace(text.String())
			case (name == "trkpt" || name == "rtept") && pt != nil:
				if ptOK {
					seg = append(seg, *pt)
					t.Points++
				} else {
					t.Skipped++
				}
				pt = nil
			case name == "trkseg" || name == "rte":
				finishSeg()
			}
			text.Reset()
		}
	}
	finishSeg()
	if !sawRoot {
		return nil, errors.New("not a GPX file: no XML in it")
	}
	if t.Name == "" {
		t.Name = trkName
	}
	if len(t.Name) > 200 {
		t.Name = t.Name[:200]
	}
	if t.Points == 0 {
		if t.Skipped > 0 {
			return nil, fmt.Errorf("no usable points: all %d have a missing or impossible position", t.Skipped)
		}
		return nil, errors.New("no track or route points in it")
	}
	return t, nil
}

// readLatLon reads a point's lat and lon attributes; false when either is
// missing, not a number or out of range.
func readLatLon(attrs []xml.Attr, p *TrackPoint) bool {
	var haveLat, haveLon bool
	for _, a := range attrs {
		v, err := strconv.ParseFloat(strings.TrimSpace(a.Value), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		switch a.Name.Local {
		case "lat":
			p.Lat, haveLat = v, v >= -90 && v <= 90
		case "lon":
			p.Lng, haveLon = v, v >= -180 && v <= 180
		}
	}
	return haveLat && haveLon
}

func lineOf(dec *xml.Decoder) int {
	line, _ := dec.InputPos()
	return line
}

// shortXMLErr drops the "XML syntax error on line N: " the line is
// already given by.
func shortXMLErr(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// TrackTimeline is a track's timed points in time order, for finding
// where the track was at an instant.
type TrackTimeline []TrackPoint

// NewTrackTimeline collects the timed points of segs in time order.
func NewTrackTimeline(segs [][]TrackPoint) TrackTimeline {
	var tl TrackTimeline
	for _, s := range segs {
		for _, p := range s {
			if !p.Time.IsZero() {
				tl = append(tl, p)
			}
		}
	}
	slices.SortStableFunc(tl, func(a, b TrackPoint) int { return a.Time.Compare(b.Time) })
	return tl
}

// At is where the track was at t: interpolated along the straight line
// between the last point at or before t and the first at or after it,
// only when those two are at most maxGap apart (a longer gap is a lost
// signal or a pause with the logger off, and a guess across it could be
// anywhere). gap is the time between the two points.
func (tl TrackTimeline) At(t time.Time, maxGap time.Duration) (lat, lng float64, gap time.Duration, ok bool) {
	if len(tl) == 0 || t.Before(tl[0].Time) || t.After(tl[len(tl)-1].Time) {
		return 0, 0, 0, false
	}
	// i is the first point after t; the one before it is at or before t.
	i := sort.Search(len(tl), func(i int) bool { return tl[i].Time.After(t) })
	a := tl[i-1]
	if a.Time.Equal(t) || i == len(tl) {
		return a.Lat, a.Lng, 0, true
	}
	b := tl[i]
	gap = b.Time.Sub(a.Time)
	if gap > maxGap {
		return 0, 0, gap, false
	}
	f := float64(t.Sub(a.Time)) / float64(gap)
	dl := b.Lng - a.Lng
	// The short way round across the antimeridian.
	if dl > 180 {
		dl -= 360
	} else if dl < -180 {
		dl += 360
	}
	lng = a.Lng + f*dl
	if lng > 180 {
		lng -= 360
	} else if lng < -180 {
		lng += 360
	}
	return a.Lat + f*(b.Lat-a.Lat), lng, gap, true
}
