package thumbs

import (
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// Without helpers, HEIC, AVIF and video get a placeholder reason that tells
// the owner what to install.
func TestMissingHelpersExplain(t *testing.T) {
	for rel, want := range map[string]string{
		"photoprism/assets/examples/iphone_7.heic":                 "HEIC needs heif-convert (apt install libheif-examples)",
		"photoprism/assets/examples/fox.profile0.8bpc.yuv420.avif": "AVIF needs heif-convert (apt install libheif-examples)",
		"photoprism/assets/examples/earth.mov":                     "video preview needs ffmpeg (apt install ffmpeg)",
		"photoprism/pkg/media/video/testdata/isom-avc1.mp4":        "video preview needs ffmpeg (apt install ffmpeg)",
	} {
		_, err := Render(context.Background(), corpus.Path(t, rel), mustSize(t, "tile_224"), Options{})
		if !errors.Is(err, ErrUnsupported) || Reason(err) != want {
			t.Errorf("%s: got %v (reason %q), want reason %q", rel, err, Reason(err), want)
		}
		ph := decodeBytes(t, Placeholder(mustSize(t, "tile_224"), Reason(err)))
		if ph.Bounds().Size() != image.Pt(224, 224) {
			t.Errorf("placeholder size %v", ph.Bounds().Size())
		}
	}
}

// The helper plumbing (arguments, temp files, stdout capture) works, tested
// with the test binary standing in for heif-convert and ffmpeg.
func TestHelperPlumbing(t *testing.T) {
	self := selfExe(t)
	t.Run("heif", func(t *testing.T) {
		t.Setenv("PINHOLE_THUMBS_CHILD", "fake-heif")
		b, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/iphone_7.heic"),
			mustSize(t, "fit_720"), Options{HEIFConvert: self})
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeBytes(t, b).Bounds().Size(); got != image.Pt(640, 480) {
			t.Errorf("got %v, want the helper's 640x480", got)
		}
	})
	t.Run("ffmpeg", func(t *testing.T) {
		t.Setenv("PINHOLE_THUMBS_CHILD", "fake-ffmpeg")
		b, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/earth.mov"),
			mustSize(t, "fit_720"), Options{FFmpeg: self})
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeBytes(t, b).Bounds().Size(); got != image.Pt(480, 270) {
			t.Errorf("got %v, want the 480x270 frame", got)
		}
	})
	// A frame larger than the container declared (a stream whose header
	// lies) is refused: the helper was admitted and limited for less.
	t.Run("ffmpeg frame beyond the header", func(t *testing.T) {
		t.Setenv("PINHOLE_THUMBS_CHILD", "fake-ffmpeg")
		t.Setenv("PINHOLE_FAKE_FRAME", "1920x1080")
		_, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/earth.mov"),
			mustSize(t, "fit_720"), Options{FFmpeg: self})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(Reason(err), "more than its header declared") {
			t.Errorf("got %v, want a refusal of the 1920x1080 frame", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Setenv("PINHOLE_THUMBS_CHILD", "fake-hang")
		start := time.Now()
		_, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/earth.mov"),
			mustSize(t, "fit_720"), Options{FFmpeg: self, HelperTimeout: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "timed out") {
			t.Errorf("want a timeout error, got %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("hung helper held the render for %v", d)
		}
	})
}

// With libheif's heif-convert installed (Debian: libheif-examples), corpus
// HEIC and AVIF files render fully and upright. CI installs it.
func TestHEIFWithHelper(t *testing.T) {
	heif, _ := FindHelpers()
	if heif == "" {
		t.Fatal("heif-convert/heif-dec not on PATH: apt-get install libheif-examples")
	}
	// The full image fitted into 720 (exiftool's size, turned by the
	// orientation): a small embedded preview scaled up, or left small,
	// must not pass as a render of the image.
	for rel, want := range map[string]image.Point{
		"photoprism/assets/examples/iphone_7.heic":                 {540, 720}, // 4032×3024, EXIF orientation only
		"photoprism/assets/examples/iphone_15_pro.heic":            {540, 720}, // 4032×3024, irot and EXIF: rotate once
		"exif-py/heic/spring_1440x960.heic":                        {720, 480},
		"photoprism/assets/examples/fox.profile0.8bpc.yuv420.avif": {720, 478}, // 1204×800
	} {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			b, err := Render(context.Background(), corpus.Path(t, rel), mustSize(t, "fit_720"), Options{HEIFConvert: heif})
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeBytes(t, b).Bounds().Size(); got != want {
				t.Errorf("size %v, want %v", got, want)
			}
		})
	}
}

// Without a helper, a HEIF whose image is stored as a JPEG item still
// renders from that item.
func TestHEIFJPEGItemWithoutHelper(t *testing.T) {
	jpg := testkit.JPEG(testkit.Photo{W: 800, H: 600, Seed: 7, Quality: 85})
	p := testkit.WriteFile(t, t.TempDir(), "item.heic", testkit.HEICWithJPEG(jpg))
	b, err := Render(context.Background(), p, mustSize(t, "fit_720"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeBytes(t, b).Bounds().Size(); got != image.Pt(720, 540) {
		t.Errorf("got %v, want 720x540 from the 800x600 item", got)
	}
}

// Helpers run under their limits from their first instruction: the
// address space, CPU time and file size the plan allows, and no core
// dumps. /proc/self/limits of the helper process itself says so.
func TestHelperLimitsApplyFromTheStart(t *testing.T) {
	lim := helperLimits{as: 256 << 20, cpu: 7 * time.Second, fsize: 5 << 20}
	check := func(t *testing.T, out []byte) {
		t.Helper()
		for _, want := range []string{
			`Max address space\s+268435456\s+268435456`,
			`Max cpu time\s+7\s+12`,
			`Max file size\s+5242880\s+5242880`,
			`Max core file size\s+0\s+0`,
		} {
			if !regexp.MustCompile(want).Match(out) {
				t.Errorf("limits lack %q:\n%s", want, out)
			}
		}
	}
	t.Run("relaunched", func(t *testing.T) {
		if os.Getenv("PINHOLE_TEST_EXEC") != "" {
			t.Skip("an emulator cannot start this program again; the next case covers it")
		}
		out, _, err := runHelper(context.Background(), 5*time.Second, lim, "/bin/cat", "/proc/self/limits")
		if err != nil {
			t.Fatal(err)
		}
		check(t, out)
	})
	// Where this program cannot be started again (an emulator), the
	// helper is limited right after it starts; a child it starts later
	// inherits that.
	t.Run("limited after start", func(t *testing.T) {
		defer func(p string) { launcherPath = p }(launcherPath)
		launcherPath = filepath.Join(t.TempDir(), "missing")
		out, _, err := runHelper(context.Background(), 5*time.Second, lim, "/bin/sh", "-c", "sleep 0.3; cat /proc/$$/limits")
		if err != nil {
			t.Fatal(err)
		}
		check(t, out)
	})
}

// A helper that tries to take 1 GB under a 256 MB address-space limit
// fails at once instead of growing; the error says which limit.
func TestHelperMemoryLimitStopsAHog(t *testing.T) {
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("no perl to stand in for a helper that allocates")
	}
	start := time.Now()
	_, _, err = runHelper(context.Background(), 20*time.Second, helperLimits{as: 256 << 20, cpu: 20 * time.Second},
		perl, "-e", `my $x = "x" x shift; print length $x`, "1073741824")
	if err == nil {
		t.Fatal("a helper allocating 1 GB under a 256 MB limit succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the hog ran for %v", d)
	}
	t.Logf("hog stopped after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// A long helper (a video transcode) runs at a low CPU priority and in the
// idle I/O class from its first instruction, whichever way it is started:
// the kernel's own view of the process says so.
func TestHelperPriorityApplies(t *testing.T) {
	ionice, err := exec.LookPath("ionice")
	if err != nil {
		t.Skip("no ionice to read the I/O class with")
	}
	lim := helperLimits{nice: 10, idleIO: true}
	script := `awk '{print "nice=" $19}' /proc/$$/stat; ` + ionice + ` -p $$`
	check := func(t *testing.T, out []byte) {
		t.Helper()
		if !strings.Contains(string(out), "nice=10") || !strings.Contains(string(out), "idle") {
			t.Errorf("helper not lowered: %s", out)
		}
	}
	t.Run("relaunched", func(t *testing.T) {
		if os.Getenv("PINHOLE_TEST_EXEC") != "" {
			t.Skip("an emulator cannot start this program again")
		}
		out, _, err := runHelper(context.Background(), 5*time.Second, lim, "/bin/sh", "-c", script)
		if err != nil {
			t.Fatal(err)
		}
		check(t, out)
	})
	t.Run("lowered after start", func(t *testing.T) {
		defer func(p string) { launcherPath = p }(launcherPath)
		launcherPath = filepath.Join(t.TempDir(), "missing")
		out, _, err := runHelper(context.Background(), 5*time.Second, lim, "/bin/sh", "-c", "sleep 0.3; "+script)
		if err != nil {
			t.Fatal(err)
		}
		check(t, out)
	})
}
