package meta

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func exiftoolPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed (scripts/deps.sh test installs it)")
	}
	return p
}

// exiftoolRead runs exiftool on an .xmp file and returns its tags by
// group-qualified name (-G1), numbers as numbers (-n).
func exiftoolRead(t *testing.T, path string) map[string]any {
	t.Helper()
	out, err := exec.Command(exiftoolPath(t), "-j", "-G1", "-n", "-struct", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil || len(v) != 1 {
		t.Fatalf("exiftool output: %v\n%s", err, out)
	}
	return v[0]
}

func allEdits() SidecarEdits {
	zone := time.FixedZone("", 2*3600)
	return SidecarEdits{
		Fields: EditedFields{FieldTitle: true, FieldDescription: true, FieldKeywords: true,
			FieldRating: true, FieldTaken: true, FieldLocation: true},
		Title:       "Sunset & <sea>",
		Description: "Line one\nline \"two\"",
		Keywords:    []string{"beach", "Été", "sun|set"},
		Rating:      4,
		Taken:       time.Date(2019, 7, 14, 21, 5, 30, 0, zone), HasOffset: true,
		HasGPS: true, Lat: 48.8583701, Lng: -2.2944813, Alt: -12.5, HasAlt: true,
		MetadataDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		CreatorTool:  "Pinhole 1.2",
	}
}

// Every value Pinhole writes is read back by exiftool and by Pinhole's own
// reader, in the standard tags digiKam and Lightroom use.
func TestSidecarWrittenIsReadByExiftool(t *testing.T) {
	b, err := UpdateSidecar(nil, allEdits())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "IMG_1.xmp")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got := exiftoolRead(t, p)
	want := map[string]any{
		"XMP-dc:Title":                "Sunset & <sea>",
		"XMP-dc:Description":          "Line one\nline \"two\"",
		"XMP-dc:Subject":              []any{"beach", "Été", "sun|set"},
		"XMP-xmp:Rating":              4.0,
		"XMP-exif:DateTimeOriginal":   "2019:07:14 21:05:30+02:00",
		"XMP-photoshop:DateCreated":   "2019:07:14 21:05:30+02:00",
		"XMP-exif:GPSLatitude":        48.8583701,
		"XMP-exif:GPSLongitude":       -2.2944813,
		"XMP-exif:GPSAltitude":        12.5,
		"XMP-exif:GPSAltitudeRef":     1.0,
		"XMP-exif:GPSVersionID":       "2.3.0.0",
		"XMP-xmp:MetadataDate":        "2026:01:02 03:04:05+00:00",
		"XMP-xmp:CreatorTool":         "Pinhole 1.2",
		"XMP-pinhole:Edited":          []any{"description", "keywords", "location", "rating", "taken", "title"},
		"XMP-x:XMPToolkit":            "Pinhole",
		"System:FileName":             "IMG_1.xmp",
		"File:FileType":               "XMP",
		"XMP-exif:GPSLatitudeRef":     nil, // not a separate XMP tag
		"XMP-exif:GPSPosition":        nil,
		"Composite:GPSPosition":       nil,
		"Composite:GPSLatitude":       nil,
		"Composite:GPSLongitude":      nil,
		"Composite:GPSAltitude":       nil,
		"Composite:DateTimeCreated":   nil,
		"Composite:SubSecDateTimeOri": nil,
	}
	for k, w := range want {
		if w == nil {
			continue
		}
		g, ok := got[k]
		if k == "XMP-pinhole:Edited" && !ok {
			// exiftool names an unknown namespace by its prefix.
			for name, v := range got {
				if strings.HasSuffix(name, ":Edited") {
					g, ok = v, true
				}
			}
		}
		if !ok {
			t.Errorf("exiftool found no %s; it read %v", k, got)
			continue
		}
		if f, isF := w.(float64); isF {
			if gf, _ := g.(float64); gf < f-1e-7 || gf > f+1e-7 {
				t.Errorf("%s = %v, want %v", k, g, w)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}

	info, err := sidecarFrom(b, "IMG_1.xmp", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := allEdits()
	if info.Title != e.Title || info.Description != e.Description || strings.Join(info.Keywords, ",") != strings.Join(e.Keywords, ",") ||
		info.Rating != 4 || !info.HasGPS || !SamePosition(info.Lat, info.Lng, e.Lat, e.Lng) || !info.HasAlt || info.Alt != -12.5 ||
		!info.Taken.Equal(e.Taken) || !info.HasOffset || info.TakenSource != SourceXMP ||
		!info.MetadataDate.Equal(e.MetadataDate) || info.CreatorTool != "Pinhole 1.2" ||
		strings.Join(info.EditedFields, ",") != "description,keywords,location,rating,taken,title" {
		t.Fatalf("Pinhole reads back %+v", info)
	}
}

// A date whose zone is unknown is written without an offset, and only the
// fields a user edited are written.
func TestSidecarWritesOnlyEditedFields(t *testing.T) {
	e := SidecarEdits{Fields: EditedFields{FieldTaken: true}, Title: "not edited",
		Taken: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), MetadataDate: time.Now(), CreatorTool: "Pinhole dev"}
	b, err := UpdateSidecar(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "a.xmp")
	os.WriteFile(p, b, 0o644)
	got := exiftoolRead(t, p)
	if got["XMP-exif:DateTimeOriginal"] != "2001:02:03 04:05:06" {
		t.Errorf("date without zone: %v", got["XMP-exif:DateTimeOriginal"])
	}
	for _, k := range []string{"XMP-dc:Title", "XMP-exif:GPSLatitude", "XMP-xmp:Rating", "XMP-dc:Subject"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s written though not edited: %v", k, got[k])
		}
	}
}

// A sidecar another program wrote (Lightroom here) keeps everything that is
// not Pinhole's to change: develop settings, other namespaces, a title's
// other languages, comments. Its keyword hierarchies follow the new
// keywords, and rewriting Pinhole's own output does not pile up
// descriptions.
func TestSidecarMergeKeepsForeignData(t *testing.T) {
	foreign := `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">
 <!-- written by Lightroom -->
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:d="http://purl.org/dc/elements/1.1/"
    xmp:Rating="2"
    xmp:CreatorTool="Adobe Photoshop Lightroom Classic 12.0"
    crs:Exposure2012="+0.35"
    crs:WhiteBalance="As Shot">
   <d:title>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">Old title</rdf:li>
     <rdf:li xml:lang="de-DE">Sonnenuntergang</rdf:li>
    </rdf:Alt>
   </d:title>
   <d:description><rdf:Alt><rdf:li xml:lang="x-default">Kept caption</rdf:li></rdf:Alt></d:description>
   <d:subject>
    <rdf:Bag>
     <rdf:li>Paris</rdf:li>
     <rdf:li>old</rdf:li>
    </rdf:Bag>
   </d:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|France|Paris</rdf:li>
     <rdf:li>Misc|old</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>Places/France/Paris</rdf:li>
     <rdf:li>old</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <crs:ToneCurvePV2012>
    <rdf:Seq>
     <rdf:li>0, 0</rdf:li>
     <rdf:li>255, 255</rdf:li>
    </rdf:Seq>
   </crs:ToneCurvePV2012>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
	e := SidecarEdits{Fields: EditedFields{FieldTitle: true, FieldKeywords: true, FieldRating: true},
		Title: "New title", Keywords: []string{"Paris", "new"}, Rating: 5,
		MetadataDate: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), CreatorTool: "Pinhole 1.2"}
	b, err := UpdateSidecar([]byte(foreign), e)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "IMG_1.xmp")
	os.WriteFile(p, b, 0o644)
	got := exiftoolRead(t, p)
	want := map[string]any{
		"XMP-dc:Title":                "New title",
		"XMP-dc:Title-de-DE":          "Sonnenuntergang",
		"XMP-dc:Description":          "Kept caption",
		"XMP-dc:Subject":              []any{"Paris", "new"},
		"XMP-xmp:Rating":              5.0,
		"XMP-xmp:CreatorTool":         "Adobe Photoshop Lightroom Classic 12.0",
		"XMP-crs:Exposure2012":        "+0.35",
		"XMP-crs:WhiteBalance":        "As Shot",
		"XMP-crs:ToneCurvePV2012":     []any{"0, 0", "255, 255"},
		"XMP-lr:HierarchicalSubject":  []any{"Places|France|Paris", "new"},
		"XMP-digiKam:TagsList":        []any{"Places/France/Paris", "new"},
		"XMP-xmp:MetadataDate":        "2026:05:01 12:00:00+00:00",
		"XMP-x:XMPToolkit":            "Adobe XMP Core 7.0-c000",
		"System:FileName":             "IMG_1.xmp",
		"XMP-exif:DateTimeOriginal":   nil,
		"XMP-photoshop:DateCreated":   nil,
		"XMP-exif:GPSLatitude":        nil,
		"XMP-exif:GPSAltitude":        nil,
		"XMP-dc:Creator":              nil,
		"XMP-xmpMM:DocumentID":        nil,
		"XMP-xmpMM:OriginalDocumentI": nil,
	}
	for k, w := range want {
		g, ok := got[k]
		if w == nil {
			if ok {
				t.Errorf("%s appeared: %v", k, g)
			}
			continue
		}
		if !ok {
			t.Errorf("exiftool found no %s in\n%s", k, b)
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}
	if !bytes.Contains(b, []byte("<!-- written by Lightroom -->")) {
		t.Error("the comment was lost")
	}

	// Pinhole rewriting its own change: still two descriptions (the
	// foreign one and Pinhole's), and the same result.
	e.Title = "Newer title"
	b2, err := UpdateSidecar(b, e)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b2, []byte("<rdf:Description")); n != 2 {
		t.Fatalf("%d descriptions after a second write, want 2:\n%s", n, b2)
	}
	b3, _ := UpdateSidecar(b2, e)
	if !bytes.Equal(b2, b3) {
		t.Fatalf("the same edits written twice differ:\n%s\n---\n%s", b2, b3)
	}
}

// A sidecar that is not well-formed XML is not overwritten: its owner's
// data would be lost.
func TestSidecarMergeRefusesBrokenXML(t *testing.T) {
	for _, bad := range []string{
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description></rdf:RDF></x:xmpmeta>`,
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF`,
		`not xml at all`,
		`<root>no rdf here</root>`,
	} {
		if _, err := UpdateSidecar([]byte(bad), allEdits()); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
