package meta

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Files for the merge table: a kind, a MIME type and what was read.
func jpg(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindImage, MIME: "image/jpeg", Info: in}
}
func heic(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindImage, MIME: "image/heic", Info: in}
}
func cr2(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindRaw, MIME: "image/x-canon-cr2", Info: in}
}
func mov(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindVideo, MIME: "video/quicktime", Info: in}
}
func xmp(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindSidecar, MIME: "application/rdf+xml", Info: in}
}
func takeoutJSON(id int64, in Info) FileInfo {
	return FileInfo{ID: id, Kind: KindSidecar, MIME: "application/json", Info: in}
}
func named(f FileInfo, name string) FileInfo { f.Name = name; return f }
func gone(f FileInfo) FileInfo               { f.Missing = true; return f }
func own(f FileInfo) FileInfo                { f.Own = true; return f }

var (
	t2019 = time.Date(2019, 7, 14, 10, 0, 0, 0, time.UTC)
	t2020 = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	t2021 = time.Date(2021, 5, 6, 7, 8, 9, 0, time.FixedZone("+02:00", 7200))
	today = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
)

func dated(t time.Time, src TimeSource) Info { return Info{Taken: t, TakenSource: src} }

// out flattens a merge result into the named fields the table asserts.
func out(m Merged) map[string]any {
	i := m.Info
	f := map[string]any{
		"primary": m.Primary, "media_type": m.MediaType, "missing": m.Missing, "motion": m.Motion,
		"make": i.Make, "model": i.Model, "lens": i.Lens, "iso": i.ISO, "f_number": i.FNumber,
		"exposure_time": i.ExposureTime, "focal_length": i.FocalLength, "duration": i.Duration,
		"width": i.DisplayWidth(), "height": i.DisplayHeight(), "orientation": i.Orientation,
		"title": i.Title, "description": i.Description, "keywords": strings.Join(i.Keywords, ","), "rating": i.Rating,
		"gps":   fmt.Sprintf("%v %g,%g alt %v %g", i.HasGPS, i.Lat, i.Lng, i.HasAlt, i.Alt),
		"taken": i.Taken.Format(time.RFC3339), "taken_source": i.TakenSource, "has_offset": i.HasOffset,
	}
	var adopted []string
	for _, k := range []string{FieldTitle, FieldDescription, FieldKeywords, FieldTaken, FieldLocation, FieldRating} {
		f["writes_"+k] = m.Writes(k)
		if m.Adopted[k] {
			adopted = append(adopted, k)
		}
	}
	f["adopted"] = strings.Join(adopted, ",")
	f["adopted_at"] = m.AdoptedAt
	return f
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  []FileInfo
		edited EditedFields
		want   map[string]any
	}{
		// The primary file.
		{"a JPEG beats a RAW and a video whatever the order", []FileInfo{mov(1, Info{}), cr2(2, Info{}), jpg(3, Info{})}, nil,
			map[string]any{"primary": int64(3)}},
		{"another image beats a RAW", []FileInfo{cr2(1, Info{}), heic(2, Info{})}, nil,
			map[string]any{"primary": int64(2)}},
		{"a RAW beats a video", []FileInfo{mov(1, Info{}), cr2(2, Info{})}, nil,
			map[string]any{"primary": int64(2)}},
		{"a present file beats a missing JPEG", []FileInfo{gone(jpg(1, Info{})), cr2(2, Info{})}, nil,
			map[string]any{"primary": int64(2), "missing": false}},
		{"of two JPEGs (duplicates) the older one", []FileInfo{jpg(7, Info{Make: "B"}), jpg(4, Info{Make: "A"})}, nil,
			map[string]any{"primary": int64(4), "make": "A"}},
		{"a sidecar is never primary", []FileInfo{xmp(1, Info{Title: "t"}), cr2(2, Info{})}, nil,
			map[string]any{"primary": int64(2), "title": "t"}},
		{"only sidecars: nothing to show", []FileInfo{xmp(1, Info{Title: "t"})}, nil,
			map[string]any{"primary": int64(0), "missing": true}},

		// Gap filling.
		{"the primary's values win", []FileInfo{cr2(1, Info{Make: "Canon", ISO: 400, Lens: "EF 50mm"}), jpg(2, Info{Make: "Canon JPEG", ISO: 100})}, nil,
			map[string]any{"make": "Canon JPEG", "iso": 100, "lens": "EF 50mm"}},
		{"a RAW fills what its JPEG lacks", []FileInfo{jpg(1, Info{Lat: 1, Lng: 2, HasGPS: true}), cr2(2, Info{Lens: "EF 50mm", FNumber: 8, ExposureTime: 0.01, FocalLength: 50, ISO: 200, Model: "350D", Make: "Canon"})}, nil,
			map[string]any{"lens": "EF 50mm", "f_number": 8.0, "exposure_time": 0.01, "focal_length": 50.0, "iso": 200, "make": "Canon", "model": "350D", "gps": "true 1,2 alt false 0"}},
		{"the primary's position is not replaced", []FileInfo{jpg(1, Info{HasGPS: true, Lat: 1, Lng: 2}), cr2(2, Info{HasGPS: true, Lat: 3, Lng: 4, HasAlt: true, Alt: 9})}, nil,
			map[string]any{"gps": "true 1,2 alt false 0"}},
		{"size and orientation come together from one file", []FileInfo{jpg(1, Info{Orientation: 6}), cr2(2, Info{Width: 6000, Height: 4000, Orientation: 1})}, nil,
			map[string]any{"width": 6000, "height": 4000, "orientation": 1}},
		{"a turned primary shows turned", []FileInfo{jpg(1, Info{Width: 4000, Height: 3000, Orientation: 6})}, nil,
			map[string]any{"width": 3000, "height": 4000}},
		{"a live photo's video gives the duration", []FileInfo{heic(1, Info{}), mov(2, Info{Duration: 2.5})}, nil,
			map[string]any{"duration": 2.5}},
		{"words embedded in another file fill gaps", []FileInfo{jpg(1, Info{}), cr2(2, Info{Title: "raw title", Description: "d", Keywords: []string{"a", "b"}, Rating: 3})}, nil,
			map[string]any{"title": "raw title", "description": "d", "keywords": "a,b", "rating": 3}},
		{"missing files still fill gaps", []FileInfo{jpg(1, Info{}), gone(cr2(2, Info{Lens: "L"}))}, nil,
			map[string]any{"primary": int64(1), "lens": "L"}},

		// Sidecars win for what people write.
		{"a sidecar's words beat the embedded ones", []FileInfo{jpg(1, Info{Title: "camera", Description: "embedded", Keywords: []string{"x"}, Rating: 1}), xmp(2, Info{Title: "mine", Description: "my words", Keywords: []string{"beach", "sun"}, Rating: 5})}, nil,
			map[string]any{"title": "mine", "description": "my words", "keywords": "beach,sun", "rating": 5}},
		{"a sidecar's empty fields erase nothing", []FileInfo{jpg(1, Info{Title: "camera", Keywords: []string{"x"}, Rating: 2}), xmp(2, Info{Description: "d"})}, nil,
			map[string]any{"title": "camera", "keywords": "x", "rating": 2, "description": "d"}},
		{"a rejected rating in a sidecar counts", []FileInfo{jpg(1, Info{Rating: 4}), xmp(2, Info{Rating: -1})}, nil,
			map[string]any{"rating": -1}},
		{"a sidecar fills a missing position only", []FileInfo{jpg(1, Info{}), xmp(2, Info{HasGPS: true, Lat: 5, Lng: 6, HasAlt: true, Alt: 7})}, nil,
			map[string]any{"gps": "true 5,6 alt true 7"}},
		{"a sidecar does not move a position", []FileInfo{jpg(1, Info{HasGPS: true, Lat: 1, Lng: 2}), xmp(2, Info{HasGPS: true, Lat: 5, Lng: 6})}, nil,
			map[string]any{"gps": "true 1,2 alt false 0"}},
		{"a sidecar's camera fields are not used", []FileInfo{jpg(1, Info{}), xmp(2, Info{Make: "Adobe", Lens: "L"})}, nil,
			map[string]any{"make": "", "lens": ""}},
		{"a present sidecar beats a missing one", []FileInfo{jpg(1, Info{}), xmp(2, Info{Title: "present"}), gone(xmp(3, Info{Title: "deleted"}))}, nil,
			map[string]any{"title": "present"}},
		{"of two present sidecars the newer", []FileInfo{jpg(1, Info{}), xmp(5, Info{Title: "newer"}), xmp(3, Info{Title: "older", Rating: 2})}, nil,
			map[string]any{"title": "newer", "rating": 2}},

		// Dates: a weak date never beats a stronger one.
		{"the RAW's EXIF date beats the JPEG's file-name date", []FileInfo{jpg(1, dated(t2020, SourceFileName)), cr2(2, dated(t2019, SourceEXIF))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceEXIF}},
		{"at equal strength the primary's date stands", []FileInfo{jpg(1, dated(t2020, SourceEXIF)), cr2(2, dated(t2019, SourceEXIF))}, nil,
			map[string]any{"taken": t2020.Format(time.RFC3339), "taken_source": SourceEXIF}},
		{"a video's date beats a folder date", []FileInfo{heic(1, dated(t2019, SourceFolder)), mov(2, dated(t2021, SourceVideo))}, nil,
			map[string]any{"taken": t2021.Format(time.RFC3339), "taken_source": SourceVideo}},
		{"a zone comes with the date", []FileInfo{jpg(1, dated(t2019, SourceFileTime)), cr2(2, Info{Taken: t2021, HasOffset: true, TakenSource: SourceEXIF})}, nil,
			map[string]any{"taken": t2021.Format(time.RFC3339), "has_offset": true}},
		{"a file-name date beats a folder date", []FileInfo{jpg(1, dated(t2019, SourceFolder)), cr2(2, dated(t2020, SourceFileName))}, nil,
			map[string]any{"taken": t2020.Format(time.RFC3339), "taken_source": SourceFileName}},
		{"a folder date beats a file time", []FileInfo{jpg(1, dated(today, SourceFileTime)), cr2(2, dated(t2019, SourceFolder))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceFolder}},
		{"a file time never beats a folder date", []FileInfo{jpg(1, dated(t2019, SourceFolder)), cr2(2, dated(today, SourceFileTime))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceFolder}},
		{"a sidecar's file time does not move the photo to today", []FileInfo{jpg(1, dated(t2019, SourceFileTime)), xmp(2, dated(today, SourceFileTime))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceFileTime}},
		{"a sidecar's file time loses to a folder date", []FileInfo{jpg(1, dated(t2019, SourceFolder)), xmp(2, dated(today, SourceFileTime))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339)}},
		{"a date the sidecar's XMP states beats a folder date", []FileInfo{jpg(1, dated(t2019, SourceFolder)), xmp(2, dated(t2020, SourceXMP))}, nil,
			map[string]any{"taken": t2020.Format(time.RFC3339), "taken_source": SourceXMP}},
		{"a sidecar's XMP date does not beat EXIF", []FileInfo{jpg(1, dated(t2019, SourceEXIF)), xmp(2, dated(t2020, SourceXMP))}, nil,
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceEXIF}},
		{"no date anywhere stays no date", []FileInfo{jpg(1, Info{}), xmp(2, Info{})}, nil,
			map[string]any{"taken": time.Time{}.Format(time.RFC3339), "taken_source": TimeSource("")}},

		// Media type.
		{"pictures are an image", []FileInfo{jpg(1, Info{}), heic(2, Info{})}, nil, map[string]any{"media_type": MediaImage}},
		{"a RAW alone is raw", []FileInfo{cr2(1, Info{})}, nil, map[string]any{"media_type": MediaRaw}},
		{"RAW + JPEG is raw", []FileInfo{cr2(1, Info{}), jpg(2, Info{}), xmp(3, Info{})}, nil, map[string]any{"media_type": MediaRaw}},
		{"a video alone is a video", []FileInfo{mov(1, Info{Duration: 3})}, nil, map[string]any{"media_type": MediaVideo, "duration": 3.0}},
		{"a picture and a video are live", []FileInfo{heic(1, Info{}), mov(2, Info{})}, nil, map[string]any{"media_type": MediaLive, "primary": int64(1)}},
		{"a RAW and a video are live", []FileInfo{cr2(1, Info{}), mov(2, Info{})}, nil, map[string]any{"media_type": MediaLive}},
		{"a missing video still makes it live", []FileInfo{jpg(1, Info{}), gone(mov(2, Info{}))}, nil, map[string]any{"media_type": MediaLive, "missing": false}},

		// Motion: where a live photo's moving part plays from.
		{"a motion photo is live and moves by itself", []FileInfo{jpg(4, Info{Motion: &Motion{Offset: 9, Length: 99, Duration: 1.5}})}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(4), "duration": 1.5}},
		{"an Apple pair moves with its video", []FileInfo{heic(1, Info{}), mov(2, Info{Duration: 2.5}), xmp(3, Info{})}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(2), "primary": int64(1), "duration": 2.5}},
		{"the primary's own video before a stacked one", []FileInfo{mov(1, Info{Duration: 3}), jpg(2, Info{Motion: &Motion{Offset: 9, Length: 99, Duration: 1}})}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(2), "primary": int64(2)}},
		{"a present video before a missing one", []FileInfo{jpg(1, Info{}), gone(mov(2, Info{})), mov(3, Info{})}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(3)}},
		{"a missing video does not move", []FileInfo{jpg(1, Info{}), gone(mov(2, Info{}))}, nil, map[string]any{"motion": int64(0)}},
		{"a missing motion photo does not move", []FileInfo{gone(jpg(1, Info{Motion: &Motion{Offset: 9, Length: 99}}))}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(0), "missing": true}},
		{"a RAW's video inside a stacked JPEG", []FileInfo{cr2(1, Info{}), jpg(2, Info{Motion: &Motion{Offset: 9, Length: 99}})}, nil,
			map[string]any{"media_type": MediaLive, "motion": int64(2)}},
		{"a video alone has no motion", []FileInfo{mov(1, Info{})}, nil, map[string]any{"media_type": MediaVideo, "motion": int64(0)}},
		{"a still alone has no motion", []FileInfo{jpg(1, Info{})}, nil, map[string]any{"media_type": MediaImage, "motion": int64(0)}},
		{"every picture missing: the photo is missing", []FileInfo{gone(jpg(1, Info{})), gone(cr2(2, Info{})), xmp(3, Info{})}, nil,
			map[string]any{"missing": true, "primary": int64(1)}},

		// User edits are kept.
		{"nothing edited: every field is written", []FileInfo{jpg(1, Info{Title: "t"})}, nil,
			map[string]any{"writes_title": true, "writes_description": true, "writes_keywords": true, "writes_taken": true, "writes_location": true, "writes_rating": true}},
		{"edited fields are left alone", []FileInfo{jpg(1, Info{Title: "t", HasGPS: true, Lat: 1, Lng: 1}), xmp(2, Info{Title: "x"})}, EditedFields{FieldTitle: true, FieldTaken: true, FieldLocation: true, "favorite": true},
			map[string]any{"writes_title": false, "writes_taken": false, "writes_location": false, "writes_description": true, "writes_keywords": true, "writes_rating": true, "title": "x"}},
		{"edited keywords, description and rating", []FileInfo{jpg(1, Info{Keywords: []string{"k"}})}, EditedFields{FieldKeywords: true, FieldDescription: true, FieldRating: true},
			map[string]any{"writes_keywords": false, "writes_description": false, "writes_rating": false, "writes_title": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := out(Merge(tc.files, tc.edited, time.Time{}))
			for k, want := range tc.want {
				if _, ok := got[k]; !ok {
					t.Fatalf("no field %q in the result", k)
				}
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s = %#v, want %#v", k, got[k], want)
				}
			}
		})
	}
}

// Merge decides from copies: the caller's files, keyword slices included,
// are not changed, so a merged photo never aliases a file's metadata.
func TestMergeLeavesFilesAlone(t *testing.T) {
	files := []FileInfo{cr2(2, Info{Keywords: []string{"raw"}}), jpg(1, Info{}), xmp(3, Info{Keywords: []string{"side"}})}
	m := Merge(files, nil, time.Time{})
	m.Info.Keywords[0] = "changed"
	if files[0].Info.Keywords[0] != "raw" || files[2].Info.Keywords[0] != "side" || files[0].ID != 2 {
		t.Fatalf("Merge changed its input: %+v", files)
	}
}

// Sidecars that carry edits, and Google Takeout JSON: who wins.
func TestMergeSidecarEdits(t *testing.T) {
	t1 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) // the user's edit in Pinhole
	before, after := t1.Add(-time.Hour), t1.Add(time.Hour)
	theirs := func(at time.Time, in Info) Info { in.MetadataDate = at; return in }
	utc := time.FixedZone("+00:00", 0)
	tTakeout := time.Date(2020, 1, 2, 3, 4, 5, 0, utc)
	zoned := time.Date(2020, 8, 9, 10, 11, 12, 0, time.FixedZone("+05:30", 5*3600+1800))
	for _, tc := range []struct {
		name     string
		files    []FileInfo
		edited   EditedFields
		editedAt time.Time
		want     map[string]any
	}{
		// Google Takeout JSON.
		{"a Takeout JSON dates a photo without EXIF", []FileInfo{jpg(1, dated(t2019, SourceFileTime)), takeoutJSON(2, Info{Taken: tTakeout, HasOffset: true, TakenSource: SourceTakeout})}, nil, time.Time{},
			map[string]any{"taken": tTakeout.Format(time.RFC3339), "taken_source": SourceTakeout, "has_offset": true}},
		{"a Takeout JSON beats a date in the file name", []FileInfo{jpg(1, dated(t2019, SourceFileName)), takeoutJSON(2, Info{Taken: tTakeout, HasOffset: true, TakenSource: SourceTakeout})}, nil, time.Time{},
			map[string]any{"taken_source": SourceTakeout}},
		{"the photo's own EXIF date beats the JSON's", []FileInfo{jpg(1, dated(t2019, SourceEXIF)), takeoutJSON(2, Info{Taken: tTakeout, HasOffset: true, TakenSource: SourceTakeout})}, nil, time.Time{},
			map[string]any{"taken": t2019.Format(time.RFC3339), "taken_source": SourceEXIF, "has_offset": false}},
		{"the JSON fills a missing position", []FileInfo{jpg(1, Info{}), takeoutJSON(2, Info{HasGPS: true, Lat: 5, Lng: 6})}, nil, time.Time{},
			map[string]any{"gps": "true 5,6 alt false 0"}},
		{"the photo's own GPS beats the JSON's", []FileInfo{jpg(1, Info{HasGPS: true, Lat: 1, Lng: 2}), takeoutJSON(2, Info{HasGPS: true, Lat: 5, Lng: 6})}, nil, time.Time{},
			map[string]any{"gps": "true 1,2 alt false 0"}},
		{"the JSON's caption beats an embedded one", []FileInfo{jpg(1, Info{Description: "OLYMPUS DIGITAL CAMERA"}), takeoutJSON(2, Info{Description: "At the beach"})}, nil, time.Time{},
			map[string]any{"description": "At the beach"}},
		{"an .xmp beats a Takeout JSON, whatever the order", []FileInfo{jpg(1, Info{}), xmp(2, Info{Description: "from xmp"}), takeoutJSON(3, Info{Description: "from json"})}, nil, time.Time{},
			map[string]any{"description": "from xmp"}},
		{"a Google Photos edited copy shows the photo", []FileInfo{named(jpg(1, Info{Make: "orig"}), "IMG_1.jpg"), named(jpg(2, Info{Make: "edit"}), "IMG_1-edited.jpg"), named(takeoutJSON(3, Info{}), "IMG_1.jpg.json")}, nil, time.Time{},
			map[string]any{"primary": int64(2), "make": "edit"}},
		{"a missing edited copy does not", []FileInfo{named(jpg(1, Info{}), "IMG_1.jpg"), gone(named(jpg(2, Info{}), "IMG_1-edited.jpg"))}, nil, time.Time{},
			map[string]any{"primary": int64(1)}},
		{"a Takeout JSON never overrides an edit", []FileInfo{jpg(1, Info{}), takeoutJSON(2, theirs(after, Info{Description: "json"}))}, EditedFields{FieldDescription: true}, t1,
			map[string]any{"writes_description": false, "adopted": ""}},

		// Edits and sidecars: the newest wins.
		{"another program's later change beats the user's edit", []FileInfo{jpg(1, Info{}), xmp(2, theirs(after, Info{Title: "theirs"}))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"title": "theirs", "writes_title": true, "adopted": "title", "adopted_at": after}},
		{"an edit later than the sidecar's change stands", []FileInfo{jpg(1, Info{}), xmp(2, theirs(before, Info{Title: "theirs"}))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"writes_title": false, "adopted": ""}},
		{"Pinhole's own sidecar is never another program's change", []FileInfo{jpg(1, Info{}), own(xmp(2, theirs(after, Info{Title: "mine", EditedFields: []string{FieldTitle}})))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"writes_title": false, "adopted": ""}},
		{"a sidecar that does not say when it changed never beats an edit", []FileInfo{jpg(1, Info{}), xmp(2, Info{Title: "theirs"})}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"writes_title": false, "adopted": ""}},
		{"an edit of unknown date stands", []FileInfo{jpg(1, Info{}), xmp(2, theirs(after, Info{Title: "theirs"}))}, EditedFields{FieldTitle: true}, time.Time{},
			map[string]any{"writes_title": false, "adopted": ""}},
		{"a missing sidecar changes nothing", []FileInfo{jpg(1, Info{}), gone(xmp(2, theirs(after, Info{Title: "theirs"})))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"writes_title": false, "adopted": ""}},
		{"a later change of a date and a position beats EXIF and the edit", []FileInfo{jpg(1, Info{Taken: t2019, TakenSource: SourceEXIF, HasGPS: true, Lat: 1, Lng: 2}),
			xmp(2, theirs(after, Info{Taken: zoned, HasOffset: true, TakenSource: SourceXMP, HasGPS: true, Lat: 7, Lng: 8}))}, EditedFields{FieldTaken: true, FieldLocation: true}, t1,
			map[string]any{"taken": zoned.Format(time.RFC3339), "has_offset": true, "gps": "true 7,8 alt false 0", "adopted": "taken,location"}},
		{"of two later changes the latest wins", []FileInfo{jpg(1, Info{}), xmp(2, theirs(after.Add(time.Hour), Info{Title: "latest"})), xmp(3, theirs(after, Info{Title: "later"}))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"title": "latest", "adopted_at": after.Add(time.Hour)}},
		{"a field nobody edited follows the ordinary rules", []FileInfo{jpg(1, dated(t2019, SourceEXIF)), xmp(2, theirs(after, dated(t2020, SourceXMP)))}, EditedFields{FieldTitle: true}, t1,
			map[string]any{"taken": t2019.Format(time.RFC3339), "writes_taken": true, "adopted": ""}},
		{"after the database is lost a Pinhole sidecar's edits come back", []FileInfo{jpg(1, Info{Taken: t2019, TakenSource: SourceEXIF, HasGPS: true, Lat: 1, Lng: 2, Title: "camera"}),
			xmp(2, theirs(before, Info{Title: "mine", Taken: zoned, HasOffset: true, TakenSource: SourceXMP, HasGPS: true, Lat: 7, Lng: 8, EditedFields: []string{FieldTitle, FieldTaken, FieldLocation}}))}, nil, time.Time{},
			map[string]any{"title": "mine", "taken": zoned.Format(time.RFC3339), "gps": "true 7,8 alt false 0", "adopted": "title,taken,location", "adopted_at": before}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := out(Merge(tc.files, tc.edited, tc.editedAt))
			for k, want := range tc.want {
				if _, ok := got[k]; !ok {
					t.Fatalf("no field %q in the result", k)
				}
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s = %#v, want %#v", k, got[k], want)
				}
			}
		})
	}
}
