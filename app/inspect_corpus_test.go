package app_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"pinhole/app/corpus"
)

// sizeGroups is the order in which exiftool's groups are trusted for the
// image size. A container's own header (Composite for RW2 sensor borders,
// SigmaRaw, QuickTime, RIFF, Matroska, PNG) is the real size; File: is the
// JPEG frame; EXIF: is the full-resolution IFD of TIFF-based files. In RAF,
// RW2 and X3F exiftool's File: size comes from the embedded preview, which
// is why the containers come first.
var sizeGroups = []string{"Composite", "SigmaRaw", "QuickTime", "RIFF", "Matroska", "H264", "PNG", "File", "EXIF", "MakerNotes", "APP8", "XMP"}

// expected returns exiftool's value for tag, preferring the groups in
// order, then any other group (sorted, for a stable choice).
func expected(e map[string]any, tag string, groups ...string) (any, bool) {
	for _, g := range groups {
		if v, ok := e[g+":"+tag]; ok {
			return v, true
		}
	}
	var keys []string
	for k := range e {
		if strings.HasSuffix(k, ":"+tag) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return nil, false
	}
	return e[keys[0]], true
}

// expectedIn is like expected without the fallback to other groups: for
// the exposure fields, values decoded from maker notes are out of scope.
func expectedIn(e map[string]any, tag string, groups ...string) (any, bool) {
	for _, g := range groups {
		if v, ok := e[g+":"+tag]; ok {
			return v, true
		}
	}
	return nil, false
}

// expectedAltitude is exiftool's signed altitude; like the position, an
// altitude that comes with a rejected position or is absurd (a wrapped
// negative number) must not be reported.
func expectedAltitude(e map[string]any) (any, bool) {
	v, ok := expected(e, "GPSAltitude", "Composite", "EXIF", "XMP")
	alt, isNum := toFloat(v)
	if !ok || !isNum {
		return nil, false
	}
	if lat, ok := expectedGPS(e, "GPSLatitude"); !ok || lat == rejectedGPS || math.Abs(alt) >= 100000 {
		return rejectedGPS, true
	}
	return alt, true
}

type fieldCheck struct {
	name string
	// want extracts exiftool's value; ok is false when exiftool has none.
	want func(e map[string]any) (any, bool)
	// equal compares our value (the inspect field named name) with exiftool's.
	equal func(got, want any) bool
}

func numEqual(tol float64) func(got, want any) bool {
	return func(got, want any) bool {
		g, ok1 := toFloat(got)
		w, ok2 := toFloat(want)
		return ok1 && ok2 && math.Abs(g-w) <= tol
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case nil:
		return 0, false
	}
	return 0, false
}

// rejectedGPS is the expectation for a position exiftool reports but
// Pinhole must reject (0,0 or out of range): we must report no GPS.
const rejectedGPS = "rejected"

// expectedGPS returns exiftool's signed coordinate. An empty value (the tag
// exists without data) is no value; an invalid position must be rejected.
func expectedGPS(e map[string]any, tag string) (any, bool) {
	lat, ok1 := expected(e, "GPSLatitude", "Composite", "XMP")
	lng, ok2 := expected(e, "GPSLongitude", "Composite", "XMP")
	la, okLat := toFloat(lat)
	lo, okLng := toFloat(lng)
	if !ok1 || !ok2 || !okLat || !okLng {
		if v, ok := expected(e, tag, "Composite", "XMP"); ok && fmt.Sprint(v) != "" {
			return v, true
		}
		return nil, false
	}
	if !validPosition(la, lo) {
		return rejectedGPS, true
	}
	if tag == "GPSLatitude" {
		return la, true
	}
	return lo, true
}

// validPosition is the rule Pinhole applies: (0,0), NaN and out-of-range
// positions are no position.
func validPosition(lat, lng float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lng) || math.Abs(lat) > 90 || math.Abs(lng) > 180 {
		return false
	}
	return !(math.Abs(lat) < 1e-7 && math.Abs(lng) < 1e-7)
}

func gpsEqual(got, want any) bool {
	if want == rejectedGPS {
		return got == nil
	}
	return numEqual(0.0001)(got, want)
}

// relEqual compares numbers to 0.1%, the precision exiftool prints.
func relEqual(got, want any) bool {
	g, ok1 := toFloat(got)
	w, ok2 := toFloat(want)
	return ok1 && ok2 && math.Abs(g-w) <= 0.001*math.Max(math.Abs(w), 1e-9)
}

func strEqual(got, want any) bool {
	return strings.TrimSpace(fmt.Sprint(got)) == strings.TrimSpace(fmt.Sprint(want))
}

var corpusChecks = []fieldCheck{
	{
		name: "DateTimeOriginal",
		want: func(e map[string]any) (any, bool) { return expected(e, "DateTimeOriginal", "EXIF", "XMP", "Composite") },
		equal: func(got, want any) bool {
			w := fmt.Sprint(want)
			if len(w) > 19 {
				w = w[:19]
			}
			return fmt.Sprint(got) == w
		},
	},
	{
		name:  "Make",
		want:  func(e map[string]any) (any, bool) { return expected(e, "Make", "EXIF", "XMP") },
		equal: strEqual,
	},
	{
		name:  "Model",
		want:  func(e map[string]any) (any, bool) { return expected(e, "Model", "EXIF", "XMP") },
		equal: strEqual,
	},
	{
		name:  "Orientation",
		want:  func(e map[string]any) (any, bool) { return expected(e, "Orientation", "EXIF", "XMP") },
		equal: numEqual(0),
	},
	{
		name:  "GPSLatitude",
		want:  func(e map[string]any) (any, bool) { return expectedGPS(e, "GPSLatitude") },
		equal: gpsEqual,
	},
	{
		name:  "GPSLongitude",
		want:  func(e map[string]any) (any, bool) { return expectedGPS(e, "GPSLongitude") },
		equal: gpsEqual,
	},
	{
		name:  "ImageWidth",
		want:  func(e map[string]any) (any, bool) { return expected(e, "ImageWidth", sizeGroups...) },
		equal: numEqual(0),
	},
	{
		name:  "ImageHeight",
		want:  func(e map[string]any) (any, bool) { return expected(e, "ImageHeight", sizeGroups...) },
		equal: numEqual(0),
	},
	{
		name:  "ExposureTime",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "ExposureTime", "EXIF", "XMP") },
		equal: relEqual,
	},
	{
		name:  "FNumber",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "FNumber", "EXIF", "XMP") },
		equal: relEqual,
	},
	{
		name:  "ISO",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "ISO", "EXIF", "XMP") },
		equal: relEqual,
	},
	{
		name:  "FocalLength",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "FocalLength", "EXIF", "XMP") },
		equal: relEqual,
	},
	{
		name:  "LensModel",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "LensModel", "EXIF", "XMP") },
		equal: strEqual,
	},
	{
		name: "GPSAltitude",
		want: expectedAltitude,
		equal: func(got, want any) bool {
			if want == rejectedGPS {
				return got == nil
			}
			return numEqual(0.01)(got, want)
		},
	},
	{
		name:  "MIMEType",
		want:  func(e map[string]any) (any, bool) { return expected(e, "MIMEType", "File") },
		equal: strEqual,
	},
}

// knownDifference is a field on which Pinhole and exiftool disagree for a
// reason, with the value Pinhole gives: any other value fails the test, and
// so does agreement (the entry is then stale and must go).
type knownDifference struct {
	file, field string
	ours        any // what Pinhole prints (nil: nothing)
	why         string
}

// expectedDifferences is every disagreement the test accepts. Nothing is
// tolerated by percentage: a reader that starts failing or panicking on one
// file fails the test.
var expectedDifferences = []knownDifference{
	{"exif-py/jpg/Reconyx_HC500_Hyperfire.jpg", "DateTimeOriginal", nil,
		"exiftool takes it from Reconyx maker notes, which Pinhole does not read"},
	{"exiftool-t/M2TS.mts", "DateTimeOriginal", nil, "AVCHD metadata in the H.264 stream (SEI) is not read"},
	{"exiftool-t/M2TS.mts", "Make", nil, "AVCHD metadata in the H.264 stream (SEI) is not read"},
	{"exiftool-t/M2TS.mts", "ImageWidth", nil, "the H.264 stream's frame size is not read from MPEG-TS"},
	{"exiftool-t/M2TS.mts", "ImageHeight", nil, "the H.264 stream's frame size is not read from MPEG-TS"},
	{"exiftool-t/Pentax.avi", "DateTimeOriginal", "2009:10:27 12:14:34",
		"the file says 2009/10/27 12:14:34 (its Pentax maker notes agree); exiftool's RIFF reading drops the seconds"},
	{"exiftool-t/QuickTime.mov", "Make", nil, "exiftool takes it from Pentax maker notes inside QuickTime, which Pinhole does not read"},
	{"goexif/exif/samples/geodegrees_as_string.jpg", "Make", "HTC",
		"IFD0's Make is empty and the EXIF IFD carries Make = HTC; exiftool reports the empty one, Pinhole the one with a value"},
}

// expectedReadErrors lists corpus files Pinhole may fail to read, and why.
// Every file is read today.
var expectedReadErrors = map[string]string{}

// zeroIsUnknown: cameras write 0 for an exposure value they did not record
// (a manual lens, a scanner); exiftool prints the 0, Pinhole shows nothing.
var zeroIsUnknown = map[string]bool{"ExposureTime": true, "FNumber": true, "ISO": true, "FocalLength": true}

// TestInspectAgainstExiftool runs `pinhole inspect` over every corpus file
// in one invocation and compares its fields with exiftool's reading. A
// field counts only for files where exiftool reports it. Every read error
// and every disagreement fails the test unless expectedReadErrors or
// expectedDifferences lists it; the agreement table is printed so a reader
// sees the coverage.
func TestInspectAgainstExiftool(t *testing.T) {
	et := corpus.Exiftool(t)
	files := corpus.Media(t)
	if len(files) < 250 {
		t.Fatalf("corpus has %d files, expected the full corpus", len(files))
	}
	args := []string{"inspect"}
	for _, rel := range files {
		args = append(args, corpus.Path(t, rel))
	}
	cmd := exec.Command(binary, args...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pinhole inspect: %v", err)
	}
	var reports []map[string]any
	if err := json.Unmarshal(out, &reports); err != nil {
		t.Fatalf("inspect output is not a JSON array: %v", err)
	}
	if len(reports) != len(files) {
		t.Fatalf("inspect printed %d objects for %d files", len(reports), len(files))
	}
	known := map[[2]string]knownDifference{}
	for _, k := range expectedDifferences {
		known[[2]string{k.file, k.field}] = k
	}
	total := map[string]int{}
	agree := map[string]int{}
	readErrs := 0
	for i, rel := range files {
		r := reports[i]
		if r["SourceFile"] != corpus.Path(t, rel) {
			t.Fatalf("object %d is for %v, want %s (argument order)", i, r["SourceFile"], rel)
		}
		if e, ok := r["Error"]; ok {
			readErrs++
			if why, listed := expectedReadErrors[rel]; listed {
				t.Logf("read error %s: %v (expected: %s)", rel, e, why)
			} else {
				t.Errorf("read error %s: %v", rel, e)
			}
		} else if why, listed := expectedReadErrors[rel]; listed {
			t.Errorf("%s is read without error now; remove it from expectedReadErrors (%s)", rel, why)
		}
		e := et[rel]
		for _, c := range corpusChecks {
			want, ok := c.want(e)
			if !ok {
				continue
			}
			total[c.name]++
			got := r[c.name]
			k, listed := known[[2]string{rel, c.name}]
			if c.equal(got, want) || (zeroIsUnknown[c.name] && got == nil && want == 0.0) {
				agree[c.name]++
				if listed {
					t.Errorf("%s %s: ours %v now agrees with exiftool; remove it from expectedDifferences", c.name, rel, got)
				}
				continue
			}
			switch {
			case !listed:
				t.Errorf("%-16s %s: ours %v, exiftool %v", c.name, rel, got, want)
			case fmt.Sprint(got) != fmt.Sprint(k.ours):
				t.Errorf("%-16s %s: ours %v, exiftool %v; expected ours to be %v (%s)", c.name, rel, got, want, k.ours, k.why)
			default:
				t.Logf("known difference %-16s %s: ours %v, exiftool %v: %s", c.name, rel, got, want, k.why)
			}
		}
	}
	t.Logf("%d files, %d with a read error", len(files), readErrs)
	t.Logf("%-18s %6s %6s %8s", "field", "agree", "total", "percent")
	for _, c := range corpusChecks {
		pct := 100 * float64(agree[c.name]) / float64(max(total[c.name], 1))
		t.Logf("%-18s %6d %6d %7.1f%%", c.name, agree[c.name], total[c.name], pct)
		if total[c.name] == 0 {
			t.Errorf("%s: exiftool reports it for no file; the comparison is broken", c.name)
		}
	}
}
