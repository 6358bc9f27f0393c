package meta

import (
	"slices"
	"testing"
	"time"
)

// The JSON names Google Takeout gives a photo, in every form archives show:
// old and new suffix, cut to 51 characters, numbered duplicates.
func TestTakeoutJSONNames(t *testing.T) {
	for _, tc := range []struct{ media, json string }{
		{"IMG_1234.jpg", "IMG_1234.jpg.json"},
		{"IMG_1234.jpg", "IMG_1234.jpg.supplemental-metadata.json"},
		{"VID_20200101_101010.mp4", "VID_20200101_101010.mp4.supplemental-metadata.json"},
		// Cut to 51 characters with ".json": the suffix loses its end.
		{"PXL_20230405_1234567890.jpg", "PXL_20230405_1234567890.jpg.supplemental-metad.json"},
		{"Screenshot_20200102-030405_Messages1.png", "Screenshot_20200102-030405_Messages1.png.suppl.json"},
		{"IMG_20190714_210530123_HDR.jpg", "IMG_20190714_210530123_HDR.jpg.supplemental-me.json"},
		// A name over 46 characters loses its own end, in both forms.
		{"A very long holiday photo name from the beach at sunset.jpg", "A very long holiday photo name from the beach .json"},
		// Numbered duplicates: the number moves to the end, never cut.
		{"IMG_1234(1).jpg", "IMG_1234.jpg(1).json"},
		{"IMG_1234(1).jpg", "IMG_1234.jpg.supplemental-metadata(1).json"},
		{"PXL_20230405_1234567890(2).jpg", "PXL_20230405_1234567890.jpg.supplemental-metad(2).json"},
		// A name that merely ends in a bracket keeps its own JSON too.
		{"photo (1).jpg", "photo (1).jpg.json"},
		// Beyond ASCII the cut may count characters.
		{"Été à la plage avec toute la famille réunie ici.jpg", "Été à la plage avec toute la famille réunie ic.json"},
	} {
		names := TakeoutJSONNames(tc.media)
		if !slices.Contains(names, tc.json) {
			t.Errorf("%s: %q not among %q", tc.media, tc.json, names)
		}
		if n := len([]rune(tc.json)); n > 51 && !slices.Contains([]string{"IMG_1234.jpg.supplemental-metadata(1).json", "PXL_20230405_1234567890.jpg.supplemental-metad(2).json"}, tc.json) {
			t.Errorf("%s: %d characters: over Google's 51", tc.json, n)
		}
	}
	// A duplicate's JSON is never its original's.
	if slices.Contains(TakeoutJSONNames("IMG_1234(1).jpg"), "IMG_1234.jpg.json") {
		t.Error("IMG_1234(1).jpg would take IMG_1234.jpg's JSON")
	}
}

func TestTakeoutOriginal(t *testing.T) {
	for _, tc := range []struct {
		name, orig string
		ok         bool
	}{
		{"IMG_1234-edited.jpg", "IMG_1234.jpg", true},
		{"IMG_1234-EDITED.JPG", "IMG_1234.JPG", true},
		{"IMG_1234-bearbeitet.jpg", "IMG_1234.jpg", true},
		{"IMG_1234-modifié.jpg", "IMG_1234.jpg", true},
		{"IMG_1234-edited(1).jpg", "IMG_1234(1).jpg", true},
		{"IMG_1234(1)-edited.jpg", "IMG_1234(1).jpg", true},
		{"IMG_1234.jpg", "", false},
		{"credited.jpg", "", false},
		{"-edited.jpg", "", false},
	} {
		orig, ok := TakeoutOriginal(tc.name)
		if orig != tc.orig || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.name, orig, ok, tc.orig, tc.ok)
		}
	}
}

func TestReadTakeoutJSON(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       Info
		err        bool
	}{
		{"everything", `{"title":"IMG_1234.jpg","description":" At the beach ","imageViews":"4",
			"creationTime":{"timestamp":"1600000000","formatted":"13 Sept 2020"},
			"photoTakenTime":{"timestamp":"1563131130","formatted":"14 Jul 2019, 19:05:30 UTC"},
			"geoData":{"latitude":48.8583701,"longitude":2.2944813,"altitude":35.5,"latitudeSpan":0,"longitudeSpan":0},
			"geoDataExif":{"latitude":1,"longitude":1,"altitude":0},
			"favorited":true,"url":"https://photos.google.com/photo/x"}`,
			Info{Description: "At the beach", Favorite: true, HasGPS: true, Lat: 48.8583701, Lng: 2.2944813, HasAlt: true, Alt: 35.5,
				Taken: time.Date(2019, 7, 14, 19, 5, 30, 0, time.UTC), HasOffset: true, TakenSource: SourceTakeout}, false},
		{"0,0 means no position; the EXIF copy is used", `{"title":"a.jpg","geoData":{"latitude":0,"longitude":0,"altitude":0},
			"geoDataExif":{"latitude":-33.8568,"longitude":151.2153,"altitude":0}}`,
			Info{HasGPS: true, Lat: -33.8568, Lng: 151.2153}, false},
		{"no position at all", `{"title":"a.jpg","geoData":{"latitude":0.0,"longitude":0.0},"photoTakenTime":{"timestamp":1563131130}}`,
			Info{Taken: time.Date(2019, 7, 14, 19, 5, 30, 0, time.UTC), HasOffset: true, TakenSource: SourceTakeout}, false},
		{"an album's metadata.json is no photo sidecar", `{"title":"Holidays","description":"","access":"protected","date":{"timestamp":"0"}}`,
			Info{}, false},
		{"a timestamp of 0 is no date", `{"title":"a.jpg","photoTakenTime":{"timestamp":"0"}}`, Info{}, false},
		{"not JSON", `{"title":`, Info{}, true},
		{"no photo fields", `{"albumData":{"title":"x"}}`, Info{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := takeoutFrom([]byte(tc.json))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if tc.err {
				return
			}
			w := tc.want
			if got.Description != w.Description || got.Favorite != w.Favorite || got.HasGPS != w.HasGPS || got.Lat != w.Lat || got.Lng != w.Lng ||
				got.HasAlt != w.HasAlt || got.Alt != w.Alt || !got.Taken.Equal(w.Taken) || got.HasOffset != w.HasOffset || got.TakenSource != w.TakenSource ||
				got.Kind != KindSidecar || got.MIME != "application/json" {
				t.Fatalf("got %+v\nwant %+v", got, w)
			}
			if !w.Taken.IsZero() {
				if _, off := got.Taken.Zone(); off != 0 {
					t.Fatalf("zone offset %d, want UTC", off)
				}
			}
		})
	}
}
