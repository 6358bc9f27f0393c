package meta

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

func TestDateFromName(t *testing.T) {
	next := time.Now().Year() + 2
	tests := []struct {
		name string
		want string // "" when no date must be found
	}{
		{"IMG_20190131_142233.jpg", "2019-01-31 14:22:33"},
		{"2019-01-31 14.22.33.jpg", "2019-01-31 14:22:33"},
		{"PXL_20210101_120000123.jpg", "2021-01-01 12:00:00"},
		{"Screenshot_2020-05-01-10-11-12.png", "2020-05-01 10:11:12"},
		{"VID-20200101-WA0001.mp4", "2020-01-01 00:00:00"},
		{"20190131_142233.jpg", "2019-01-31 14:22:33"},
		{"/photos/2018/IMG-20180704-WA0012.jpeg", "2018-07-04 00:00:00"},
		{"signal-2022-12-24-183005.jpg", "2022-12-24 18:30:05"},
		{"2007-08-15-14-42-46-sep-2007-08-15-14-42-46a.jpg", "2007-08-15 14:42:46"},
		{"20190131_999999.jpg", "2019-01-31 00:00:00"}, // digits that are no time
		{"IMG_1234.JPG", ""},
		{"DSC01234.ARW", ""},
		{"20190230_120000.jpg", ""}, // 30 February
		{"20191301_120000.jpg", ""}, // month 13
		{"18991231_120000.jpg", ""}, // before 1900
		{"holiday.jpg", ""},
		{"1234567890123.jpg", ""},                          // a long number, not a date
		{"IMG_201901311.jpg", ""},                          // date glued to more digits
		{"x" + strconv.Itoa(next) + "0101_120000.jpg", ""}, // the future
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DateFromName(tt.name)
			if tt.want == "" {
				if ok {
					t.Fatalf("DateFromName(%q) = %v, want no date", tt.name, got)
				}
				return
			}
			if !ok {
				t.Fatalf("DateFromName(%q) found no date, want %s", tt.name, tt.want)
			}
			if s := got.Format("2006-01-02 15:04:05"); s != tt.want || got.Location() != time.UTC {
				t.Errorf("DateFromName(%q) = %s %v, want %s UTC", tt.name, s, got.Location(), tt.want)
			}
		})
	}
}

func TestValidGPS(t *testing.T) {
	tests := []struct {
		lat, lng float64
		ok       bool
	}{
		{52.52, 13.40, true},
		{-33.86, 151.2, true},
		{0, 13.4, true}, // on the equator is real
		{0, 0, false},   // no fix
		{90.01, 10, false},
		{-91, 10, false},
		{45, 180.5, false},
		{45, -181, false},
		{math.NaN(), 10, false},
		{10, math.Inf(1), false},
	}
	for _, tt := range tests {
		if got := validGPS(tt.lat, tt.lng); got != tt.ok {
			t.Errorf("validGPS(%v, %v) = %v, want %v", tt.lat, tt.lng, got, tt.ok)
		}
	}
}

// ifdEntry is one entry for the synthetic EXIF builder.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

func asciiEntry(tag uint16, s string) ifdEntry {
	return ifdEntry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
}

func shortEntry(tag uint16, v uint16) ifdEntry {
	return ifdEntry{tag, 3, 1, binary.BigEndian.AppendUint16(nil, v)}
}

func ratEntry(tag uint16, vals ...[2]uint32) ifdEntry {
	var b []byte
	for _, v := range vals {
		b = binary.BigEndian.AppendUint32(b, v[0])
		b = binary.BigEndian.AppendUint32(b, v[1])
	}
	return ifdEntry{tag, 5, uint32(len(vals)), b}
}

// buildEXIF lays out a big-endian TIFF with IFD0, an EXIF IFD and a GPS IFD.
func buildEXIF(ifd0, exif, gps []ifdEntry) []byte {
	b := []byte("MM\x00\x2a\x00\x00\x00\x08")
	var write func(entries []ifdEntry) int
	write = func(entries []ifdEntry) int {
		start := len(b)
		b = binary.BigEndian.AppendUint16(b, uint16(len(entries)))
		dataAt := start + 2 + len(entries)*12 + 4
		var data []byte
		for _, e := range entries {
			b = binary.BigEndian.AppendUint16(b, e.tag)
			b = binary.BigEndian.AppendUint16(b, e.typ)
			b = binary.BigEndian.AppendUint32(b, e.count)
			if len(e.val) <= 4 {
				v := make([]byte, 4)
				copy(v, e.val)
				b = append(b, v...)
			} else {
				b = binary.BigEndian.AppendUint32(b, uint32(dataAt+len(data)))
				data = append(data, e.val...)
			}
		}
		b = binary.BigEndian.AppendUint32(b, 0)
		b = append(b, data...)
		return start
	}
	// Sub-directories go after IFD0; their offsets are patched in IFD0.
	ifd0 = append(ifd0, ifdEntry{tagExifIFD, 4, 1, make([]byte, 4)}, ifdEntry{tagGPSIFD, 4, 1, make([]byte, 4)})
	write(ifd0)
	exifAt := write(exif)
	gpsAt := write(gps)
	n := len(ifd0)
	binary.BigEndian.PutUint32(b[8+2+(n-2)*12+8:], uint32(exifAt))
	binary.BigEndian.PutUint32(b[8+2+(n-1)*12+8:], uint32(gpsAt))
	return b
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gpsEntries(lat, lng [3][2]uint32, latRef, lngRef string) []ifdEntry {
	return []ifdEntry{
		asciiEntry(gpsLatRef, latRef), ratEntry(gpsLat, lat[0], lat[1], lat[2]),
		asciiEntry(gpsLngRef, lngRef), ratEntry(gpsLng, lng[0], lng[1], lng[2]),
		{gpsAltRef, 1, 1, []byte{1}}, ratEntry(gpsAlt, [2]uint32{125, 10}),
	}
}

func TestReadEXIFFields(t *testing.T) {
	exif := buildEXIF(
		[]ifdEntry{asciiEntry(tagMake, "Canon\x00\x00 "), asciiEntry(tagModel, " Canon EOS 6D "), shortEntry(tagOrientation, 6)},
		[]ifdEntry{
			asciiEntry(tagDateTimeOriginal, "2019:06:06 07:29:51"),
			asciiEntry(tagOffsetTimeOrig, "+02:00"),
			ratEntry(tagExposureTime, [2]uint32{1, 250}),
			ratEntry(tagFNumber, [2]uint32{28, 10}),
			shortEntry(tagISO, 400),
			ratEntry(tagFocalLength, [2]uint32{50, 1}),
			asciiEntry(tagLensModel, "EF50mm f/1.8"),
		},
		gpsEntries([3][2]uint32{{51, 1}, {30, 1}, {30, 1}}, [3][2]uint32{{0, 1}, {7, 1}, {12, 2}}, "N", "W"),
	)
	info, err := Read(writeTemp(t, "IMG_20000101_000000.jpg", testkit.JPEG(testkit.Photo{W: 640, H: 480, RawExif: exif})))
	if err != nil {
		t.Fatal(err)
	}
	want := &Info{
		MIME: "image/jpeg", Kind: KindImage,
		HasOffset: true, TakenSource: SourceEXIF,
		Make: "Canon", Model: "Canon EOS 6D", Lens: "EF50mm f/1.8",
		ExposureTime: 0.004, FNumber: 2.8, ISO: 400, FocalLength: 50,
		HasGPS: true, Lat: 51.508333333333333, Lng: -(7.0/60 + 6.0/3600), Alt: -12.5, HasAlt: true,
		Orientation: 6, HasOrientation: true, Width: 640, Height: 480,
		DateTimeOriginal: "2019:06:06 07:29:51", OffsetTimeOriginal: "+02:00",
	}
	if !info.Taken.Equal(time.Date(2019, 6, 6, 5, 29, 51, 0, time.UTC)) {
		t.Errorf("Taken = %v, want 07:29:51+02:00", info.Taken)
	}
	if _, off := info.Taken.Zone(); off != 7200 {
		t.Errorf("Taken zone offset = %d, want 7200", off)
	}
	info.Taken = time.Time{}
	if math.Abs(info.Lat-want.Lat) < 1e-9 && math.Abs(info.Lng-want.Lng) < 1e-9 {
		info.Lat, info.Lng = want.Lat, want.Lng
	}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Read =\n%+v\nwant\n%+v", info, want)
	}
	if info.DisplayWidth() != 480 || info.DisplayHeight() != 640 {
		t.Errorf("display size %dx%d, want 480x640 for orientation 6", info.DisplayWidth(), info.DisplayHeight())
	}
}

func TestReadRejectsBadGPS(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng [3][2]uint32
	}{
		{"zero", [3][2]uint32{{0, 1}, {0, 1}, {0, 1}}, [3][2]uint32{{0, 1}, {0, 1}, {0, 1}}},
		{"latitude over 90", [3][2]uint32{{95, 1}, {0, 1}, {0, 1}}, [3][2]uint32{{10, 1}, {0, 1}, {0, 1}}},
		{"longitude over 180", [3][2]uint32{{45, 1}, {0, 1}, {0, 1}}, [3][2]uint32{{200, 1}, {0, 1}, {0, 1}}},
		{"zero denominators", [3][2]uint32{{45, 0}, {0, 0}, {0, 0}}, [3][2]uint32{{10, 0}, {0, 0}, {0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exif := buildEXIF([]ifdEntry{asciiEntry(tagMake, "X")}, nil, gpsEntries(tt.lat, tt.lng, "N", "E"))
			info, err := Read(writeTemp(t, "a.jpg", testkit.JPEG(testkit.Photo{W: 10, H: 10, RawExif: exif})))
			if err != nil {
				t.Fatal(err)
			}
			if info.HasGPS || info.HasAlt {
				t.Errorf("HasGPS = %v (%v, %v), HasAlt = %v; want the position rejected", info.HasGPS, info.Lat, info.Lng, info.HasAlt)
			}
			if _, ok := info.Fields()["GPSLatitude"]; ok {
				t.Error("Fields shows a rejected GPSLatitude")
			}
		})
	}
}

func TestTakenFallbacks(t *testing.T) {
	// No metadata: the name's date wins over the file time.
	p := writeTemp(t, "IMG_20190131_142233.jpg", testkit.JPEG(testkit.Photo{W: 4, H: 4, RawExif: buildEXIF([]ifdEntry{asciiEntry(tagMake, "X")}, nil, nil)}))
	info, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.TakenSource != SourceFileName || !info.Taken.Equal(time.Date(2019, 1, 31, 14, 22, 33, 0, time.UTC)) || info.HasOffset {
		t.Errorf("taken %v from %s (offset %v), want 2019-01-31 14:22:33 from the name", info.Taken, info.TakenSource, info.HasOffset)
	}
	if info.DateTimeOriginal != "" {
		t.Errorf("DateTimeOriginal = %q, want empty when the file has none", info.DateTimeOriginal)
	}
	// Neither: the modification time, as wall clock.
	p = writeTemp(t, "holiday.jpg", testkit.JPEG(testkit.Photo{W: 4, H: 4, RawExif: buildEXIF([]ifdEntry{asciiEntry(tagMake, "X")}, nil, nil)}))
	mt := time.Date(2020, 2, 3, 4, 5, 6, 0, time.Local)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	info, err = Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.TakenSource != SourceFileTime || info.Taken.Format("2006-01-02 15:04:05") != "2020-02-03 04:05:06" {
		t.Errorf("taken %v from %s, want 2020-02-03 04:05:06 from the file time", info.Taken, info.TakenSource)
	}
	// An impossible EXIF date falls through to the name, but stays visible.
	exif := buildEXIF([]ifdEntry{asciiEntry(tagMake, "X")}, []ifdEntry{asciiEntry(tagDateTimeOriginal, "0000:00:00 00:00:00")}, nil)
	info, err = Read(writeTemp(t, "PXL_20210101_120000123.jpg", testkit.JPEG(testkit.Photo{W: 4, H: 4, RawExif: exif})))
	if err != nil {
		t.Fatal(err)
	}
	if info.TakenSource != SourceFileName || info.DateTimeOriginal != "0000:00:00 00:00:00" {
		t.Errorf("taken from %s, DateTimeOriginal %q; want the name's date and the raw EXIF string", info.TakenSource, info.DateTimeOriginal)
	}
}

func TestDisplaySize(t *testing.T) {
	for o := 0; o <= 8; o++ {
		i := &Info{Width: 4000, Height: 3000, Orientation: o}
		w, h := 4000, 3000
		if o >= 5 {
			w, h = 3000, 4000
		}
		if i.DisplayWidth() != w || i.DisplayHeight() != h {
			t.Errorf("orientation %d: display %dx%d, want %dx%d", o, i.DisplayWidth(), i.DisplayHeight(), w, h)
		}
	}
}

const sidecarXMP = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmp:Rating="4"
    exif:DateTimeOriginal="2019-01-31T14:22:33.50+01:00"
    exif:GPSLatitude="51,30.5N"
    exif:GPSLongitude="0,7.25W"
    exif:GPSAltitude="1234/10"
    exif:GPSAltitudeRef="0"
    exif:FNumber="28/10"
    exif:ExposureTime="1/125"
    tiff:Make="FUJIFILM"
    tiff:Orientation="8"
    aux:Lens="XF35mmF1.4 R">
   <tiff:Model>X-T3</tiff:Model>
   <dc:title><rdf:Alt><rdf:li xml:lang="de">Titel</rdf:li><rdf:li xml:lang="x-default">Sunset &amp; sea</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Evening at the pier</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag><rdf:li>sea</rdf:li><rdf:li>sunset</rdf:li><rdf:li>sea</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|UK|Brighton</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

func TestReadSidecar(t *testing.T) {
	info, err := ReadSidecar(writeTemp(t, "DSCF0001.xmp", []byte(sidecarXMP)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != "Sunset & sea" || info.Description != "Evening at the pier" {
		t.Errorf("title %q, description %q", info.Title, info.Description)
	}
	if !reflect.DeepEqual(info.Keywords, []string{"sea", "sunset"}) || info.Rating != 4 {
		t.Errorf("keywords %q, rating %d", info.Keywords, info.Rating)
	}
	if info.TakenSource != SourceXMP || !info.HasOffset || !info.Taken.Equal(time.Date(2019, 1, 31, 13, 22, 33, 0, time.UTC)) {
		t.Errorf("taken %v from %s (offset %v)", info.Taken, info.TakenSource, info.HasOffset)
	}
	if info.DateTimeOriginal != "2019:01:31 14:22:33" || info.OffsetTimeOriginal != "+01:00" {
		t.Errorf("raw date %q %q", info.DateTimeOriginal, info.OffsetTimeOriginal)
	}
	if !info.HasGPS || math.Abs(info.Lat-51.508333) > 1e-5 || math.Abs(info.Lng+0.120833) > 1e-5 || !info.HasAlt || math.Abs(info.Alt-123.4) > 1e-9 {
		t.Errorf("gps %v %v,%v alt %v %v", info.HasGPS, info.Lat, info.Lng, info.HasAlt, info.Alt)
	}
	if info.Make != "FUJIFILM" || info.Model != "X-T3" || info.Lens != "XF35mmF1.4 R" || info.Orientation != 8 {
		t.Errorf("camera %q %q %q orientation %d", info.Make, info.Model, info.Lens, info.Orientation)
	}
	if info.FNumber != 2.8 || info.ExposureTime != 1.0/125 {
		t.Errorf("exposure %v f/%v", info.ExposureTime, info.FNumber)
	}
	if info.Kind != KindSidecar || info.MIME != "application/rdf+xml" {
		t.Errorf("kind %q mime %q", info.Kind, info.MIME)
	}

	// Keywords only in Lightroom's hierarchy: the leaf is used.
	hier := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:lr="http://ns.adobe.com/lightroom/1.0/"><lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|UK|Brighton</rdf:li></rdf:Bag></lr:hierarchicalSubject></rdf:Description></rdf:RDF></x:xmpmeta>`
	info, err = ReadSidecar(writeTemp(t, "b.xmp", []byte(hier)))
	if err != nil || !reflect.DeepEqual(info.Keywords, []string{"Brighton"}) {
		t.Errorf("hierarchical keywords %q, err %v", info.Keywords, err)
	}

	if _, err := ReadSidecar(writeTemp(t, "c.xmp", []byte("not xml at all"))); err == nil {
		t.Error("garbage sidecar: want an error")
	}
}

func TestXMPCoordinate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"51,30.5N", 51.508333, true},
		{"51,30,30S", -51.508333, true},
		{"0,7.25W", -0.120833, true},
		{"12.5", 12.5, true},
		{"N", 0, false},
		{"51;30N", 0, false},
	}
	for _, tt := range tests {
		got, ok := xmpCoordinate(tt.in)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("xmpCoordinate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		mime string
		ok   bool
	}{
		{"a/IMG_1.JPG", KindImage, "image/jpeg", true},
		{"x.heic", KindImage, "image/heic", true},
		{"x.CR3", KindRaw, "image/x-canon-cr3", true},
		{"x.nef", KindRaw, "image/x-nikon-nef", true},
		{"x.MOV", KindVideo, "video/quicktime", true},
		{"x.mp4", KindVideo, "video/mp4", true},
		{"IMG_1.xmp", KindSidecar, "application/rdf+xml", true},
		{"notes.txt", "", "", false},
		// Any .json may be a Google Takeout sidecar; the indexer keeps
		// those named after a photo beside them.
		{"IMG_1.jpg.json", KindSidecar, "application/json", true},
		{"README.md", "", "", false},
		{"noext", "", "", false},
	}
	for _, tt := range tests {
		kind, mime, ok := Detect(tt.name)
		if kind != tt.kind || mime != tt.mime || ok != tt.ok {
			t.Errorf("Detect(%q) = %q, %q, %v; want %q, %q, %v", tt.name, kind, mime, ok, tt.kind, tt.mime, tt.ok)
		}
	}
}

func TestFields(t *testing.T) {
	i := &Info{MIME: "image/jpeg", Make: "Canon", ISO: 100, FNumber: 2.8, Width: 10, Height: 20,
		Orientation: 6, HasGPS: true, Lat: 1.5, Lng: -2.5, TakenSource: SourceEXIF,
		DateTimeOriginal: "2020:01:02 03:04:05", Keywords: []string{"a"}, Serial: "0560018150"}
	want := map[string]any{
		"MIMEType": "image/jpeg", "Make": "Canon", "ISO": 100, "FNumber": 2.8,
		"ImageWidth": 10, "ImageHeight": 20, "Orientation": 6,
		"GPSLatitude": 1.5, "GPSLongitude": -2.5, "TakenSource": "exif",
		"DateTimeOriginal": "2020:01:02 03:04:05", "Keywords": []string{"a"}, "SerialNumber": "0560018150",
	}
	if got := i.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() =\n%v\nwant\n%v", got, want)
	}
	// Codecs carry each container's exiftool name.
	for _, tt := range []struct {
		mime, video, audio string
		want               map[string]any
	}{
		{"video/quicktime", "hvc1", "mp4a", map[string]any{"CompressorID": "hvc1", "AudioFormat": "mp4a"}},
		{"video/x-msvideo", "mjpg", "", map[string]any{"VideoCodec": "mjpg"}},
		{"video/x-matroska", "V_MPEG4/ISO/AVC", "A_AAC", map[string]any{"VideoCodecID": "V_MPEG4/ISO/AVC", "AudioCodecID": "A_AAC"}},
		{"video/m2ts", "27", "129", map[string]any{"VideoStreamType": 27, "AudioStreamType": 129}},
	} {
		got := (&Info{MIME: tt.mime, VideoCodec: tt.video, AudioCodec: tt.audio}).Fields()
		delete(got, "MIMEType")
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Fields() = %v, want %v", tt.mime, got, tt.want)
		}
	}
}

func TestParseISO6709(t *testing.T) {
	tests := []struct {
		in            string
		lat, lng, alt float64
		hasAlt, ok    bool
	}{
		{"+37.7858-122.4064/", 37.7858, -122.4064, 0, false, true},
		{"+52.4597+013.3220+051.178/", 52.4597, 13.322, 51.178, true, true},
		{"-3345.50+15112.25/", -33.758333, 151.204167, 0, false, true},
		{"garbage", 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		lat, lng, alt, hasAlt, ok := parseISO6709(tt.in)
		if ok != tt.ok || hasAlt != tt.hasAlt || math.Abs(lat-tt.lat) > 1e-5 || math.Abs(lng-tt.lng) > 1e-5 || math.Abs(alt-tt.alt) > 1e-9 {
			t.Errorf("parseISO6709(%q) = %v %v %v %v %v", tt.in, lat, lng, alt, hasAlt, ok)
		}
	}
}

// TestUTF16XMP reads exiftool's sample whose XMP packet is UTF-16.
func TestUTF16XMP(t *testing.T) {
	info, err := Read(corpus.Path(t, "exiftool-t/XMP.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Description != "UTF-16 (big-endian) encoded XMP" || !reflect.DeepEqual(info.Keywords, []string{"ExifTool", "Test", "XMP"}) {
		t.Errorf("description %q, keywords %q; want the UTF-16 packet's", info.Description, info.Keywords)
	}
}

// TestGoexifOverAllocation is the crasher TestCorruptFiles found: an entry
// whose count times its type size wraps around 32 bits made goexif allocate
// by the count (gigabytes). The data must go to our walker instead.
func TestGoexifOverAllocation(t *testing.T) {
	exif := buildEXIF(
		[]ifdEntry{asciiEntry(tagMake, "Canon"), {tagExposureTime, 5, 0x20000003, make([]byte, 24)}},
		[]ifdEntry{asciiEntry(tagDateTimeOriginal, "2019:06:06 07:29:51")}, nil)
	if chainIsSane(exif) {
		t.Fatal("chainIsSane accepted an entry count larger than the data")
	}
	info, err := readWithDeadline(writeTemp(t, "a.jpg", testkit.JPEG(testkit.Photo{W: 8, H: 8, RawExif: exif})), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if info.Make != "Canon" || info.DateTimeOriginal != "2019:06:06 07:29:51" {
		t.Errorf("make %q, date %q; want them read by the fallback walker", info.Make, info.DateTimeOriginal)
	}
}
