package thumbs

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime/metrics"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// The parsers in this package read bytes straight from users' files before
// any decoder runs. These fuzz targets feed them arbitrary bytes and insist
// on three things a user would notice on a real library: no panic (the
// server would lose the request), a bounded time (a thumbnail request must
// not hang) and allocations bounded by the input's real size rather than by
// the sizes and counts it declares (a 10 kB file must not cost 1 GB).
//
// CI runs the seeds (corpus files and the crashers kept in
// testdata/fuzz/<Target>); long runs are `go test -fuzz=FuzzX -fuzztime=60s`.

// fuzzSeedFiles are small corpus files, one or two per container kind.
var fuzzSeedFiles = []string{
	"exiftool-t/Nikon.jpg",
	"exiftool-t/Apple.jpg",
	"exiftool-t/ExtendedXMP.jpg",
	"exiftool-t/PNG.png",
	"exiftool-t/RIFF.webp",
	"exiftool-t/QuickTime.heic",
	"exiftool-t/Sigma.x3f",
	"exiftool-t/PhaseOne.iiq",
	"exiftool-t/ExifTool.tif",
	"exiftool-t/Nikon.nef",
	"exiftool-t/Panasonic.rw2",
	"exiftool-t/DNG.dng",
	"exiftool-t/FujiFilm.raf",
	"exiftool-t/CanonRaw.cr3",
	"exif-py/heic/samplefilehub.heif",
	"photoprism/pkg/media/video/testdata/isom-avc1.mp4",
}

// smallSeeds are minimal hand-made headers: the fuzzer mutates small
// inputs far faster than megabyte files, and these reach every branch of
// the walks in a few dozen bytes.
var smallSeeds = [][]byte{
	// TIFF, one IFD: Orientation 6, JPEGInterchangeFormat(Length) 40+8.
	[]byte("II*\x00\x08\x00\x00\x00\x03\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00" +
		"\x01\x02\x04\x00\x01\x00\x00\x00\x32\x00\x00\x00\x02\x02\x04\x00\x01\x00\x00\x00\x08\x00\x00\x00" +
		"\x00\x00\x00\x00\xff\xd8\xff\xc0\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00"),
	// JPEG: SOI, APP1 Exif with a big-endian TIFF, SOF0 16x16.
	[]byte("\xff\xd8\xff\xe1\x00\x22Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x03\x00\x00\x00\x00\x00\x00" +
		"\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xda"),
	// ISOBMFF: ftyp heic, meta with an empty iinf and iloc.
	[]byte("\x00\x00\x00\x10ftypheic\x00\x00\x00\x00\x00\x00\x00\x28meta\x00\x00\x00\x00" +
		"\x00\x00\x00\x0eiinf\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0eiloc\x00\x00\x00\x00\x44\x00"),
	// PNG signature and an eXIf chunk.
	[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x08eXIfII*\x00\x08\x00\x00\x00\x00\x00\x00\x00"),
	// WebP with an EXIF chunk.
	[]byte("RIFF\x1e\x00\x00\x00WEBPEXIF\x0e\x00\x00\x00Exif\x00\x00II*\x00\x08\x00\x00\x00"),
	// RAF header pointing at a JPEG.
	append([]byte("FUJIFILMCCD-RAW 0201FF383501"), make([]byte, 100)...),
}

// ifdBomb builds a TIFF of k full directories (512 entries each) whose
// entries all point at every directory again (SubIFDs) or at one small
// JPEG with a 16 kB APP1 segment (RW2's JpgFromRaw): a few bytes per entry
// that declare a great deal of work and memory to a naive walk.
func ifdBomb(k int) []byte {
	const entries = 512
	const ifdSize = 2 + entries*12 + 4
	le := binary.LittleEndian
	arr := 8 + k*ifdSize // 256 LONG offsets of the directories
	jpg := arr + 256*4
	b := make([]byte, jpg)
	copy(b, "II*\x00")
	le.PutUint32(b[4:], 8)
	for i := range k {
		off := 8 + i*ifdSize
		le.PutUint16(b[off:], entries)
		for e := range entries {
			en := b[off+2+e*12:]
			if e%2 == 0 {
				le.PutUint16(en, tagSubIFDs)
				le.PutUint16(en[2:], 4)
				le.PutUint32(en[4:], 256)
				le.PutUint32(en[8:], uint32(arr))
			} else {
				le.PutUint16(en, tagRW2JpgFromRaw)
				le.PutUint16(en[2:], 7)
				le.PutUint32(en[4:], 16<<10+64)
				le.PutUint32(en[8:], uint32(jpg))
			}
		}
		if i+1 < k {
			le.PutUint32(b[off+2+entries*12:], uint32(off+ifdSize))
		}
	}
	for j := range 256 {
		le.PutUint32(b[arr+j*4:], uint32(8+(j%k)*ifdSize))
	}
	app1 := append([]byte("\xff\xd8\xff\xe1\x40\x02Exif\x00\x00"), make([]byte, 16<<10-6)...)
	b = append(b, app1...)
	return append(b, "\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xda"...)
}

// addSeeds adds every seed file's bytes, the small seeds and an IFD bomb
// to f.
func addSeeds(f *testing.F) {
	f.Helper()
	for _, rel := range fuzzSeedFiles {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range smallSeeds {
		f.Add(b)
	}
	f.Add(ifdBomb(16))
}

const fuzzTimeout = 2 * time.Second

var allocSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}

// heapAllocated returns the bytes allocated on the heap so far, by every
// goroutine: the runtime counts small allocations per span and the fuzzing
// engine allocates too, so it is exact to a few hundred kB, which is why
// every bound below has a floor of at least 1 MB.
func heapAllocated() uint64 {
	metrics.Read(allocSample)
	return allocSample[0].Value.Uint64()
}

// bounded runs fn and fails the test when it panics, takes longer than
// fuzzTimeout or allocates more than maxAlloc bytes.
func bounded(t *testing.T, what string, maxAlloc uint64, fn func()) {
	t.Helper()
	done := make(chan any, 1)
	var allocated uint64
	go func() {
		defer func() { done <- recover() }()
		before := heapAllocated()
		fn()
		allocated = heapAllocated() - before
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	case <-time.After(fuzzTimeout):
		t.Fatalf("%s took over %v", what, fuzzTimeout)
	}
	if allocated > maxAlloc {
		t.Fatalf("%s allocated %d bytes (limit %d)", what, allocated, maxAlloc)
	}
}

// allocLimit is the allocation budget of a parse of n input bytes: a fixed
// floor for buffers and small tables plus a small multiple of the input.
func allocLimit(n int, floor uint64) uint64 { return floor + 8*uint64(n) }

// FuzzSniff: any head, name and MIME type gives a format; a JPEG or PNG
// signature always wins over the name.
func FuzzSniff(f *testing.F) {
	for _, rel := range fuzzSeedFiles {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 32)], rel, "image/jpeg")
	}
	f.Fuzz(func(t *testing.T, head []byte, name, mime string) {
		var got format
		bounded(t, "sniff", 1<<20, func() { got = sniff(head, name, mime) })
		if got < formatUnknown || got > formatVideo {
			t.Fatalf("sniff returned %d", got)
		}
		if bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}) && got != formatJPEG {
			t.Fatalf("a JPEG signature named %q sniffed as %d", name, got)
		}
	})
}

// FuzzJPEGInfo: the marker walk returns a frame size that fits the JPEG
// limits or an error; ICC chunks never grow beyond the cap.
func FuzzJPEGInfo(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var info jpegInfo
		var err error
		bounded(t, "readJPEGInfo", allocLimit(len(data), 1<<20), func() {
			info, err = readJPEGInfo(bytes.NewReader(data), 0, int64(len(data)), true)
		})
		if err != nil {
			return
		}
		if info.Width <= 0 || info.Height <= 0 || info.Width > 65535 || info.Height > 65535 {
			t.Fatalf("accepted size %dx%d", info.Width, info.Height)
		}
		if info.Orientation < 0 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
		if len(info.ICC) > maxICCBytes+1<<16 {
			t.Fatalf("ICC profile of %d bytes", len(info.ICC))
		}
	})
}

// FuzzTIFF: the IFD walk of TIFF-based RAWs finds previews inside the file
// and a valid orientation, whatever the offsets and counts say.
func FuzzTIFF(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		size := int64(len(data))
		var spans []span
		orientation := 0
		bounded(t, "tiff walk", allocLimit(len(data), 4<<20), func() {
			tf, err := newTIFF(bytes.NewReader(data), 0, size)
			if err != nil {
				return
			}
			orientation = tf.orientation()
			spans = tf.previews()
		})
		if orientation < 0 || orientation > 8 {
			t.Fatalf("orientation %d", orientation)
		}
		if len(spans) > 4*maxIFDs*maxIFDEntries {
			t.Fatalf("%d preview candidates", len(spans))
		}
	})
}

// FuzzRAWPreview: the preview search of every RAW kind (TIFF IFDs, CR3
// boxes, RAF header, marker scan) returns a preview inside the file.
func FuzzRAWPreview(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		size := int64(len(data))
		var pv rawPreview
		var ok bool
		// The marker scan reads the file in 1 MB chunks.
		bounded(t, "findRAWPreview", allocLimit(len(data), 4<<20), func() {
			pv, ok = findRAWPreview(bytes.NewReader(data), size, DefaultMaxPixels)
		})
		if !ok {
			return
		}
		if pv.off < 0 || pv.n <= 0 || pv.off+pv.n > size {
			t.Fatalf("preview %d+%d outside a %d-byte file", pv.off, pv.n, size)
		}
		if pv.info.Width <= 0 || pv.info.Height <= 0 {
			t.Fatalf("preview of %dx%d", pv.info.Width, pv.info.Height)
		}
		if pv.orientation < 0 || pv.orientation > 8 {
			t.Fatalf("orientation %d", pv.orientation)
		}
	})
}

// FuzzContainers: the box and chunk walks of HEIF (JPEG items, irot/imir),
// PNG eXIf and WebP EXIF stay inside the file and return sane values.
func FuzzContainers(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		size := int64(len(data))
		r := bytes.NewReader(data)
		head := data[:min(len(data), 32)]
		var orientation int
		var pv rawPreview
		var ok bool
		bounded(t, "container walks", allocLimit(len(data), 4<<20), func() {
			orientation = readEmbedded(r, size, head).orientation
			pv, ok = heifJPEGItem(r, size)
			heifTransformed(r, size)
			cr3Previews(r, size)
		})
		if orientation < 0 || orientation > 8 {
			t.Fatalf("orientation %d", orientation)
		}
		if ok && (pv.off < 0 || pv.n <= 0 || pv.off+pv.n > size) {
			t.Fatalf("HEIF JPEG item %d+%d outside a %d-byte file", pv.off, pv.n, size)
		}
	})
}

// headerSeeds are small hostile files of every kind the admission reads.
func headerSeeds(f *testing.F) {
	f.Helper()
	png16, err := testkit.PNG16(64, 48)
	if err != nil {
		f.Fatal(err)
	}
	agif, err := testkit.AnimatedGIF(64, 48, 4)
	if err != nil {
		f.Fatal(err)
	}
	ipng, err := testkit.InterlacedPNG(33, 17)
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range [][]byte{
		testkit.HEICGrid(2048, 1536, 512), png16, agif, ipng,
		testkit.AnimatedWebP(64, 48, 4), testkit.TIFF(100, 80),
		testkit.ProgressiveJPEG(64, 48, 30), testkit.RAWWithPreview(300, 200),
		testkit.MP4(640, 480),
	} {
		f.Add(b)
	}
}

// FuzzHeaders: the header readers of admission (PNG, GIF, WebP, TIFF,
// BMP, HEIF, video containers, progressive scans) stay inside the file,
// in bounded time and memory, and declare positive sizes when they
// succeed; an animated WebP's first frame lies on its canvas and can be
// made into a still.
func FuzzHeaders(f *testing.F) {
	addSeeds(f)
	headerSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		size := int64(len(data))
		r := bytes.NewReader(data)
		head := data[:min(len(data), 32)]
		var h imageHeader
		var herr error
		var hh heifHeader
		var vw, vh int
		var still []byte
		var scans int
		bounded(t, "header readers", allocLimit(len(data), 4<<20), func() {
			h, herr = readImageHeader(r, size, head)
			if herr == nil && h.webpFrame != nil {
				still, _ = stillWebP(r, h.webpFrame)
			}
			hh = readHEIFHeader(r, size)
			vw, vh, _ = readVideoSize(r, size, head)
			if info, err := readJPEGInfo(r, 0, size, false); err == nil && info.Progressive {
				scans, _ = countScans(r, info.Scan, size, maxScans)
			}
		})
		if herr == nil {
			if h.w <= 0 || h.h <= 0 || h.decoded8 <= 0 || h.extra < 0 {
				t.Fatalf("header %+v", h)
			}
			if f := h.webpFrame; f != nil {
				if f.x < 0 || f.y < 0 || f.x+f.w > h.w || f.y+f.h > h.h {
					t.Fatalf("frame %+v off a %dx%d canvas", f, h.w, h.h)
				}
				if len(still) > len(data)+64 {
					t.Fatalf("a still of %d bytes from a %d-byte file", len(still), len(data))
				}
			}
		}
		if hh.w < 0 || hh.h < 0 || hh.tiles < 0 || hh.tilePx < 0 || vw < 0 || vh < 0 {
			t.Fatalf("heif %+v, video %dx%d", hh, vw, vh)
		}
		if scans < 0 || scans > maxScans+1+len(data)/2 {
			t.Fatalf("%d scans", scans)
		}
	})
}
