package meta

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// fuzzSeeds are small corpus files, one per container format.
var fuzzSeeds = []string{
	"exiftool-t/GPS.jpg",
	"exiftool-t/IPTC.jpg",
	"exiftool-t/XMP.jpg",
	"exiftool-t/QuickTime.heic",
	"exiftool-t/PNG.png",
	"exiftool-t/RIFF.webp",
	"exiftool-t/Nikon.nef",
	"exiftool-t/Panasonic.rw2",
	"exiftool-t/CanonRaw.crw",
	"exiftool-t/Sigma.x3f",
	"exiftool-t/Minolta.mrw",
	"exiftool-t/Matroska.mkv",
	"exiftool-t/RIFF.avi",
	"exiftool-t/QuickTime.mov",
	"exiftool-t/JXL2.jxl",
	"exiftool-t/DNG.dng",
}

// FuzzRead feeds arbitrary bytes to the readers through an in-memory
// io.ReaderAt. Read must return, and a recovered parser panic is a bug.
func FuzzRead(f *testing.F) {
	for _, rel := range fuzzSeeds {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, filepath.Ext(rel))
	}
	// Movies with the user data the corpus lacks: Apple keys, ©day,
	// loci, and a GoPro GPMF track.
	gpmf := gpmfSample(47.3769, 8.5417, 408.2)
	f.Add(testkit.Movie("qt  ", testkit.MovieHeader(time.Date(2023, 9, 22, 16, 34, 7, 0, time.UTC)), testkit.Track("vide", "hvc1", 1920, 1080),
		testkit.Track("meta", "gpmd", 0, 0, testkit.Box("stsz", u32(0), u32(0), u32(1), u32(uint32(len(gpmf)))), testkit.Box("stco", u32(0), u32(1), u32(0))),
		appleKeys([2]string{"com.apple.quicktime.creationdate", "2023-09-22T18:34:05+0200"},
			[2]string{"com.apple.quicktime.location.ISO6709", "+52.4597+013.3220+051.178/"}),
		testkit.Box("udta", qtText("\xa9day", "2021-06-01T10:00:00-0700"), testkit.Box("loci", u32(0), u16(0), []byte("x\x00\x00"),
			fixed1616(151.2), fixed1616(-33.8), fixed1616(5))), testkit.Box("mdat", gpmf)), ".mov")
	mtime := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		if len(ext) > 8 {
			ext = ext[:8]
		}
		type result struct {
			info *Info
			err  error
		}
		done := make(chan result, 1)
		go func() {
			i, err := readFrom(bytes.NewReader(data), int64(len(data)), "f"+ext, mtime)
			done <- result{i, err}
		}()
		var info *Info
		var err error
		select {
		case r := <-done:
			info, err = r.info, r.err
		case <-time.After(time.Second):
			t.Fatalf("read of %d bytes (%q) took over a second", len(data), ext)
		}
		if info == nil {
			t.Fatalf("nil info (err %v)", err)
		}
		if err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
		if info.HasGPS && !validGPS(info.Lat, info.Lng) {
			t.Fatalf("invalid position %v,%v accepted", info.Lat, info.Lng)
		}
		if info.Taken.IsZero() {
			t.Fatal("no taken time: the file time fallback failed")
		}
	})
}

// FuzzXMP checks the XMP parser and the value parsers it feeds.
func FuzzXMP(f *testing.F) {
	f.Add([]byte(sidecarXMP))
	for _, rel := range []string{"exif-py/jpg/xmp/BlueSquare.jpg", "photoprism/internal/meta/testdata/digikam.jpg"} {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		// Just the packet: a small seed keeps the fuzzer fast.
		i := bytes.Index(b, []byte("<x:x"))
		j := bytes.LastIndex(b, []byte("meta>"))
		if i < 0 || j < i {
			f.Fatalf("%s: no XMP packet", rel)
		}
		f.Add(b[i : j+5])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := parseXMP(data)
		if err == nil && x == nil {
			t.Fatal("nil facts without error")
		}
		if x != nil && x.hasGPS && !validGPS(x.lat, x.lng) {
			t.Fatalf("invalid position %v,%v accepted", x.lat, x.lng)
		}
		if x != nil && x.hasRating && (x.rating < -1 || x.rating > 5) {
			t.Fatalf("rating %d out of range", x.rating)
		}
		splitXMPDate(string(data))
		xmpCoordinate(string(data))
		parseISO6709(string(data))
		parseIIM(data)
	})
}

// FuzzDateFromName checks that any date found is a real date in range.
func FuzzDateFromName(f *testing.F) {
	for _, s := range []string{"IMG_20190131_142233.jpg", "2019-01-31 14.22.33.jpg", "PXL_20210101_120000123.jpg",
		"Screenshot_2020-05-01-10-11-12.png", "VID-20200101-WA0001.mp4", "20190230.jpg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d, ok := DateFromName(name)
		if !ok {
			return
		}
		if d.Year() < 1900 || d.Year() > time.Now().Year()+1 || d.Location() != time.UTC {
			t.Fatalf("DateFromName(%q) = %v", name, d)
		}
	})
}

// FuzzMakerNote feeds arbitrary maker notes, under each vendor's make, to
// the note reader inside a valid EXIF block. It must return quickly, never
// panic, and only report an ISO a camera can have.
func FuzzMakerNote(f *testing.F) {
	for _, c := range makerNoteCases() {
		f.Add(c.note(200), c.make)
	}
	f.Fuzz(func(t *testing.T, note []byte, mk string) {
		if len(mk) > 64 {
			mk = mk[:64]
		}
		exif := tiffWithNote(binary.LittleEndian, mk, "X", nil, func(int) []byte { return note })
		done := make(chan makerFacts, 1)
		go func() {
			d, err := decodeEXIF(exif)
			if err != nil {
				done <- makerFacts{}
				return
			}
			// Not makerNoteSafe: a panic must fail here.
			done <- d.makerNote(mk, "X")
		}()
		select {
		case facts := <-done:
			if facts.iso < 0 || facts.iso >= 1<<24 {
				t.Fatalf("ISO %d read", facts.iso)
			}
		case <-time.After(time.Second):
			t.Fatalf("a %d-byte note under make %q took over a second", len(note), mk)
		}
	})
}
