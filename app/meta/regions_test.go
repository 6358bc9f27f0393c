package meta

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"pinhole/app/testkit"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func sameRegion(a, b Region) bool {
	return a.Name == b.Name && near(a.X, b.X) && near(a.Y, b.Y) && near(a.W, b.W) && near(a.H, b.H)
}

// Face regions are read in each dialect, from a JPEG's own XMP and from an
// .xmp sidecar, as top-left rectangles of the stored picture.
func TestReadFaceRegions(t *testing.T) {
	faces := []testkit.Face{{Name: "Anna Lind", X: 0.1, Y: 0.2, W: 0.25, H: 0.3}, {Name: "Bo", X: 0.6, Y: 0.5, W: 0.2, H: 0.2}}
	want := []Region{{Name: "Anna Lind", X: 0.1, Y: 0.2, W: 0.25, H: 0.3}, {Name: "Bo", X: 0.6, Y: 0.5, W: 0.2, H: 0.2}}
	for _, d := range []string{testkit.MWG, testkit.MWGElements, testkit.MP} {
		packet := testkit.FacesXMP(d, 64, 48, faces...)
		embedded, err := Read(writeTemp(t, d+".jpg", testkit.JPEG(testkit.Photo{W: 64, H: 48, RawXMP: packet})))
		if err != nil {
			t.Fatalf("%s embedded: %v", d, err)
		}
		side, err := ReadSidecar(writeTemp(t, d+".xmp", packet))
		if err != nil {
			t.Fatalf("%s sidecar: %v", d, err)
		}
		for where, got := range map[string][]Region{"embedded": embedded.Regions, "sidecar": side.Regions} {
			if len(got) != len(want) {
				t.Fatalf("%s %s: regions %+v, want %+v", d, where, got, want)
			}
			for i := range want {
				if !sameRegion(got[i], want[i]) {
					t.Errorf("%s %s: region %d = %+v, want %+v", d, where, i, got[i], want[i])
				}
			}
		}
	}
}

// Regions that are not named faces, or lie outside the picture, or are
// hostile, are left out without losing the rest of the file's metadata.
func TestFaceRegionsRefused(t *testing.T) {
	pkt := string(testkit.FacesXMP(testkit.MWG, 10, 10,
		testkit.Face{Name: "", X: 0.1, Y: 0.1, W: 0.1, H: 0.1},
		testkit.Face{Name: "Out", X: 0.9, Y: 0.9, W: 0.5, H: 0.5},
		testkit.Face{Name: "Zero", X: 0.1, Y: 0.1, W: 0, H: 0.1},
		testkit.Face{Name: "Ok", X: 0.1, Y: 0.1, W: 0.1, H: 0.1},
	))
	pet := strings.Replace(pkt, `mwg-rs:Name="Ok" mwg-rs:Type="Face"`, `mwg-rs:Name="Ok" mwg-rs:Type="Pet"`, 1)
	if got := parseRegions([]byte(pkt)); len(got) != 1 || got[0].Name != "Ok" {
		t.Errorf("regions %+v, want only Ok", got)
	}
	if got := parseRegions([]byte(pet)); len(got) != 0 {
		t.Errorf("a pet's region read as a face: %+v", got)
	}
	mp := string(testkit.FacesXMP(testkit.MP, 10, 10, testkit.Face{Name: "X", X: 0.1, Y: 0.1, W: 0.1, H: 0.1}))
	for _, bad := range []string{"NaN, 0.1, 0.1, 0.1", "0.1, 0.1", "1e308, 0, 1, 1", "-0.5, 0, 0.2, 0.2"} {
		s := strings.Replace(mp, "0.100000, 0.100000, 0.100000, 0.100000", bad, 1)
		if got := parseRegions([]byte(s)); len(got) != 0 {
			t.Errorf("rectangle %q read as %+v", bad, got)
		}
	}
	// Thousands of regions: capped.
	var many []testkit.Face
	for i := 0; i < 500; i++ {
		many = append(many, testkit.Face{Name: "P", X: 0.1, Y: 0.1, W: 0.1, H: 0.1})
	}
	if got := parseRegions(testkit.FacesXMP(testkit.MP, 10, 10, many...)); len(got) != maxRegions {
		t.Errorf("%d regions kept, want the cap %d", len(got), maxRegions)
	}
	// Broken XML after a good region: what was read stays, nothing panics.
	cut := pkt[:strings.Index(pkt, "</rdf:Bag>")] + "<rdf:li><rdf:Description mwg-rs:Name=\"X\"><<<"
	if got := parseRegions([]byte(cut)); len(got) != 1 {
		t.Errorf("truncated packet: %+v", got)
	}
}

// DisplayRect turns a stored-picture rectangle as the orientation shows
// the picture: checked by turning a pixel's centre by hand.
func TestRegionDisplayRect(t *testing.T) {
	r := Region{Name: "A", X: 0.1, Y: 0.2, W: 0.3, H: 0.1}
	for _, tc := range []struct {
		o    int
		want Region
	}{
		{1, Region{"A", 0.1, 0.2, 0.3, 0.1}},
		{2, Region{"A", 0.6, 0.2, 0.3, 0.1}},
		{3, Region{"A", 0.6, 0.7, 0.3, 0.1}},
		{4, Region{"A", 0.1, 0.7, 0.3, 0.1}},
		{5, Region{"A", 0.2, 0.1, 0.1, 0.3}},
		{6, Region{"A", 0.7, 0.1, 0.1, 0.3}}, // top-left of stored → top-right shown
		{7, Region{"A", 0.7, 0.6, 0.1, 0.3}},
		{8, Region{"A", 0.2, 0.6, 0.1, 0.3}},
	} {
		if got := r.DisplayRect(tc.o); !sameRegion(got, tc.want) {
			t.Errorf("orientation %d: %+v, want %+v", tc.o, got, tc.want)
		}
	}
}

// Merge takes the faces whole from the winning sidecar, else from the
// picture, and turns them by the photo's orientation.
func TestMergeFaces(t *testing.T) {
	a := []Region{{Name: "Anna", X: 0.1, Y: 0.2, W: 0.3, H: 0.1}}
	b := []Region{{Name: "Bo", X: 0.5, Y: 0.5, W: 0.1, H: 0.1}}
	jpg := FileInfo{ID: 1, Name: "a.jpg", Kind: KindImage, Info: Info{Width: 40, Height: 30, Orientation: 6, Regions: a}}
	for _, tc := range []struct {
		name  string
		files []FileInfo
		want  []Region
	}{
		{"picture only", []FileInfo{jpg}, []Region{{"Anna", 0.7, 0.1, 0.1, 0.3}}},
		{"sidecar wins", []FileInfo{jpg, {ID: 2, Name: "a.xmp", Kind: KindSidecar, Info: Info{Regions: b}}}, []Region{{"Bo", 0.4, 0.5, 0.1, 0.1}}},
		{"sidecar without faces", []FileInfo{jpg, {ID: 2, Name: "a.xmp", Kind: KindSidecar, Info: Info{Title: "t"}}}, []Region{{"Anna", 0.7, 0.1, 0.1, 0.3}}},
		{"from the RAW when the JPEG has none", []FileInfo{{ID: 1, Name: "a.jpg", Kind: KindImage, Info: Info{Width: 40, Height: 30}}, {ID: 3, Name: "a.nef", Kind: KindRaw, Info: Info{Regions: b}}}, b},
	} {
		got := Merge(tc.files, nil, time.Time{}).Faces
		if len(got) != len(tc.want) {
			t.Fatalf("%s: faces %+v, want %+v", tc.name, got, tc.want)
		}
		for i := range got {
			if !sameRegion(got[i], tc.want[i]) {
				t.Errorf("%s: face %+v, want %+v", tc.name, got[i], tc.want[i])
			}
		}
	}
}

func TestRegionsSurviveTheStoredJSON(t *testing.T) {
	in := Info{Regions: []Region{{Name: "Anna", X: 0.1, Y: 0.2, W: 0.3, H: 0.4}}}
	b, err := json.Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"regions":[{"name":"Anna"`) {
		t.Errorf("stored JSON %s", b)
	}
	var out Info
	if err := out.UnmarshalJSON(b); err != nil || len(out.Regions) != 1 || !sameRegion(out.Regions[0], in.Regions[0]) {
		t.Errorf("round trip: %+v %v", out.Regions, err)
	}
}
