package meta

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// Every field of Info has an explicit snake_case JSON name, so renaming a
// Go field can never orphan what databases store.
func TestInfoFieldsHaveJSONNames(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	seen := map[string]string{}
	typ := reflect.TypeFor[Info]()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !snake.MatchString(name) {
			t.Errorf("Info.%s has JSON name %q; give it a snake_case one", f.Name, name)
			continue
		}
		if other, dup := seen[name]; dup {
			t.Errorf("Info.%s and Info.%s share the JSON name %q", f.Name, other, name)
		}
		seen[name] = f.Name
	}
}

// legacyBlobs are metadata blobs as Pinhole stored them before Info had
// JSON names, captured from the program at commit cc57304 (json.Marshal of
// meta.Read's answer): the corpus's Google.jpg, the sidecar
// trip/IMG_1.xmp of the reread test's library, and CanonRaw.cr2.
func legacyBlobs(t *testing.T) []string {
	f, err := os.Open("testdata/info-v0.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if len(out) != 3 || !strings.HasPrefix(out[0], `{"MIME":`) {
		t.Fatalf("testdata/info-v0.jsonl: %d blobs, want 3 in the old form", len(out))
	}
	return out
}

// A blob stored by an older Pinhole decodes to what the reader says about
// the same file today: nothing of it is lost to the new names.
func TestLegacyBlobDecodesAsBefore(t *testing.T) {
	blobs := legacyBlobs(t)
	for i, src := range map[int]string{0: "exiftool-t/Google.jpg", 2: "exiftool-t/CanonRaw.cr2"} {
		var got Info
		if err := json.Unmarshal([]byte(blobs[i]), &got); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		want, err := Read(corpus.Path(t, src))
		if err != nil {
			t.Fatal(err)
		}
		// Fields today's reader adds that the reader of cc57304 did not
		// read at all (maker-note serials, video codecs and rotation): the
		// background re-read fills them in; the blob cannot hold them.
		want.Serial, want.VideoCodec, want.AudioCodec, want.Rotation = "", "", "", 0
		sameInfo(t, src, got, *want)
	}
	var side Info
	if err := json.Unmarshal([]byte(blobs[1]), &side); err != nil {
		t.Fatal(err)
	}
	if side.Title != "Sunset at the pier" || strings.Join(side.Keywords, ",") != "sunset,pier" || side.Rating != 4 ||
		side.Kind != KindSidecar || side.MIME != "application/rdf+xml" || side.TakenSource != SourceFileTime || side.Taken.IsZero() {
		t.Errorf("sidecar blob decoded as %+v", side)
	}
}

// Every value an old blob holds survives decoding and storing again under
// the new names: each non-zero old key reappears, with its value, under the
// new name that spells the same words.
func TestLegacyBlobKeepsEveryValue(t *testing.T) {
	norm := func(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) }
	for _, blob := range legacyBlobs(t) {
		var old map[string]json.RawMessage
		if err := json.Unmarshal([]byte(blob), &old); err != nil {
			t.Fatal(err)
		}
		var in Info
		if err := json.Unmarshal([]byte(blob), &in); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(&in)
		if err != nil {
			t.Fatal(err)
		}
		var now map[string]json.RawMessage
		if err := json.Unmarshal(b, &now); err != nil {
			t.Fatal(err)
		}
		byNorm := map[string]string{}
		for k, v := range now {
			if k != strings.ToLower(k) {
				t.Errorf("stored again with a Go name: %s", k)
			}
			byNorm[norm(k)] = string(v)
		}
		for k, v := range old {
			switch string(v) {
			case "0", "false", `""`, "null":
				continue // zero values are left out now
			}
			if got, ok := byNorm[norm(k)]; !ok || got != string(v) {
				t.Errorf("old %s = %s became %q (present %v) in %s", k, v, got, ok, b)
			}
		}
	}
}

// A blob in today's form decodes to the Info that was stored, and zero
// values are not stored (a photo's blob shrinks from about 600 bytes).
func TestInfoJSONRoundTrip(t *testing.T) {
	in := Info{MIME: "image/jpeg", Kind: KindImage, Taken: time.Date(2021, 5, 6, 7, 8, 9, 0, time.FixedZone("", 7200)),
		HasOffset: true, TakenSource: SourceEXIF, Make: "Google", Model: "Pixel", Lens: "L", ExposureTime: 0.01, FNumber: 1.8,
		ISO: 100, FocalLength: 6.9, HasGPS: true, Lat: 40.4, Lng: -3.7, Alt: 634, HasAlt: true, Orientation: 6,
		HasOrientation: true, Width: 8, Height: 6, Duration: 2.5, Title: "t", Description: "d", Keywords: []string{"a"},
		Rating: -1, DateTimeOriginal: "2021:05:06 07:08:09", OffsetTimeOriginal: "+02:00"}
	b, err := json.Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	var got Info
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	b, _ = json.Marshal(&Info{MIME: "image/png", Kind: KindImage})
	if string(b) != `{"mime":"image/png","kind":"image"}` {
		t.Errorf("zero values stored: %s", b)
	}
}

// sameInfo compares two Infos, the taken time by instant and offset (a
// decoded zone has no name).
func sameInfo(t *testing.T, name string, got, want Info) {
	t.Helper()
	_, go1 := got.Taken.Zone()
	_, wo := want.Taken.Zone()
	if !got.Taken.Equal(want.Taken) || go1 != wo {
		t.Errorf("%s: taken %v, want %v", name, got.Taken, want.Taken)
	}
	got.Taken, want.Taken = time.Time{}, time.Time{}
	if len(got.Keywords) == 0 && len(want.Keywords) == 0 {
		got.Keywords, want.Keywords = nil, nil // stored as null or left out
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
	}
}
