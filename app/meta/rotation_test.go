package meta

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// turnedMovie is the smallest MP4 with one video track of w×h frames whose
// display matrix has a, b, c, d (16.16 fixed point).
func turnedMovie(w, h int, a, b, c, d int32) []byte {
	tkhd := make([]byte, 84)
	for i, v := range []int32{a, b, 0, c, d, 0, 0, 0, 0x40000000} {
		binary.BigEndian.PutUint32(tkhd[40+4*i:], uint32(v))
	}
	binary.BigEndian.PutUint32(tkhd[76:], uint32(w)<<16)
	binary.BigEndian.PutUint32(tkhd[80:], uint32(h)<<16)
	hdlr := append(make([]byte, 8), "vide\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)
	return append(testkit.Box("ftyp", []byte("isom\x00\x00\x02\x00isommp41")),
		testkit.Box("moov", testkit.Box("trak", testkit.Box("tkhd", tkhd), testkit.Box("mdia", testkit.Box("hdlr", hdlr))))...)
}

// A phone's portrait video is stored as landscape frames with a quarter
// turn in its track header: the library must list it as portrait, or the
// grid and the viewer draw it on its side and cropped.
func TestVideoRotationGivesTheDisplaySize(t *testing.T) {
	const one = 1 << 16
	for _, c := range []struct {
		name       string
		a, b, c, d int32
		rot, w, h  int
	}{
		{"upright", one, 0, 0, one, 0, 1920, 1080},
		{"quarter turn", 0, one, -one, 0, 90, 1080, 1920},
		{"quarter turn back", 0, -one, one, 0, 270, 1080, 1920},
		{"upside down", -one, 0, 0, -one, 180, 1920, 1080},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := turnedMovie(1920, 1080, c.a, c.b, c.c, c.d)
			info, err := readFrom(bytes.NewReader(b), int64(len(b)), "clip.mp4", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if info.Width != 1920 || info.Height != 1080 {
				t.Errorf("stored size %dx%d, want the frames' 1920x1080", info.Width, info.Height)
			}
			if info.Rotation != c.rot || info.DisplayWidth() != c.w || info.DisplayHeight() != c.h {
				t.Errorf("rotation %d, display %dx%d; want %d, %dx%d", info.Rotation, info.DisplayWidth(), info.DisplayHeight(), c.rot, c.w, c.h)
			}
		})
	}
}

// The corpus has a real one: an HEVC QuickTime movie turned a quarter.
func TestCorpusRotatedVideo(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "corpus", "photoprism", "pkg", "media", "video", "testdata", "quicktime-hvc1.mov")
	if _, err := os.Stat(path); err != nil {
		t.Skip("corpus not here:", err)
	}
	info, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.DisplayWidth() != 720 || info.DisplayHeight() != 1280 {
		t.Errorf("display %dx%d (stored %dx%d, rotation %d), want 720x1280", info.DisplayWidth(), info.DisplayHeight(), info.Width, info.Height, info.Rotation)
	}
}
