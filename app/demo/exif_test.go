package demo_test

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"

	"pinhole/app/demo"
	"pinhole/app/testkit"
)

func TestExifRoundTrip(t *testing.T) {
	lisbon := time.FixedZone("", 1*3600)
	sydney := time.FixedZone("", 11*3600)
	vancouver := time.FixedZone("", -7*3600)
	cases := []struct {
		name string
		exif demo.Exif
		xmp  *demo.XMP
	}{
		{"big-endian north-west", demo.Exif{
			Make: "NIKON CORPORATION", Model: "NIKON D90", Software: "Pinhole demo", Orientation: 1,
			Taken: time.Date(2009, 7, 14, 18, 3, 27, 0, lisbon), WithOffset: true,
			ExposureTime: demo.Rational{1, 250}, FNumber: demo.Rational{80, 10}, ISO: 200,
			FocalLength: demo.Rational{35, 1}, LensModel: "18.0-105.0 mm f/3.5-5.6",
			Width: 64, Height: 48,
			GPS: &demo.GPS{Lat: 38.7223456, Lng: -9.1393012, Alt: 57.3},
		}, &demo.XMP{Title: "Tram 28 & the <hill>", Description: "Alfama at dusk", Keywords: []string{"Lisbon", "Portugal", "tram"}, Rating: 4}},
		{"little-endian south-east, rotated", demo.Exif{
			LittleEndian: true,
			Make:         "Apple", Model: "iPhone 12 Pro", Software: "Pinhole demo", Orientation: 6,
			Taken: time.Date(2022, 1, 2, 6, 59, 59, 0, sydney), WithOffset: true,
			ExposureTime: demo.Rational{1, 1200}, FNumber: demo.Rational{16, 10}, ISO: 32,
			FocalLength: demo.Rational{42, 10}, LensModel: "iPhone 12 Pro back triple camera 4.2mm f/1.6",
			Width: 64, Height: 48,
			GPS: &demo.GPS{Lat: -33.8567844, Lng: 151.2152967, Alt: -2.5},
		}, nil},
		{"no offset, no gps", demo.Exif{
			LittleEndian: true,
			Make:         "Canon", Model: "Canon EOS 5D Mark II", Orientation: 8,
			Taken:        time.Date(2010, 12, 24, 20, 15, 0, 0, vancouver),
			ExposureTime: demo.Rational{1, 60}, FNumber: demo.Rational{4, 1}, ISO: 1600,
			FocalLength: demo.Rational{24, 1},
			Width:       64, Height: 48,
		}, &demo.XMP{Keywords: []string{"Christmas"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seg, err := tc.exif.Segment()
			if err != nil {
				t.Fatal(err)
			}
			segs := [][]byte{seg}
			if tc.xmp != nil {
				xs, err := tc.xmp.Segment()
				if err != nil {
					t.Fatal(err)
				}
				segs = append(segs, xs)
			}
			file, err := testkit.InsertSegments(testkit.JPEG(testkit.Photo{W: 64, H: 48}), segs...)
			if err != nil {
				t.Fatal(err)
			}
			if cfg, err := jpeg.DecodeConfig(bytes.NewReader(file)); err != nil || cfg.Width != 64 || cfg.Height != 48 {
				t.Fatalf("file no longer decodes as a 64x48 JPEG: %v %+v", err, cfg)
			}
			checkGoexif(t, file, &tc.exif)
			path := filepath.Join(t.TempDir(), "x.jpg")
			if err := os.WriteFile(path, file, 0o644); err != nil {
				t.Fatal(err)
			}
			checkExiftool(t, path, &tc.exif, tc.xmp)
		})
	}
}

// checkGoexif reads file with the library app/meta uses and compares every
// tag with what was written.
func checkGoexif(t *testing.T, file []byte, want *demo.Exif) {
	t.Helper()
	x, err := exif.Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("goexif: %v", err)
	}
	str := func(name exif.FieldName) string {
		tag, err := x.Get(name)
		if err != nil {
			return ""
		}
		s, _ := tag.StringVal()
		return s
	}
	num := func(name exif.FieldName) float64 {
		tag, err := x.Get(name)
		if err != nil {
			return 0
		}
		if tag.Format() == tiff.RatVal {
			n, d, _ := tag.Rat2(0)
			return float64(n) / float64(d)
		}
		v, _ := tag.Int64(0)
		return float64(v)
	}
	stamp := want.Taken.Format("2006:01:02 15:04:05")
	for _, c := range []struct {
		name      exif.FieldName
		got, want string
	}{
		{exif.Make, str(exif.Make), want.Make},
		{exif.Model, str(exif.Model), want.Model},
		{exif.Software, str(exif.Software), want.Software},
		{exif.DateTime, str(exif.DateTime), stamp},
		{exif.DateTimeOriginal, str(exif.DateTimeOriginal), stamp},
		{exif.DateTimeDigitized, str(exif.DateTimeDigitized), stamp},
		{exif.LensModel, str(exif.LensModel), want.LensModel},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	for _, c := range []struct {
		name      exif.FieldName
		got, want float64
	}{
		{exif.Orientation, num(exif.Orientation), float64(want.Orientation)},
		{exif.ExposureTime, num(exif.ExposureTime), ratio(want.ExposureTime)},
		{exif.FNumber, num(exif.FNumber), ratio(want.FNumber)},
		{exif.ISOSpeedRatings, num(exif.ISOSpeedRatings), float64(want.ISO)},
		{exif.FocalLength, num(exif.FocalLength), ratio(want.FocalLength)},
		{exif.PixelXDimension, num(exif.PixelXDimension), float64(want.Width)},
		{exif.PixelYDimension, num(exif.PixelYDimension), float64(want.Height)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// goexif has no name for the Exif 2.31 offset tags, so read the Exif
	// IFD directly, the way a reader built on goexif has to.
	offset := exifIFDTag(t, x, 0x9011)
	wantOffset := ""
	if want.WithOffset {
		wantOffset = want.Taken.Format("-07:00")
	}
	if offset != wantOffset {
		t.Errorf("OffsetTimeOriginal = %q, want %q", offset, wantOffset)
	}

	lat, lng, err := x.LatLong()
	if want.GPS == nil {
		if err == nil {
			t.Errorf("LatLong = %v,%v, want no demo.GPS", lat, lng)
		}
		return
	}
	if err != nil {
		t.Fatalf("LatLong: %v", err)
	}
	if math.Abs(lat-want.GPS.Lat) > 1e-6 || math.Abs(lng-want.GPS.Lng) > 1e-6 {
		t.Errorf("LatLong = %.7f,%.7f, want %.7f,%.7f", lat, lng, want.GPS.Lat, want.GPS.Lng)
	}
	alt := num(exif.GPSAltitude)
	if num(exif.GPSAltitudeRef) == 1 {
		alt = -alt
	}
	if math.Abs(alt-want.GPS.Alt) > 0.01 {
		t.Errorf("altitude = %v, want %v", alt, want.GPS.Alt)
	}
}

func exifIFDTag(t *testing.T, x *exif.Exif, id uint16) string {
	t.Helper()
	ptr, err := x.Get(exif.ExifIFDPointer)
	if err != nil {
		t.Fatalf("no demo.Exif IFD: %v", err)
	}
	off, _ := ptr.Int64(0)
	r := bytes.NewReader(x.Raw)
	if _, err := r.Seek(off, 0); err != nil {
		t.Fatal(err)
	}
	dir, _, err := tiff.DecodeDir(r, x.Tiff.Order)
	if err != nil {
		t.Fatalf("decode demo.Exif IFD: %v", err)
	}
	for _, tag := range dir.Tags {
		if tag.Id == id {
			s, _ := tag.StringVal()
			return s
		}
	}
	return ""
}

// checkExiftool compares with exiftool's reading and its -validate verdict,
// the strictest check available.
func checkExiftool(t *testing.T, path string, want *demo.Exif, wantXMP *demo.XMP) {
	t.Helper()
	bin := exiftool(t)
	out, err := exec.Command(bin, "-json", "-n", "-G", "-a", "-validate", "-warning", "-error",
		"-EXIF:all", "-XMP:all", "-Composite:GPSLatitude", "-Composite:GPSLongitude", "-Composite:GPSAltitude", path).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var res []map[string]any
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		t.Fatalf("exiftool output %s: %v", out, err)
	}
	got := res[0]
	for k, v := range got {
		if strings.HasPrefix(k, "ExifTool:") && k != "ExifTool:Validate" {
			t.Errorf("exiftool %s: %v", k, v)
		}
	}
	if v := got["ExifTool:Validate"]; v != "0 0 0" && v != nil {
		t.Errorf("exiftool -validate: %v", v)
	}
	stamp := want.Taken.Format("2006:01:02 15:04:05")
	wantStr := map[string]any{
		"EXIF:Make": want.Make, "EXIF:Model": want.Model,
		"EXIF:DateTimeOriginal": stamp, "EXIF:CreateDate": stamp,
		"EXIF:Orientation":  float64(want.Orientation),
		"EXIF:ISO":          float64(want.ISO),
		"EXIF:ExposureTime": ratio(want.ExposureTime), "EXIF:FNumber": ratio(want.FNumber),
		"EXIF:FocalLength": ratio(want.FocalLength),
	}
	if want.LensModel != "" {
		wantStr["EXIF:LensModel"] = want.LensModel
	}
	if want.WithOffset {
		wantStr["EXIF:OffsetTimeOriginal"] = want.Taken.Format("-07:00")
	}
	for k, v := range wantStr {
		if !sameValue(got[k], v) {
			t.Errorf("exiftool %s = %v, want %v", k, got[k], v)
		}
	}
	if want.GPS != nil {
		for k, v := range map[string]float64{
			"Composite:GPSLatitude": want.GPS.Lat, "Composite:GPSLongitude": want.GPS.Lng, "Composite:GPSAltitude": want.GPS.Alt,
		} {
			f, _ := got[k].(float64)
			if math.Abs(f-v) > 1e-6 {
				t.Errorf("exiftool %s = %v, want %v", k, got[k], v)
			}
		}
	} else if _, ok := got["Composite:GPSLatitude"]; ok {
		t.Errorf("exiftool found demo.GPS in a file written without it")
	}
	if wantXMP != nil {
		if wantXMP.Title != "" && got["XMP:Title"] != wantXMP.Title {
			t.Errorf("exiftool XMP:Title = %v, want %q", got["XMP:Title"], wantXMP.Title)
		}
		if wantXMP.Description != "" && got["XMP:Description"] != wantXMP.Description {
			t.Errorf("exiftool XMP:Description = %v, want %q", got["XMP:Description"], wantXMP.Description)
		}
		var subj []string
		switch s := got["XMP:Subject"].(type) {
		case string:
			subj = []string{s}
		case []any:
			for _, v := range s {
				subj = append(subj, v.(string))
			}
		}
		if !slices.Equal(subj, wantXMP.Keywords) {
			t.Errorf("exiftool XMP:Subject = %v, want %v", subj, wantXMP.Keywords)
		}
		if wantXMP.Rating != 0 && got["XMP:Rating"] != float64(wantXMP.Rating) {
			t.Errorf("exiftool XMP:Rating = %v, want %d", got["XMP:Rating"], wantXMP.Rating)
		}
	}
}

// ratio is r's value; a zero denominator gives 0.
func ratio(r demo.Rational) float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

func sameValue(got, want any) bool {
	if w, ok := want.(float64); ok {
		g, ok := got.(float64)
		return ok && math.Abs(g-w) < 1e-9
	}
	return got == want
}

func TestSegmentRejectsBadValues(t *testing.T) {
	for name, e := range map[string]demo.Exif{
		"orientation 9": {Orientation: 9},
		"latitude 91":   {GPS: &demo.GPS{Lat: 91, Lng: 10}},
		"longitude NaN": {GPS: &demo.GPS{Lat: 10, Lng: math.NaN()}},
	} {
		if _, err := e.Segment(); err == nil {
			t.Errorf("%s: Segment accepted it", name)
		}
	}
}

// exiftool is the exiftool program. The tests need it: without it only
// goexif, which this package's writer was built against, would check the
// files, and a run that skipped the stricter reader must not pass. `make
// test` installs it (scripts/deps.sh test).
func exiftool(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is not installed: scripts/deps.sh test (apt-get install libimage-exiftool-perl)")
	}
	return bin
}
