//go:build unix

package thumbs

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Animated WebPs as libwebp writes them (through ffmpeg's libwebp_anim
// encoder): lossy frames (later ones with ALPH, as libwebp blends
// sub-frames), lossless frames, and frames with transparency. Each shows
// its first frame, which x/image/webp alone refuses.
func TestRealAnimatedWebP(t *testing.T) {
	ff := realFFmpeg(t)
	dir := t.TempDir()
	// A moving test pattern whose hue turns half a circle by the sixth
	// frame.
	const src = "testsrc2=size=480x360:rate=10,hue=H=2*PI*t"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ff, append([]string{"-nostdin", "-loglevel", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v %s", args, err, out)
		}
	}
	frame := func(n string) image.Image {
		t.Helper()
		p := filepath.Join(dir, "frame"+n+".png")
		run("-f", "lavfi", "-i", src, "-vf", "select=eq(n\\,"+n+")", "-frames:v", "1", p)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	first, later := frame("0"), frame("5")
	// Half-transparent over white, as the thumbnail shows it.
	faded := image.NewRGBA(first.Bounds())
	draw.Draw(faded, faded.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.DrawMask(faded, faded.Rect, first, image.Point{}, image.NewUniform(color.Alpha{0x80}), image.Point{}, draw.Over)

	cases := []struct {
		name string
		args []string
		want image.Image
		max  float64 // mean luma difference allowed (lossy coding)
	}{
		// Measured: 7.9 for lossy (a still WebP of the frame gives the
		// same), 1.1 lossless (the thumbnail's own JPEG coding), 4.0 with
		// alpha; the sixth frame 19, 27 and 64.
		{"lossy", []string{"-lossless", "0", "-quality", "90"}, first, 10},
		{"lossless", []string{"-lossless", "1"}, first, 3},
		{"alpha", []string{"-lossless", "0", "-quality", "90", "-pix_fmt", "yuva420p"}, faded, 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".webp")
			input := []string{"-f", "lavfi", "-i", src, "-t", "1"}
			if c.name == "alpha" {
				input = []string{"-f", "lavfi", "-i", src + ",format=rgba,colorchannelmixer=aa=0.5", "-t", "1"}
			}
			run(append(append(input, "-c:v", "libwebp_anim", "-loop", "0"), append(c.args, p)...)...)
			b, err := Render(context.Background(), p, mustSize(t, "fit_720"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := decodeBytes(t, b)
			if got.Bounds().Size() != image.Pt(480, 360) {
				t.Fatalf("size %v, want the 480×360 canvas", got.Bounds().Size())
			}
			d, dl := meanDiff(got, c.want), meanDiff(got, later)
			t.Logf("mean luma difference to the first frame %.1f, to the sixth %.1f", d, dl)
			if d > c.max || dl < 2*d {
				t.Errorf("differs from the first frame by %.1f (want ≤ %.0f) and from the sixth by %.1f", d, c.max, dl)
			}
		})
	}
}
