package thumbs

import (
	"context"
	"errors"
	"image"
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
			t.Logf("%s: %v", rel, err)
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
