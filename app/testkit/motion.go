package testkit

// Motion photos for tests, in each layout phones use: a small JPEG with a
// real MP4 (made by ffmpeg) after it, located by Google's XMP
// Container:Directory, by the older GCamera:MicroVideoOffset, or by
// Samsung's SEFH/SEFT trailer; and a HEIC with an "mpvd" box. The
// lower-level helpers let a test write the same records with hostile
// values.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// made caches what ffmpeg made, once per test binary.
type made struct {
	once sync.Once
	data []byte
	err  error
}

var motionMP4, motionMOV made

// MotionMP4 is a real one-second 160×120 H.264 MP4 made by ffmpeg. A missing
// ffmpeg fails the test: `make test` installs it.
func MotionMP4(tb testing.TB) []byte {
	tb.Helper()
	return motionMP4.get(tb, "motion.mp4")
}

// MotionMOV is the same video as a QuickTime movie, as an iPhone's Live Photo
// pairs with its HEIC.
func MotionMOV(tb testing.TB) []byte {
	tb.Helper()
	return motionMOV.get(tb, "live.mov")
}

// LiveMOV is a QuickTime movie carrying Apple's content identifier in its
// keys (com.apple.quicktime.content.identifier), as the movie of a Live
// Photo does: the still's maker note carries the same one.
func LiveMOV(tb testing.TB, contentID string) []byte {
	tb.Helper()
	b, err := motionFFmpeg("live.mov", "-movflags", "+faststart+use_metadata_tags", "-metadata", "com.apple.quicktime.content.identifier="+contentID)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (m *made) get(tb testing.TB, name string) []byte {
	tb.Helper()
	m.once.Do(func() { m.data, m.err = motionFFmpeg(name, "-movflags", "+faststart") })
	if m.err != nil {
		tb.Fatal(m.err)
	}
	return m.data
}

// ffmpeg makes a one-second 160×120 H.264 video named name (the extension
// picks the container) with the extra output options.
func motionFFmpeg(name string, extra ...string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "motiontest")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, name)
	args := append([]string{"-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15",
		"-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264"}, extra...)
	if b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg (apt install ffmpeg): %v: %s", err, b)
	}
	return os.ReadFile(out)
}

// MotionStill is a small 64×48 JPEG whose pixels depend on seed.
func MotionStill(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(seed*31 + i*(seed%5+1))
	}
	img.Set(0, 0, color.RGBA{byte(seed), byte(seed >> 8), 7, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// WithXMP returns the JPEG with an APP1 XMP segment holding packet put
// right after its start marker, followed by tail.
func WithXMP(jpg []byte, packet string, tail ...[]byte) []byte {
	seg := append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	out = append(out, jpg[2:]...)
	for _, t := range tail {
		out = append(out, t...)
	}
	return out
}

// ContainerXMP is the XMP of Google's Motion Photo format: the primary
// picture, then the video item of the given length and padding (as
// written in the packet, so a test can write nonsense).
func ContainerXMP(length, padding string) string {
	return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"
  xmlns:Container="http://ns.google.com/photos/1.0/container/"
  xmlns:Item="http://ns.google.com/photos/1.0/container/item/"
  GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" GCamera:MotionPhotoPresentationTimestampUs="500000">
 <Container:Directory><rdf:Seq>
  <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li>
  <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="` + length + `" Item:Padding="` + padding + `"/></rdf:li>
 </rdf:Seq></Container:Directory>
</rdf:Description></rdf:RDF></x:xmpmeta>`
}

// MicroVideoXMP is the XMP of Google's older Micro Video: the video is
// the last offset bytes of the file.
func MicroVideoXMP(offset string) string {
	return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/">
 <GCamera:MicroVideo>1</GCamera:MicroVideo><GCamera:MicroVideoVersion>1</GCamera:MicroVideoVersion>
 <GCamera:MicroVideoOffset>` + offset + `</GCamera:MicroVideoOffset>
 <GCamera:MicroVideoPresentationTimestampUs>400000</GCamera:MicroVideoPresentationTimestampUs>
</rdf:Description></rdf:RDF></x:xmpmeta>`
}

// Container is a Google Motion Photo: the picture with its XMP, the MP4,
// and padding bytes after it.
func Container(jpg, mp4 []byte, padding int) []byte {
	return WithXMP(jpg, ContainerXMP(strconv.Itoa(len(mp4)), strconv.Itoa(padding)), mp4, make([]byte, padding))
}

// MicroVideo is an MVIMG: the picture with its XMP, then the MP4.
func MicroVideo(jpg, mp4 []byte) []byte {
	return WithXMP(jpg, MicroVideoXMP(strconv.Itoa(len(mp4))), mp4)
}

// Samsung is the picture followed by Samsung's trailer: the
// "MotionPhoto_Data" block holding the MP4, then the SEFH directory naming
// it, the directory's length and "SEFT".
func Samsung(jpg, mp4 []byte) []byte {
	block := SEFBlock(0x0a30, "MotionPhoto_Data", mp4)
	out := append(append([]byte{}, jpg...), block...)
	// The directory follows the block: the block starts len(block) back.
	return append(out, SEFTrailer(0x0a30, uint32(len(block)), uint32(len(block)))...)
}

// SEFBlock is one data block of Samsung's trailer: its type, the length of
// its name, the name, the data.
func SEFBlock(typ uint16, name string, data []byte) []byte {
	b := []byte{0, 0}
	b = binary.LittleEndian.AppendUint16(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(name)))
	b = append(b, name...)
	return append(b, data...)
}

// SEFTrailer is a Samsung directory with one entry (a block of type typ,
// back bytes before the directory, size bytes long), its length and
// "SEFT". Tests give hostile back and size values.
func SEFTrailer(typ uint16, back, size uint32) []byte {
	dir := []byte("SEFH")
	dir = binary.LittleEndian.AppendUint32(dir, 106)
	dir = binary.LittleEndian.AppendUint32(dir, 1)
	dir = append(dir, 0, 0)
	dir = binary.LittleEndian.AppendUint16(dir, typ)
	dir = binary.LittleEndian.AppendUint32(dir, back)
	dir = binary.LittleEndian.AppendUint32(dir, size)
	dir = binary.LittleEndian.AppendUint32(dir, uint32(len(dir)))
	return append(dir, "SEFT"...)
}

// MPVD appends the MP4 to an ISO BMFF picture (a HEIC) as a top-level
// "mpvd" box, where HEIC motion photos keep their video.
func MPVD(heic, mp4 []byte) []byte {
	out := append([]byte{}, heic...)
	out = binary.BigEndian.AppendUint32(out, uint32(8+len(mp4)))
	out = append(out, "mpvd"...)
	return append(out, mp4...)
}
