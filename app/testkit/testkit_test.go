package testkit_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"pinhole/app/meta"
	"pinhole/app/testkit"
)

// A photo made with EXIF and XMP reads back, through the reader the
// indexer uses, as the test asked for it.
func TestJPEGCarriesItsMetadata(t *testing.T) {
	lisbon := time.FixedZone("", 3600)
	p := testkit.Photo{W: 64, H: 48, Seed: 3,
		Exif: &testkit.Exif{Make: "Canon", Model: "Canon EOS 6D", Orientation: 6,
			Taken: time.Date(2019, 6, 6, 7, 29, 51, 0, lisbon), WithOffset: true,
			GPS: &testkit.GPS{Lat: 38.7223, Lng: -9.1393, Alt: 57}},
		XMP: &testkit.XMP{Title: "Tram 28", Keywords: []string{"Lisbon", "tram"}, Rating: 4},
	}
	b := testkit.JPEG(p)
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 64 || cfg.Height != 48 {
		t.Fatalf("not a 64×48 JPEG: %v %+v", err, cfg)
	}
	info, err := meta.Read(testkit.WriteFile(t, t.TempDir(), "a/IMG_1.jpg", b))
	if err != nil {
		t.Fatal(err)
	}
	if info.Make != "Canon" || info.Model != "Canon EOS 6D" || info.Orientation != 6 {
		t.Errorf("camera %q %q orientation %d", info.Make, info.Model, info.Orientation)
	}
	if !info.HasOffset || !info.Taken.Equal(p.Exif.Taken) {
		t.Errorf("taken %v (offset %v), want %v", info.Taken, info.HasOffset, p.Exif.Taken)
	}
	if !info.HasGPS || math.Abs(info.Lat-38.7223) > 1e-4 || math.Abs(info.Lng+9.1393) > 1e-4 {
		t.Errorf("position %v %v,%v", info.HasGPS, info.Lat, info.Lng)
	}
	if info.Width != 64 || info.Height != 48 {
		t.Errorf("size %d×%d", info.Width, info.Height)
	}
	if info.Title != "Tram 28" || strings.Join(info.Keywords, ",") != "Lisbon,tram" || info.Rating != 4 {
		t.Errorf("xmp: %q %q %d", info.Title, info.Keywords, info.Rating)
	}
	// exiftool, the stricter reader, agrees and finds nothing wrong.
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is not installed: scripts/deps.sh test")
	}
	path := testkit.WriteFile(t, t.TempDir(), "b.jpg", b)
	out, err := exec.Command(bin, "-json", "-n", "-validate", "-warning", "-XMP:Title", "-EXIF:Model", "-EXIF:GPSLatitude", path).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var got []map[string]any
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("exiftool said %s", out)
	}
	// Validate with -n counts errors, warnings and minor warnings.
	if got[0]["Title"] != "Tram 28" || got[0]["Model"] != "Canon EOS 6D" || got[0]["Validate"] != "0 0 0" {
		t.Errorf("exiftool read %v", got[0])
	}
}

// Every seed is a different file (the indexer tells photos apart by their
// content's hash), and the same seed the same file.
func TestSeedsGiveDistinctFiles(t *testing.T) {
	for _, size := range [][2]int{{16, 12}, {24, 16}} {
		seen := map[[20]byte]uint64{}
		for seed := uint64(0); seed < 1200; seed++ {
			h := sha1.Sum(testkit.JPEG(testkit.Photo{W: size[0], H: size[1], Seed: seed}))
			if prev, ok := seen[h]; ok {
				t.Fatalf("%v: seeds %d and %d give the same file", size, prev, seed)
			}
			seen[h] = seed
		}
	}
	if !bytes.Equal(testkit.JPEG(testkit.Photo{Seed: 7}), testkit.JPEG(testkit.Photo{Seed: 7})) {
		t.Error("one seed gave two files")
	}
}

func TestPNGAndKinds(t *testing.T) {
	for _, p := range []testkit.Photo{{W: 30, H: 20}, {W: 30, H: 20, Gray: true}, {W: 30, H: 20, Deep: true}} {
		img, err := png.Decode(bytes.NewReader(testkit.PNG(p)))
		if err != nil || img.Bounds().Dx() != 30 || img.Bounds().Dy() != 20 {
			t.Errorf("%+v: %v %v", p, err, img.Bounds())
		}
	}
	// Noise does not compress: about 0.75 byte per pixel at quality 85.
	if n := len(testkit.JPEG(testkit.Photo{W: 400, H: 300, Noise: true, Quality: 85})); n < 400*300/2 {
		t.Errorf("a noise JPEG of 400×300 is only %d bytes", n)
	}
	// Grey is one component.
	g := testkit.JPEG(testkit.Photo{W: 64, H: 48, Gray: true})
	if img, err := jpeg.Decode(bytes.NewReader(g)); err != nil {
		t.Fatal(err)
	} else if _, ok := img.(*image.Gray); !ok {
		t.Errorf("grey photo decodes as %T", img)
	}
}

// The movie and HEIF boxes read back through the metadata reader.
func TestMovieAndHEIC(t *testing.T) {
	created := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	mov := testkit.Movie("qt  ", testkit.MovieHeader(created), testkit.Track("vide", "hvc1", 1920, 1080))
	info, err := meta.Read(testkit.WriteFile(t, t.TempDir(), "clip.mov", mov))
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != meta.KindVideo || info.Width != 1920 || info.Height != 1080 || info.VideoCodec != "hvc1" || !info.Taken.Equal(created) {
		t.Errorf("movie read as %+v", info)
	}
	mp4, err := meta.Read(testkit.WriteFile(t, t.TempDir(), "big.mp4", testkit.MP4(640, 360)))
	if err != nil || mp4.Width != 640 || mp4.Height != 360 || mp4.VideoCodec != "avc1" {
		t.Errorf("MP4 read as %+v (%v)", mp4, err)
	}
	jpg := testkit.JPEG(testkit.Photo{W: 32, H: 24, Exif: &testkit.Exif{Make: "Apple", Model: "iPhone 12"}})
	heic, err := meta.Read(testkit.WriteFile(t, t.TempDir(), "x.heic", testkit.HEICWithJPEG(jpg)))
	if err != nil || heic.MIME != "image/heic" {
		t.Errorf("HEIC read as %+v (%v)", heic, err)
	}
}

// A playable clip is what ffmpeg encodes: the reader finds its size,
// length and codec.
func TestClip(t *testing.T) {
	p := testkit.Clip(t, t.TempDir(), "clip.mp4", 160, 90, 1500*time.Millisecond)
	info, err := meta.Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 160 || info.Height != 90 || info.VideoCodec != "avc1" || math.Abs(info.Duration-1.5) > 0.1 {
		t.Errorf("clip read as %dx%d %s %.2fs", info.Width, info.Height, info.VideoCodec, info.Duration)
	}
}

// The client sends the credentials it holds — a bearer token, or the
// session cookie with its CSRF header — and JSON, and its failures quote
// the answer's body.
func TestClient(t *testing.T) {
	var last *http.Request
	var lastBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last = r
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		lastBody = b.String()
		switch r.URL.Path {
		case "/api/v1/session":
			http.SetCookie(w, &http.Cookie{Name: "sess", Value: "c00k1e"})
			w.Write([]byte(`{"token":"t0k","csrf_token":"csrf1","thumb_token":"th","user":{"id":7,"username":"ana","role":"admin"}}`))
		case "/teapot":
			w.WriteHeader(418)
			w.Write([]byte(`{"error":"short and stout"}`))
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()

	bearer := testkit.Login(t, srv.URL, "ana", "pw")
	if bearer.Bearer != "t0k" || bearer.ThumbToken != "th" || bearer.UserID != 7 || bearer.Role != "admin" {
		t.Fatalf("login gave %+v", bearer)
	}
	if !strings.Contains(lastBody, `"bearer":true`) {
		t.Errorf("bearer login sent %s", lastBody)
	}
	var out struct{ OK bool }
	bearer.Do("PATCH", "/x", map[string]any{"title": "a"}, 200, &out)
	if !out.OK || last.Header.Get("Authorization") != "Bearer t0k" || last.Header.Get("X-CSRF-Token") != "" ||
		last.Header.Get("Content-Type") != "application/json" || lastBody != `{"title":"a"}` {
		t.Errorf("bearer PATCH: %v %q %v", last.Header, lastBody, out)
	}

	cookie := testkit.LoginCookie(t, srv.URL, "ana", "pw", "sess")
	cookie.Do("POST", "/y", `{"a":1}`, 200, nil)
	if ck, err := last.Cookie("sess"); err != nil || ck.Value != "c00k1e" || last.Header.Get("X-CSRF-Token") != "csrf1" || last.Header.Get("Authorization") != "" {
		t.Errorf("cookie POST: %v %v", last.Header, err)
	}

	code, body := cookie.Send("GET", "/teapot", nil)
	if code != 418 || !strings.Contains(string(body), "stout") {
		t.Errorf("Send: %d %s", code, body)
	}
	// A wrong status fails the test with the body in the message.
	ft := &fakeT{TB: t}
	(&testkit.Client{T: ft, Base: srv.URL}).Get("/teapot", 200, nil)
	if !strings.Contains(ft.msg, "status 418, want 200") || !strings.Contains(ft.msg, "short and stout") {
		t.Errorf("failure message %q", ft.msg)
	}
}

// fakeT records the first fatal message instead of stopping the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	if f.msg == "" {
		f.msg = fmt.Sprintf(format, args...)
	}
}

func TestInsertSegmentsRejectsNonJPEG(t *testing.T) {
	if _, err := testkit.InsertSegments([]byte("\x89PNG\r\n\x1a\n")); err == nil {
		t.Fatal("InsertSegments accepted a PNG")
	}
}

// The files only libjpeg writes come out as asked: progressive, with the
// chroma sampling and restart interval given.
func TestLibjpegFiles(t *testing.T) {
	b := testkit.CJPEG(t, testkit.Photo{W: 64, H: 48}, "", "-progressive", "-sample", "2x1", "-restart", "1")
	if !bytes.Contains(b, []byte{0xFF, 0xC2}) || !bytes.Contains(b, []byte{0xFF, 0xDD}) {
		t.Error("cjpeg wrote no progressive frame or no restart interval")
	}
	if i := bytes.Index(b, []byte{0xFF, 0xC2}); i < 0 || b[i+11] != 0x21 {
		t.Error("luma is not sampled 2×1")
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 64 || cfg.Height != 48 {
		t.Errorf("cjpeg's file: %v %+v", err, cfg)
	}
	p := testkit.ProgressiveFile(t, testkit.Photo{W: 64, H: 48, Seed: 2})
	pb, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pb, []byte{0xFF, 0xC2}) {
		t.Error("jpegtran's file is not progressive")
	}
	if again := testkit.ProgressiveFile(t, testkit.Photo{W: 64, H: 48, Seed: 2}); again != p {
		t.Errorf("the same photo was made twice: %s, %s", p, again)
	}
}
