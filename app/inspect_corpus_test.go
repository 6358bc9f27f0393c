package app_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"sort"
	"strconv"
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
	// got, when set, builds our value from the report instead of r[name].
	got func(r map[string]any) any
	// min is the agreement the field must reach, in percent (default 97).
	min float64
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
		// EXIF first, then maker notes: Composite:ISO is exiftool's reading
		// of Canon's, MakerNotes:ISO of the others (Nikon's as "0 200").
		name:  "ISO",
		want:  expectedISO,
		equal: isoEqual,
		min:   98,
	},
	{
		name:  "FocalLength",
		want:  func(e map[string]any) (any, bool) { return expectedIn(e, "FocalLength", "EXIF", "XMP") },
		equal: relEqual,
	},
	{
		// exiftool's LensModel: EXIF, then the maker notes' lens name
		// (Canon, Olympus, Phase One). Lens type numbers that need
		// exiftool's lens tables (LensID) are not shown.
		name:  "LensModel",
		want:  func(e map[string]any) (any, bool) { return expected(e, "LensModel", "EXIF", "MakerNotes", "XMP") },
		equal: strEqual,
		min:   98,
	},
	{
		// The body's serial number: EXIF's SerialNumber (0xa431), else the
		// maker notes'. Never InternalSerialNumber, which is not the
		// number on the body.
		name:  "SerialNumber",
		want:  func(e map[string]any) (any, bool) { return expected(e, "SerialNumber", "EXIF", "MakerNotes", "XMP") },
		equal: serialEqual,
		min:   98,
	},
	// Codecs, named per container as exiftool names them.
	codecCheck("CompressorID", "QuickTime"),
	codecCheck("AudioFormat", "QuickTime"),
	codecCheck("VideoCodec", "RIFF"),
	// (RIFF's AudioCodec is left out: AVI audio streams name no codec in
	// their handler, which is all exiftool reports there.)
	codecCheck("VideoCodecID", "Matroska"),
	codecCheck("AudioCodecID", "Matroska"),
	codecCheck("VideoStreamType", "M2TS"),
	codecCheck("AudioStreamType", "M2TS"),
	{
		// A video's capture time: Apple's CreationDate with its zone, else
		// the movie header's CreateDate, which exiftool shows as stored
		// (UTC) and Pinhole reads as UTC.
		name:  "video time",
		want:  expectedVideoTime,
		got:   func(r map[string]any) any { return fmt.Sprint(r["DateTimeOriginal"], r["OffsetTimeOriginal"]) },
		equal: strEqual,
		min:   98,
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
	{"exif-py/jpg/exif-org/kodak-dc240.jpg", "ISO", nil, "the Kodak maker note's ISO is 65535, its 'n/a' value"},
	{"exif-py/raw/nikon_z_9_high_efficiency_compressed_dx_cropped_max_overexposed.dng", "ISO", 102400,
		"EXIF ISO 65535 is a full 16-bit field; the maker note's 102400 (exiftool's MakerNotes:ISO) is shown"},
	{"exiftool-t/FLIR.jpg", "LensModel", nil, "exiftool reads it from FLIR's APP1 thermal record, not from EXIF or a maker note"},
	{"exiftool-t/CanonRaw.cr3", "CompressorID", nil, "a still image: codecs are kept for videos only"},
	{"goexif/exif/samples/geodegrees_as_string.jpg", "Make", "HTC",
		"IFD0's Make is empty and the EXIF IFD carries Make = HTC; exiftool reports the empty one, Pinhole the one with a value"},
}

// expectedReadErrors lists corpus files Pinhole may fail to read, and why.
// Every file is read today.
var expectedReadErrors = map[string]string{}

// zeroIsUnknown: cameras write 0 for an exposure value they did not record
// (a manual lens, a scanner); exiftool prints the 0, Pinhole shows nothing.
var zeroIsUnknown = map[string]bool{"ExposureTime": true, "FNumber": true, "ISO": true, "FocalLength": true}

// expectedISO is exiftool's ISO: EXIF's, else XMP's, else the maker
// notes' (Canon's as Composite:ISO). Nikon's maker note writes it as two
// numbers, the first flagging "Hi" modes: the second is the ISO.
func expectedISO(e map[string]any) (any, bool) {
	v, ok := expectedIn(e, "ISO", "EXIF", "XMP", "Composite", "MakerNotes", "SigmaRaw")
	if s, isStr := v.(string); isStr {
		f := strings.Fields(s)
		if len(f) == 2 {
			n, err := strconv.ParseFloat(f[1], 64)
			return n, err == nil
		}
	}
	return v, ok
}

// isoEqual compares with exiftool's value rounded: Canon's computed ISO
// has decimals (64.84), Pinhole stores whole numbers.
func isoEqual(got, want any) bool {
	g, ok1 := toFloat(got)
	w, ok2 := toFloat(want)
	return ok1 && ok2 && g == math.Round(w)
}

// serialEqual compares serial numbers as text; exiftool's JSON turns
// numeric ones into numbers.
func serialEqual(got, want any) bool {
	if w, ok := want.(float64); ok {
		want = strconv.FormatFloat(w, 'f', -1, 64)
	}
	return strEqual(got, want)
}

// codecCheck compares a codec field in the files of one container group.
func codecCheck(tag, group string) fieldCheck {
	return fieldCheck{
		name: tag,
		want: func(e map[string]any) (any, bool) {
			v, ok := e[group+":"+tag]
			if s, isStr := v.(string); isStr && strings.Trim(s, "\x00 ") == "" {
				return nil, false // an empty handler names no codec
			}
			return v, ok
		},
		equal: func(got, want any) bool { return fmt.Sprint(got) == fmt.Sprint(want) },
		min:   98,
	}
}

// expectedVideoTime is exiftool's creation time of a video, with its zone
// when the file has one ("2023:09:22 18:34:05+02:00"); the movie header's
// time is UTC ("+00:00"). A zero header time is no time.
func expectedVideoTime(e map[string]any) (any, bool) {
	if mime, _ := e["File:MIMEType"].(string); !strings.HasPrefix(mime, "video/") {
		return nil, false
	}
	if v, ok := e["QuickTime:CreationDate"].(string); ok && len(v) > 19 {
		return v, true
	}
	if v, ok := e["QuickTime:CreateDate"].(string); ok && !strings.HasPrefix(v, "0000") {
		return v + "+00:00", true
	}
	return nil, false
}

// extraTags are compared with a fresh exiftool run: exiftool.json keeps a
// selection of tags that does not include them.
var extraTags = []string{"SerialNumber", "LensModel", "CompressorID", "AudioFormat", "VideoCodec", "AudioCodec",
	"VideoCodecID", "AudioCodecID", "VideoStreamType", "AudioStreamType", "CreationDate", "CreateDate"}

// exiftoolExtra runs exiftool (the same 12.57 the test dependencies
// install) over the corpus for extraTags, in exiftool.json's form.
func exiftoolExtra(t *testing.T, files []string) map[string]map[string]any {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Fatalf("exiftool not found (make deps-test installs it): %v", err)
	}
	args := []string{"-json", "-n", "-G", "-a", "-q", "-q"}
	for _, tag := range extraTags {
		args = append(args, "-"+tag)
	}
	cmd := exec.Command("exiftool", append(args, files...)...)
	cmd.Dir = corpus.Dir(t)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	var list []map[string]any
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("exiftool output: %v", err)
	}
	m := map[string]map[string]any{}
	for _, e := range list {
		if sf, ok := e["SourceFile"].(string); ok {
			m[sf] = e
		}
	}
	return m
}

// TestInspectAgainstExiftool runs `pinhole inspect` over every corpus file
// in one invocation and compares its fields with exiftool's reading. A
// field counts only for files where exiftool reports it. Every read error
// and every disagreement fails the test unless expectedReadErrors or
// expectedDifferences lists it; the agreement table is printed so a reader
// sees the coverage.
func TestInspectAgainstExiftool(t *testing.T) {
	et := corpus.Exiftool(t)
	files := corpus.Media(t)
	for rel, x := range exiftoolExtra(t, files) {
		for k, v := range x {
			if _, ok := et[rel][k]; !ok && et[rel] != nil {
				et[rel][k] = v
			}
		}
	}
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
			if c.got != nil {
				got = c.got(r)
			}
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
