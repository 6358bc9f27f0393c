package thumbs

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"

	"pinhole/app/corpus"
)

// Every JPEG of the corpus renders fit_720 at the size exiftool's reading
// predicts (upright, never upscaled), or fails with a reason when the file
// is broken; nothing panics or hangs.
func TestCorpusJPEGSweep(t *testing.T) {
	size := mustSize(t, "fit_720")
	rendered, failed := 0, 0
	for rel, e := range corpus.Exiftool(t) {
		if e["File:MIMEType"] != "image/jpeg" {
			continue
		}
		w, _ := e["File:ImageWidth"].(float64)
		h, _ := e["File:ImageHeight"].(float64)
		o, _ := e["EXIF:Orientation"].(float64)
		b, err := Render(context.Background(), corpus.Path(t, rel), size, Options{})
		if err != nil {
			if !errors.Is(err, ErrBroken) && !errors.Is(err, ErrUnsupported) || Reason(err) == "" {
				t.Errorf("%s: error without a reason: %v", rel, err)
			}
			// A recovered decoder panic is refused with a reason like any
			// broken file, but it is a bug.
			if strings.Contains(err.Error(), "panic") {
				t.Errorf("%s: the decoder panicked (recovered): %v", rel, err)
			} else if !imagelessFixture(rel) {
				t.Errorf("%s: refused, but it holds a picture: %v", rel, err)
			}
			failed++
			continue
		}
		rendered++
		if w == 0 || h == 0 {
			continue
		}
		if o >= 5 && o <= 8 {
			w, h = h, w
		}
		ow, oh := size.outputSize(int(w), int(h))
		if got := decodeBytes(t, b).Bounds().Size(); got != image.Pt(ow, oh) {
			t.Errorf("%s: got %v, want %dx%d", rel, got, ow, oh)
		}
	}
	t.Logf("%d rendered, %d refused with a reason", rendered, failed)
	if rendered < 175 { // 183 at the time of writing; the rest are truncated EXIF fixtures
		t.Errorf("only %d corpus JPEGs rendered", rendered)
	}
}

// imagelessFixture: goexif's sample files named *-sep-* are the start of a
// photo cut off in or just after its EXIF block, and its corrupt/ files are
// EXIF blocks cut at 64 KB: none holds picture data, so refusing them is
// right. Any other corpus JPEG must render.
func imagelessFixture(rel string) bool {
	return strings.HasPrefix(rel, "goexif/exif/samples/") && strings.Contains(rel, "-sep-") ||
		strings.HasPrefix(rel, "goexif/exif/corrupt/")
}
