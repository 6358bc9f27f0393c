package thumbs

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"pinhole/app/corpus"
)

// Wide-gamut photos keep their colours: the thumbnail carries the
// original's ICC profile, byte for byte as exiftool extracts it, for JPEG,
// PNG (iCCP, compressed) and TIFF (tag 34675). sRGB needs no profile.
func TestThumbnailsCarryColourProfiles(t *testing.T) {
	exiftool, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed (scripts/deps.sh test installs it)")
	}
	for _, c := range []struct {
		rel  string
		desc string // what the profile says it is; "" for sRGB
	}{
		{"photoprism/internal/meta/testdata/Iceland-P3.jpg", "Display P3"},
		{"photoprism/assets/examples/example.png", "Adobe RGB (1998)"},
		{"photoprism/assets/examples/example.tif", "Adobe RGB (1998)"},
		{"photoprism/internal/meta/testdata/screenshot.png", "DELL U2515H"},
		{"exif-py/jpg/orientation/landscape_6.jpg", "Generic RGB Profile"},
		{"exiftool-t/XMP.jpg", ""}, // sRGB: the thumbnail needs none
	} {
		path := corpus.Path(t, c.rel)
		want, err := exec.Command(exiftool, "-b", "-ICC_Profile", path).Output()
		if err != nil || len(want) < 128 {
			t.Fatalf("%s: exiftool found no profile (%v)", c.rel, err)
		}
		if c.desc == "" {
			want = nil
		}
		for _, size := range []string{"tile_224", "fit_720"} {
			jpg, err := Render(context.Background(), path, mustSize(t, size), Options{})
			if err != nil {
				t.Fatalf("%s %s: %v", c.rel, size, err)
			}
			info, err := readJPEGInfo(bytes.NewReader(jpg), 0, int64(len(jpg)), true)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(info.ICC, want) {
				t.Errorf("%s %s: thumbnail carries a %d-byte profile, the original a %d-byte %s profile",
					c.rel, size, len(info.ICC), len(want), c.desc)
			}
		}
	}
}
