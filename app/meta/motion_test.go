package meta

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// containerElementsXMP writes Google's directory with each item's fields as
// elements instead of attributes, and other prefixes than Google's: both
// are valid XMP, and writers differ.
func containerElementsXMP(length int) string {
	return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:cam="http://ns.google.com/photos/1.0/camera/"
  xmlns:dir="http://ns.google.com/photos/1.0/container/" xmlns:it="http://ns.google.com/photos/1.0/container/item/">
 <cam:MotionPhoto>1</cam:MotionPhoto>
 <dir:Directory><rdf:Seq>
  <rdf:li><dir:Item rdf:parseType="Resource"><it:Semantic>Primary</it:Semantic><it:Mime>image/jpeg</it:Mime></dir:Item></rdf:li>
  <rdf:li><dir:Item><rdf:Description it:Semantic="MotionPhoto" it:Mime="video/mp4" it:Length="` + strconv.Itoa(length) + `"/></dir:Item></rdf:li>
 </rdf:Seq></dir:Directory>
</rdf:Description></rdf:RDF></x:xmpmeta>`
}

// Each layout phones write is found at index time, with the exact byte
// range of the MP4 inside the file; the still picture's own facts stay
// what they were.
func TestMotionPhotoLayouts(t *testing.T) {
	mp4 := testkit.MotionMP4(t)
	jpg := testkit.MotionStill(1)
	heic, err := os.ReadFile(corpus.Path(t, "photoprism/assets/examples/iphone_7.heic"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, layout string
		data               []byte
		mime               string
	}{
		{"Google Motion Photo", "PXL_20230101_120000000.MP.jpg", LayoutContainer, testkit.Container(jpg, mp4, 0), "image/jpeg"},
		{"Google Motion Photo with padding after the video", "PXL_2.MP.jpg", LayoutContainer, testkit.Container(jpg, mp4, 24), "image/jpeg"},
		{"Google directory written as elements", "elements.jpg", LayoutContainer,
			testkit.WithXMP(jpg, containerElementsXMP(len(mp4)), mp4), "image/jpeg"},
		{"Google Micro Video", "MVIMG_20190101_120000.jpg", LayoutMicroVideo, testkit.MicroVideo(jpg, mp4), "image/jpeg"},
		{"Samsung trailer", "20190101_120000.jpg", LayoutSamsung, testkit.Samsung(jpg, mp4), "image/jpeg"},
		{"HEIC with an mpvd box", "motion.heic", LayoutMPVD, testkit.MPVD(heic, mp4), "image/heic"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := Read(writeTemp(t, c.file, c.data))
			if err != nil {
				t.Fatal(err)
			}
			m := info.Motion
			if m == nil {
				t.Fatal("no motion found")
			}
			if m.Offset < 0 || m.Offset+m.Length > int64(len(c.data)) || !bytes.Equal(c.data[m.Offset:m.Offset+m.Length], mp4) {
				t.Fatalf("range %d+%d is not the MP4 (%d bytes at %d)", m.Offset, m.Length, len(mp4), bytes.Index(c.data, mp4))
			}
			if m.Layout != c.layout || m.VideoCodec != "avc1" || m.Width != 160 || m.Height != 120 || m.Duration < 0.9 || m.Duration > 1.1 {
				t.Errorf("motion %+v, want layout %s, avc1 160×120 of 1 s", *m, c.layout)
			}
			if info.MIME != c.mime || info.Kind != KindImage || info.Duration != 0 {
				t.Errorf("the still became %s %s with duration %v", info.MIME, info.Kind, info.Duration)
			}
			if c.mime == "image/jpeg" && (info.Width != 64 || info.Height != 48) {
				t.Errorf("the still is %d×%d, want 64×48", info.Width, info.Height)
			}
		})
	}
}

// A file whose records point anywhere but at an MP4 inside it gets no
// motion, and is otherwise read as before: offsets beyond the end,
// negative or zero ones, ranges that do not start with an ftyp box, an
// ftyp with no movie after it, and Samsung directories pointing outside.
func TestMotionPhotoHostileRecords(t *testing.T) {
	mp4 := testkit.MotionMP4(t)
	jpg := testkit.MotionStill(2)
	n := strconv.Itoa(len(mp4))
	huge := strconv.FormatInt(1<<62, 10)
	junk := bytes.Repeat([]byte("not a video "), len(mp4)/12+1)[:len(mp4)]
	ftypOnly := append(append([]byte{}, mp4[:32]...), junk[32:]...) // ftyp, then no movie
	noFtyp := mp4[binary.BigEndian.Uint32(mp4[:4]):]                // the movie box first, as old QuickTime files start
	samsungAt := func(back, size uint32) []byte {
		block := testkit.SEFBlock(0x0a30, "MotionPhoto_Data", mp4)
		return append(append(append([]byte{}, jpg...), block...), testkit.SEFTrailer(0x0a30, back, size)...)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"length beyond the end of the file", testkit.WithXMP(jpg, testkit.ContainerXMP(strconv.Itoa(len(mp4)+1<<20), "0"), mp4)},
		{"length of 2^62", testkit.WithXMP(jpg, testkit.ContainerXMP(huge, "0"), mp4)},
		{"padding of 2^62", testkit.WithXMP(jpg, testkit.ContainerXMP(n, huge), mp4)},
		{"negative length", testkit.WithXMP(jpg, testkit.ContainerXMP("-"+n, "0"), mp4)},
		{"negative padding", testkit.WithXMP(jpg, testkit.ContainerXMP(n, "-100"), mp4)},
		{"a range starting at the MP4 and running past the end", testkit.WithXMP(jpg, testkit.ContainerXMP(strconv.Itoa(len(mp4)+100), "-100"), mp4)},
		{"zero length", testkit.WithXMP(jpg, testkit.ContainerXMP("0", "0"), mp4)},
		{"length not a number", testkit.WithXMP(jpg, testkit.ContainerXMP("12e3", "0"), mp4)},
		{"length covering the whole file", testkit.WithXMP(jpg, testkit.ContainerXMP(strconv.Itoa(len(mp4)+len(jpg)+2000), "0"), mp4)},
		{"range not starting at the MP4", testkit.WithXMP(jpg, testkit.ContainerXMP(strconv.Itoa(len(mp4)+7), "0"), mp4)},
		{"not an MP4 at all", testkit.WithXMP(jpg, testkit.ContainerXMP(n, "0"), junk)},
		{"an ftyp box and no movie", testkit.WithXMP(jpg, testkit.ContainerXMP(n, "0"), ftypOnly)},
		{"a movie without its ftyp box", testkit.WithXMP(jpg, testkit.ContainerXMP(strconv.Itoa(len(noFtyp)), "0"), noFtyp)},
		{"micro video offset beyond the end", testkit.WithXMP(jpg, testkit.MicroVideoXMP(strconv.Itoa(len(mp4)+1<<20)), mp4)},
		{"micro video offset of 2^62", testkit.WithXMP(jpg, testkit.MicroVideoXMP(huge), mp4)},
		{"negative micro video offset", testkit.WithXMP(jpg, testkit.MicroVideoXMP("-"+n), mp4)},
		{"zero micro video offset", testkit.WithXMP(jpg, testkit.MicroVideoXMP("0"), mp4)},
		{"micro video pointing at junk", testkit.WithXMP(jpg, testkit.MicroVideoXMP(n), junk)},
		{"Samsung block before the start of the file", samsungAt(1<<31, 100)},
		// The block would run 16 bytes into the directory: inside the file.
		{"Samsung block larger than the distance back", samsungAt(uint32(len(mp4)+24), uint32(len(mp4)+24+16))},
		{"Samsung block of junk", append(append(append([]byte{}, jpg...), testkit.SEFBlock(0x0a30, "MotionPhoto_Data", junk)...),
			testkit.SEFTrailer(0x0a30, uint32(len(junk)+24), uint32(len(junk)+24))...)},
		{"Samsung directory longer than the file", append(append([]byte{}, jpg...), 0xff, 0xff, 0, 0, 'S', 'E', 'F', 'T')},
		{"trailing MP4 with no record of it", append(append([]byte{}, jpg...), mp4...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := Read(writeTemp(t, "hostile.jpg", c.data))
			if err != nil {
				t.Fatalf("the still was not read: %v", err)
			}
			if info.Motion != nil {
				t.Errorf("motion found: %+v", *info.Motion)
			}
			if info.MIME != "image/jpeg" || info.Width != 64 || info.Height != 48 {
				t.Errorf("the still became %s %d×%d", info.MIME, info.Width, info.Height)
			}
		})
	}
}

// No picture of the camera corpus is taken for a motion photo.
func TestNoMotionInOrdinaryPictures(t *testing.T) {
	n := 0
	for _, p := range corpus.Media(t) {
		if ext := strings.ToLower(filepath.Ext(p)); ext != ".jpg" && ext != ".jpeg" && ext != ".heic" {
			continue
		}
		n++
		info, _ := Read(corpus.Path(t, p))
		if info != nil && info.Motion != nil {
			t.Errorf("%s: motion found: %+v", p, *info.Motion)
		}
	}
	if n < 50 {
		t.Fatalf("only %d corpus pictures looked at", n)
	}
}

// Both halves of an Apple Live Photo carry one content identifier: the
// still in its maker note (exiftool's MediaGroupUUID), the movie in its
// keys. Anything but a plain identifier is not taken.
func TestLivePhotoContentIdentifier(t *testing.T) {
	const cid = "570F1469-09C7-4E50-9875-05F21D5BD166" // exiftool's reading of IMG_5195.HEIC
	still, err := Read(corpus.Path(t, "exif-samples/heic/IMG_5195.HEIC"))
	if err != nil || still.ContentID != cid {
		t.Errorf("IMG_5195.HEIC: content identifier %q (%v), want %s", still.ContentID, err, cid)
	}
	movie, err := Read(writeTemp(t, "IMG_5195.MOV", testkit.LiveMOV(t, cid)))
	if err != nil || movie.ContentID != cid || movie.Kind != KindVideo {
		t.Errorf("the movie: content identifier %q, kind %s (%v), want %s", movie.ContentID, movie.Kind, err, cid)
	}
	plain, err := Read(corpus.Path(t, "photoprism/assets/examples/iphone_7.heic"))
	if err != nil || plain.ContentID != "" {
		t.Errorf("iphone_7.heic (no identifier): %q (%v)", plain.ContentID, err)
	}
	for in, want := range map[string]string{
		cid: cid, " " + cid + "\x00": cid, "short": "", "has space inside it": "", "a/../b-path-like": "",
		strings.Repeat("A", 65): "", "<script>alert(1)</script>": "",
	} {
		if got := liveContentID(in); got != want {
			t.Errorf("liveContentID(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMotionPhoto mutates motion photos of every layout. Reading never
// panics, and a motion it accepts always lies inside the file and starts
// with an MP4 file type box.
func FuzzMotionPhoto(f *testing.F) {
	mp4 := testkit.MotionMP4(f)
	jpg := testkit.MotionStill(4)
	heic, err := os.ReadFile(corpus.Path(f, "exif-py/heic/spring_1440x960.heic"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(testkit.Container(jpg, mp4, 8))
	f.Add(testkit.MicroVideo(jpg, mp4))
	f.Add(testkit.Samsung(jpg, mp4))
	f.Add(testkit.MPVD(heic, mp4))
	f.Add(testkit.WithXMP(jpg, containerElementsXMP(len(mp4)), mp4))
	mtime := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := readFrom(bytes.NewReader(data), int64(len(data)), "f.jpg", mtime)
		if err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
		if m := info.Motion; m != nil {
			if m.Offset <= 0 || m.Length <= 0 || m.Offset+m.Length > int64(len(data)) || string(data[m.Offset+4:m.Offset+8]) != "ftyp" {
				t.Fatalf("motion %+v accepted in %d bytes", *m, len(data))
			}
		}
	})
}
