package meta

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/app/corpus"
)

// TestRatingFromXMPAndEXIF reads the star rating wherever programs write
// it: xmp:Rating (Lightroom, digiKam), EXIF Rating and RatingPercent
// (Windows) and Windows' XMP percent. The files are the corpus's digiKam
// JPEG (which has all of them) and copies of it that exiftool rewrites to
// keep only one source, and each answer is held to exiftool's reading.
func TestRatingFromXMPAndEXIF(t *testing.T) {
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed (scripts/deps.sh test installs it)")
	}
	src := corpus.Path(t, "photoprism/internal/meta/testdata/digikam.jpg")
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	// Everything but what a case names is removed.
	strip := []string{"-XMP-xmp:Rating=", "-XMP-acdsee:Rating=", "-XMP-microsoft:RatingPercent=", "-IFD0:Rating=", "-IFD0:RatingPercent="}
	cases := []struct {
		name string
		args []string // exiftool arguments; nil keeps the file as it is
		want int
		// exif is the exiftool tag whose value must agree (stars or,
		// for a percent, the percent that gives want stars).
		exif string
	}{
		{"digikam.jpg as it is (XMP 4, EXIF 4 and 75%)", nil, 4, "XMP-xmp:Rating"},
		{"EXIF Rating only", append(strip, "-IFD0:Rating=3"), 3, "IFD0:Rating"},
		{"EXIF RatingPercent only", append(strip, "-IFD0:RatingPercent=50"), 3, "IFD0:RatingPercent"},
		{"EXIF RatingPercent 99", append(strip, "-IFD0:RatingPercent=99"), 5, "IFD0:RatingPercent"},
		{"EXIF RatingPercent 1", append(strip, "-IFD0:RatingPercent=1"), 1, "IFD0:RatingPercent"},
		{"EXIF Rating wins over RatingPercent", append(strip, "-IFD0:Rating=2", "-IFD0:RatingPercent=99"), 2, "IFD0:Rating"},
		{"Windows XMP percent only", append(strip, "-XMP-microsoft:RatingPercent=75"), 4, "XMP-microsoft:RatingPercent"},
		{"xmp:Rating wins over EXIF", append(strip, "-XMP-xmp:Rating=1", "-IFD0:Rating=5"), 1, "XMP-xmp:Rating"},
		{"no rating anywhere", strip, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "digikam.jpg")
			if err := os.WriteFile(p, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			if c.args != nil {
				args := append([]string{"-q", "-overwrite_original", "-m"}, c.args...)
				if out, err := exec.Command(bin, append(args, p)...).CombinedOutput(); err != nil {
					t.Fatalf("exiftool %v: %v: %s", c.args, err, out)
				}
			}
			in, err := Read(p)
			if err != nil {
				t.Fatal(err)
			}
			if in.Rating != c.want {
				t.Fatalf("rating %d, want %d", in.Rating, c.want)
			}
			out, err := exec.Command(bin, "-j", "-G1", "-n", "-a", "-Rating", "-RatingPercent", p).Output()
			if err != nil {
				t.Fatal(err)
			}
			var tags []map[string]any
			if err := json.Unmarshal(out, &tags); err != nil || len(tags) != 1 {
				t.Fatalf("exiftool output %s: %v", out, err)
			}
			if c.exif == "" {
				for k := range tags[0] {
					if k != "SourceFile" {
						t.Fatalf("exiftool still finds %s in the file", k)
					}
				}
				return
			}
			v, ok := tags[0][c.exif].(float64)
			if !ok {
				t.Fatalf("exiftool finds no %s: %s", c.exif, out)
			}
			if got := int(v); strings.HasSuffix(c.exif, "Percent") {
				if starsOfPercent(got) != c.want {
					t.Fatalf("exiftool reads %s %d%%, which is %d stars; Pinhole read %d", c.exif, got, starsOfPercent(got), c.want)
				}
			} else if got != c.want {
				t.Fatalf("exiftool reads %s %d, Pinhole %d", c.exif, got, c.want)
			}
		})
	}
}

func TestStarsOfPercent(t *testing.T) {
	for p, want := range map[int]int{0: 0, 1: 1, 12: 1, 13: 2, 25: 2, 37: 2, 38: 3, 50: 3, 62: 3, 63: 4, 75: 4, 87: 4, 88: 5, 99: 5, 100: 5} {
		if got := starsOfPercent(p); got != want {
			t.Errorf("starsOfPercent(%d) = %d, want %d", p, got, want)
		}
	}
}

// TestRatingWindowsNamespace reads Windows' percent under the namespace
// name Windows writes (with a final slash; exiftool writes it without).
func TestRatingWindowsNamespace(t *testing.T) {
	pkt := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"><MicrosoftPhoto:Rating>50</MicrosoftPhoto:Rating></rdf:Description>
</rdf:RDF></x:xmpmeta>`
	x, err := parseXMP([]byte(pkt))
	if err != nil {
		t.Fatal(err)
	}
	if !x.hasRating || x.rating != 3 {
		t.Fatalf("rating %d (%v), want 3 stars from 50%%", x.rating, x.hasRating)
	}
}
