package thumbs

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// TestMain lets the test binary stand in for child processes: fake helper
// programs (so the helper plumbing is tested without libheif or ffmpeg),
// the writer that gets killed mid-write, and the load test's clean process.
func TestMain(m *testing.M) {
	switch os.Getenv("PINHOLE_THUMBS_CHILD") {
	case "fake-heif": // heif-convert -q 92 IN OUT
		args := os.Args[1:]
		if len(args) != 4 || args[0] != "-q" {
			fmt.Fprintln(os.Stderr, "bad arguments:", args)
			os.Exit(2)
		}
		jpg := testkit.JPEG(testkit.Photo{W: 640, H: 480, Seed: 3})
		if err := os.WriteFile(args[3], jpg, 0o644); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case "fake-ffmpeg": // ffmpeg … -i IN -frames:v 1 … -
		joined := strings.Join(os.Args[1:], " ")
		if !strings.Contains(joined, "-frames:v 1") || os.Args[len(os.Args)-1] != "-" {
			fmt.Fprintln(os.Stderr, "bad arguments:", joined)
			os.Exit(2)
		}
		// The frame of earth.mov (480×270), or the size asked for.
		w, h := 480, 270
		fmt.Sscanf(os.Getenv("PINHOLE_FAKE_FRAME"), "%dx%d", &w, &h)
		jpg := testkit.JPEG(testkit.Photo{W: w, H: h, Seed: 4})
		os.Stdout.Write(jpg)
		os.Exit(0)
	case "fake-mark": // any helper: leaves a mark that it ran
		os.WriteFile(os.Getenv("PINHOLE_FAKE_MARK"), nil, 0o644)
		os.Exit(1)
	case "fake-hang":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "load":
		loadChild()
		os.Exit(0)
	case "slow-writer":
		slowWriterChild()
		os.Exit(0)
	}
	// The stand-in helpers are Go programs, whose runtime reserves about
	// 700 MB of address space at start; real helpers get far less. Under
	// an emulator (scripts/test-arm.sh) the emulator's own reservations
	// count too: no floor would be safe, so the stand-ins run unlimited.
	helperASFloor = 2 << 30
	if os.Getenv("PINHOLE_TEST_EXEC") != "" {
		helperASFloor = 1 << 50
	}
	os.Exit(m.Run())
}

// slowReader yields zeros forever, pausing between chunks, and announces
// the first chunk on stdout so the parent knows the write has begun.
type slowReader struct{ n int }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.n == 1 {
		fmt.Println("writing")
	}
	r.n++
	time.Sleep(5 * time.Millisecond)
	n := min(len(p), 64<<10)
	copy(p[:n], bytes.Repeat([]byte{0xAB}, n))
	return n, nil
}

func slowWriterChild() {
	path := os.Getenv("PINHOLE_THUMBS_TARGET")
	if err := writeFileAtomic(path, &slowReader{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
