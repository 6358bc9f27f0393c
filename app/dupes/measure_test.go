package dupes

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"pinhole/app/corpus"
	"pinhole/app/demo"
	"pinhole/db"
	"pinhole/thumbs"
)

// sample is one picture of the measurement set: its file and the
// original it was made from (pictures of one origin are near-identical;
// of two origins, distinct).
type sample struct {
	path   string
	origin int
	kind   string
	scene  int // a burst's frames share it
}

// original is a picture to make copies of; pictures with the same key are
// one shot (a camera's HDR and plain versions of the same frame, which
// the corpus holds as pairs) and count as near-identical.
type original struct {
	img image.Image
	key string
}

// loadOriginals returns upright pictures to make copies of: the corpus's
// decodable JPEGs of at least 320 px (one of each picture: the corpus
// holds the same photo with other metadata), and demoCount demo
// landscapes, which all share a layout (sky, hills, water): distinct but
// similar photos. Pictures over 2 MP are scaled down first (the hash sees
// 256 px; this only saves the test time).
func loadOriginals(t testing.TB, maxCorpus int, demoCount int, seed int64) []original {
	t.Helper()
	var out []original
	var seen [][]float64
	add := func(img image.Image, key string) {
		b := img.Bounds()
		if mp := float64(b.Dx()*b.Dy()) / 2e6; mp > 1 {
			img = resized(img, 1/math.Sqrt(mp))
		}
		sig := greyCells(img, 16, 16)
		for _, s := range seen {
			d := 0.0
			for i := range s {
				d += math.Abs(s[i] - sig[i])
			}
			if d/256 < 4 { // the same picture with other metadata
				return
			}
		}
		seen = append(seen, sig)
		out = append(out, original{img, key})
	}
	if maxCorpus > 0 {
		root := corpus.Dir(t)
		var paths []string
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(strings.ToLower(p), ".jpg") || strings.HasSuffix(strings.ToLower(p), ".jpeg")) {
				paths = append(paths, p)
			}
			return nil
		})
		sort.Strings(paths)
		for _, p := range paths {
			if len(out) >= maxCorpus {
				break
			}
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
			if err != nil || min(cfg.Width, cfg.Height) < 320 || cfg.Width*cfg.Height > 30e6 {
				continue
			}
			img, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil {
				continue
			}
			key := strings.NewReplacer("_hdr_YES", "", "_hdr_NO", "").Replace(p)
			add(img, key)
		}
	}
	if demoCount == 0 {
		return out
	}
	dir := t.TempDir()
	if err := demo.Generate(context.Background(), dir, demo.Options{Count: demoCount, MinMP: 0.3, MaxMP: 0.6, Seed: seed, Quality: 92}, nil); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(p), ".jpg") {
			return nil
		}
		b, _ := os.ReadFile(p)
		if img, err := jpeg.Decode(bytes.NewReader(b)); err == nil {
			add(img, p)
		}
		return nil
	})
	return out
}

func encode(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func resized(img image.Image, f float64) image.Image {
	b := img.Bounds()
	w, h := max(1, int(float64(b.Dx())*f)), max(1, int(float64(b.Dy())*f))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// cropped cuts fractions off the left, top, right and bottom.
func cropped(img image.Image, l, t, r, bt float64) image.Image {
	b := img.Bounds()
	rect := image.Rect(b.Min.X+int(l*float64(b.Dx())), b.Min.Y+int(t*float64(b.Dy())),
		b.Max.X-int(r*float64(b.Dx())), b.Max.Y-int(bt*float64(b.Dy())))
	dst := image.NewRGBA(image.Rect(0, 0, rect.Dx(), rect.Dy()))
	draw.Draw(dst, dst.Bounds(), img, rect.Min, draw.Src)
	return dst
}

// brightened scales every channel by f, clipping at white.
func brightened(img image.Image, f float64) image.Image {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8(min(255, math.Round(float64(v)*f)))
	}
	for i := 0; i < len(dst.Pix); i += 4 {
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2] = lut[dst.Pix[i]], lut[dst.Pix[i+1]], lut[dst.Pix[i+2]]
	}
	return dst
}

// burst makes frames of a scene with someone running across it while the
// camera follows a little: a dark figure about 45% of the frame high, a
// third of the width further on in each frame, the view panned 3%.
func burst(img image.Image, frames int) []image.Image {
	var out []image.Image
	for f := 0; f < frames; f++ {
		fr := cropped(img, 0.03*float64(f), 0.03, 0.06-0.03*float64(f), 0.03).(*image.RGBA)
		w, h := fr.Bounds().Dx(), fr.Bounds().Dy()
		cx, cy := float64(w)*(0.17+0.33*float64(f)), float64(h)*0.62
		bw, bh := float64(h)*0.08, float64(h)*0.17
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				fx, fy := float64(x)-cx, float64(y)-cy
				body := (fx/bw)*(fx/bw)+(fy/bh)*(fy/bh) <= 1
				head := fx*fx+(fy+bh*1.3)*(fy+bh*1.3) <= bw*bw*0.5
				legs := fy > 0 && fy < bh*1.6 && (math.Abs(fx-fy*0.25) < bw*0.3 || math.Abs(fx+fy*0.25) < bw*0.3)
				if body || head || legs {
					fr.SetRGBA(x, y, color.RGBA{40, 32, 45, 255})
				}
			}
		}
		out = append(out, fr)
	}
	return out
}

// variants are the near-identical copies made of each original.
var variants = []struct {
	name string
	make func(image.Image) (image.Image, int)
}{
	{"original", func(i image.Image) (image.Image, int) { return i, 92 }},
	{"half size", func(i image.Image) (image.Image, int) { return resized(i, 0.5), 90 }},
	{"quarter size q80", func(i image.Image) (image.Image, int) { return resized(i, 0.25), 80 }},
	{"q50", func(i image.Image) (image.Image, int) { return i, 50 }},
	{"q70", func(i image.Image) (image.Image, int) { return i, 70 }},
	{"q95", func(i image.Image) (image.Image, int) { return i, 95 }},
	{"crop 5% left", func(i image.Image) (image.Image, int) { return cropped(i, 0.05, 0, 0, 0), 90 }},
	{"crop 5% top right", func(i image.Image) (image.Image, int) { return cropped(i, 0, 0.05, 0.05, 0), 90 }},
	{"crop 2.5% around", func(i image.Image) (image.Image, int) { return cropped(i, 0.025, 0.025, 0.025, 0.025), 90 }},
	{"brighter 15%", func(i image.Image) (image.Image, int) { return brightened(i, 1.15), 90 }},
	{"darker 15%", func(i image.Image) (image.Image, int) { return brightened(i, 0.85), 90 }},
	{"half size, q60, 10% brighter", func(i image.Image) (image.Image, int) { return brightened(resized(i, 0.5), 1.1), 60 }},
}

// buildSet writes the measurement set to dir: every variant of each
// original, and three frames of a burst over each background. It returns
// the samples, each with its origin (the index of its shot).
func buildSet(t testing.TB, dir string, originals []original, backgrounds []original) []sample {
	t.Helper()
	var out []sample
	scene := 0
	write := func(img image.Image, q, origin int, kind string) {
		p := filepath.Join(dir, fmt.Sprintf("%04d.jpg", len(out)))
		if err := os.WriteFile(p, encode(t, img, q), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, sample{p, origin, kind, scene})
	}
	shot := map[string]int{}
	for _, o := range originals {
		origin, ok := shot[o.key]
		if !ok {
			origin = len(shot)
			shot[o.key] = origin
		}
		for _, v := range variants {
			im, q := v.make(o.img)
			write(im, q, origin, v.name)
		}
	}
	// Every frame of a burst is a photo of its own.
	origin := len(shot)
	for i, bg := range backgrounds {
		scene = 1 + i
		for _, fr := range burst(bg.img, 3) {
			write(fr, 90, origin, "burst frame")
			origin++
		}
	}
	return out
}

// hashFiles renders each file's fit_256 with the thumbnail service, as
// the server does, and hashes it.
func hashFiles(t testing.TB, set []sample) []Hashes {
	t.Helper()
	svc, err := thumbs.New(thumbs.Config{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	out := make([]Hashes, len(set))
	for i, s := range set {
		b, err := os.ReadFile(s.path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha1.Sum(b)
		img, err := Rendition(context.Background(), svc, thumbs.Source{Path: s.path, Hash: hex.EncodeToString(sum[:]), MIME: "image/jpeg"})
		if err != nil {
			t.Fatalf("%s: %v", s.path, err)
		}
		out[i] = HashImage(img)
	}
	return out
}

// TestPrecisionRecall measures Near on generated groups: every pair of
// pictures of one shot (an original and its resized, recompressed,
// cropped and brightened copies) should be near, every pair of distinct
// pictures (other corpus photos, demo landscapes that share one layout,
// burst frames with someone running across) should not. The set is
// rendered and hashed as the server does (fit_256 through thumbs at
// background priority); the hashing rate and the heap's peak are logged.
func TestPrecisionRecall(t *testing.T) {
	nCorpus, nDemo, nBursts := 30, 16, 6
	if testing.Short() {
		nCorpus, nDemo = 10, 6
	}
	originals := loadOriginals(t, nCorpus, nDemo, 11)
	backgrounds := loadOriginals(t, 0, nBursts, 99)
	set := buildSet(t, t.TempDir(), originals, backgrounds)

	// The heap's peak while hashing, sampled, over what the test holds
	// before (the decoded originals are dropped first).
	nShots, nFrames := len(originals), 3*len(backgrounds)
	originals, backgrounds = nil, nil
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	hs := hashFiles(t, set)
	took := time.Since(start)
	close(stop)
	<-done

	tp, fp, fn := 0, 0, 0
	var missed []string
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			same, near := set[i].origin == set[j].origin, Near(hs[i], hs[j])
			switch {
			case near && same:
				tp++
			case near && !same:
				fp++
				t.Logf("distinct but near: %s (%s) ~ %s (%s): %d", filepath.Base(set[i].path), set[i].kind, filepath.Base(set[j].path), set[j].kind, hs[i].Sum(hs[j]))
			case same:
				fn++
				if len(missed) < 8 {
					missed = append(missed, fmt.Sprintf("%s ~ %s: %d", set[i].kind, set[j].kind, hs[i].Sum(hs[j])))
				}
			}
		}
	}
	// The burst rule (one camera, seconds apart) joins at BurstThreshold:
	// how many pairs of frames of one burst it would join, and how many
	// pairs of distinct shots lie that close (joined only if one camera
	// took them seconds apart).
	frames, framesNear, distinct, distinctNear := 0, 0, 0, 0
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			if set[i].origin == set[j].origin {
				continue
			}
			near := hs[i].Sum(hs[j]) <= BurstThreshold
			if set[i].kind == "burst frame" && set[j].kind == "burst frame" && set[i].scene == set[j].scene {
				frames++
				if near {
					framesNear++
				}
			} else {
				distinct++
				if near {
					distinctNear++
				}
			}
		}
	}
	t.Logf("burst rule (≤ %d): %d of %d pairs of frames of one burst, %d of %d pairs of other distinct pictures",
		BurstThreshold, framesNear, frames, distinctNear, distinct)
	precision, recall := float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn))
	t.Logf("%d pictures (%d shots, %d burst frames): precision %.3f recall %.3f (tp %d fp %d fn %d) at threshold %d",
		len(set), nShots, nFrames, precision, recall, tp, fp, fn, Threshold)
	t.Logf("hashing (render fit_256 + hash): %.1f pictures/s, heap peak %.1f MB (%.1f MB in use before)",
		float64(len(set))/took.Seconds(), float64(peak)/(1<<20), float64(base.HeapInuse)/(1<<20))
	// What a person sees: a burst whose frames all land in one group
	// (frames join through each other).
	var burstPhotos []db.Hashed
	for i, sm := range set {
		if sm.kind == "burst frame" {
			h := db.Hashed{P: hs[i].P, D: hs[i].D}
			h.ID, h.Make, h.Model = int64(i+1), "Pinhole", "Burst"
			h.TakenAt = fmt.Sprintf("2024-05-01 12:%02d:%02d", sm.scene, i%3) // one scene a minute, frames a second apart
			burstPhotos = append(burstPhotos, h)
		}
	}
	whole := 0
	for _, g := range GroupPhotos(burstPhotos, nil) {
		if len(g.Photos) == 3 && g.Kind == "burst" {
			whole++
		}
	}
	t.Logf("bursts grouped whole: %d of %d", whole, nFrames/3)
	if whole*10 < nFrames/3*8 {
		t.Errorf("%d of %d bursts grouped whole, want at least 80%%", whole, nFrames/3)
	}
	if precision < 0.95 || recall < 0.90 {
		t.Errorf("precision %.3f (want ≥ 0.95), recall %.3f (want ≥ 0.90); missed e.g. %v", precision, recall, missed)
	}
}
