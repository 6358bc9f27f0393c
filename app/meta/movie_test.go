package meta

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// Atoms of movies built by the tests, beside testkit's boxes.

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// qtText is a QuickTime user data text: length, language, text.
func qtText(typ, s string) []byte {
	return testkit.Box(typ, u16(uint16(len(s))), u16(0x15c7), []byte(s))
}

// dataAtom is an ilst value: type 1 (UTF-8), locale, text.
func dataAtom(s string) []byte { return testkit.Box("data", u32(1), u32(0), []byte(s)) }

// appleKeys is a moov/meta box with keys and their ilst values.
func appleKeys(kv ...[2]string) []byte {
	keys := append(u32(0), u32(uint32(len(kv)))...)
	var items []byte
	for i, p := range kv {
		keys = append(keys, testkit.Box("mdta", []byte(p[0]))...)
		items = append(items, testkit.Box(string(u32(uint32(i+1))), dataAtom(p[1]))...)
	}
	hdlr := append(append(u32(0), u32(0)...), "mdta"...)
	return testkit.Box("meta", testkit.Box("hdlr", hdlr, make([]byte, 13)), testkit.Box("keys", keys), testkit.Box("ilst", items))
}

// fixed1616 is a signed 16.16 fixed-point number.
func fixed1616(f float64) []byte { return u32(uint32(int32(math.Round(f * 65536)))) }

// gpmfSample is one GoPro GPMF sample: a device with a GPS stream (fix,
// scale divisors, one GPS5 structure).
func gpmfSample(lat, lng, alt float64) []byte {
	klv := func(key string, typ byte, size int, repeat int, data []byte) []byte {
		b := append([]byte(key), typ, byte(size))
		b = append(b, u16(uint16(repeat))...)
		b = append(b, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	scal := append(append(u32(10000000), u32(10000000)...), append(u32(1000), append(u32(1000), u32(100)...)...)...)
	i32 := func(f float64) []byte { return u32(uint32(int32(math.Round(f)))) }
	gps := append(append(i32(lat*1e7), i32(lng*1e7)...), append(i32(alt*1000), append(u32(0), u32(0)...)...)...)
	strm := append(klv("GPSF", 'L', 4, 1, u32(3)), klv("SCAL", 'l', 4, 5, scal)...)
	strm = append(strm, klv("GPS5", 'l', 20, 1, gps)...)
	devc := klv("STRM", 0, 1, len(strm), strm)
	return klv("DEVC", 0, 1, len(devc), devc)
}

// TestMovieMetadata reads the capture time with its zone, the position and
// the codecs from each layout phones and cameras write.
func TestMovieMetadata(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name         string
		file         []byte
		taken        string // "2006-01-02 15:04:05 -07:00"
		lat, lng     float64
		video, audio string
		make, model  string
	}{
		{
			name: "iPhone: Apple keys with offset beat the UTC header",
			file: testkit.Movie("qt  ", testkit.MovieHeader(utc("2023-09-22 16:34:07")), testkit.Track("vide", "hvc1", 1920, 1080), testkit.Track("soun", "mp4a", 0, 0),
				appleKeys([2]string{"com.apple.quicktime.creationdate", "2023-09-22T18:34:05+0200"},
					[2]string{"com.apple.quicktime.location.ISO6709", "+52.4597+013.3220+051.178/"},
					[2]string{"com.apple.quicktime.make", "Apple"}, [2]string{"com.apple.quicktime.model", "iPad mini"}),
				// A worse position source loses to the keys.
				testkit.Box("udta", qtText("\xa9xyz", "+10.0000+010.0000/"))),
			taken: "2023-09-22 18:34:05 +02:00", lat: 52.4597, lng: 13.322, video: "hvc1", audio: "mp4a", make: "Apple", model: "iPad mini",
		},
		{
			name: "Android: ©day with offset and ©xyz",
			file: testkit.Movie("mp42", testkit.MovieHeader(utc("2021-06-01 17:00:03")), testkit.Track("vide", "avc1", 1280, 720),
				testkit.Box("udta", qtText("\xa9xyz", "+37.3349-122.0090+012.000/"), qtText("\xa9day", "2021-06-01T10:00:00-0700"))),
			taken: "2021-06-01 10:00:00 -07:00", lat: 37.3349, lng: -122.009, video: "avc1",
		},
		{
			name:  "movie header only: UTC",
			file:  testkit.Movie("isom", testkit.MovieHeader(utc("2020-05-11 14:18:35")), testkit.Track("vide", "avc1", 270, 480), testkit.Track("soun", "mp4a", 0, 0)),
			taken: "2020-05-11 14:18:35 +00:00", video: "avc1", audio: "mp4a",
		},
		{
			name: "movie header counted from 1970",
			file: testkit.Movie("isom", func() []byte {
				b := testkit.MovieHeader(time.Time{})
				binary.BigEndian.PutUint32(b[12:], uint32(utc("2015-03-01 08:00:00").Unix()))
				return b
			}(), testkit.Track("vide", "mp4v", 640, 480)),
			taken: "2015-03-01 08:00:00 +00:00", video: "mp4v",
		},
		{
			name: "©day without zone comes after the header",
			file: testkit.Movie("mp42", testkit.MovieHeader(utc("2020-05-11 14:18:35")), testkit.Track("vide", "avc1", 640, 480),
				testkit.Box("udta", qtText("\xa9day", "2020-05-11T16:18:35"))),
			taken: "2020-05-11 14:18:35 +00:00", video: "avc1",
		},
		{
			name: "©day alone, without zone",
			file: testkit.Movie("mp42", testkit.MovieHeader(time.Time{}), testkit.Track("vide", "av01", 640, 480),
				testkit.Box("udta", qtText("\xa9day", "2020-05-11T16:18:35"))),
			taken: "2020-05-11 16:18:35", video: "av01",
		},
		{
			name: "Google Photos: ilst items ©day and ©xyz, Ricoh's @mak",
			file: testkit.Movie("mp42", testkit.MovieHeader(time.Time{}), testkit.Track("vide", "hev1", 640, 480),
				testkit.Box("udta", qtText("@mak", "RICOH"), testkit.Box("meta", u32(0),
					testkit.Box("hdlr", u32(0), u32(0), []byte("mdir"), make([]byte, 13)),
					testkit.Box("ilst", testkit.Box("\xa9day", dataAtom("2019-07-04T12:00:00Z")), testkit.Box("\xa9xyz", dataAtom("+40.7128-074.0060/")))))),
			taken: "2019-07-04 12:00:00 +00:00", lat: 40.7128, lng: -74.006, video: "hev1", make: "RICOH",
		},
		{
			name: "3GPP loci",
			file: testkit.Movie("3gp4", testkit.MovieHeader(utc("2012-01-02 03:04:05")), testkit.Track("vide", "s263", 176, 144),
				testkit.Box("udta", testkit.Box("loci", u32(0), u16(0x15c7), []byte("Home\x00"), []byte{0},
					fixed1616(151.2093), fixed1616(-33.8688), fixed1616(58),
					[]byte("earth\x00\x00")))),
			taken: "2012-01-02 03:04:05 +00:00", lat: -33.8688, lng: 151.2093, video: "s263",
		},
		{
			name: "FLIR: GPS in a uuid box of a top-level udta",
			file: append(testkit.Movie("mp42", testkit.MovieHeader(utc("2018-02-03 04:05:06")), testkit.Track("vide", "avc1", 640, 480)),
				testkit.Box("udta", testkit.Box("uuid", uuidFLIRGPS, u32(1),
					u32(math.Float32bits(59.3293)), u32(math.Float32bits(18.0686)), u32(math.Float32bits(28)),
					make([]byte, 12)))...),
			taken: "2018-02-03 04:05:06 +00:00", lat: 59.3293, lng: 18.0686, video: "avc1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := readWithDeadline(writeTemp(t, "v.mp4", tt.file), 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			layout := "2006-01-02 15:04:05"
			if info.HasOffset {
				layout += " -07:00"
			}
			if got := info.Taken.Format(layout); got != tt.taken || info.TakenSource != SourceVideo {
				t.Errorf("taken %s from %s, want %s from the video", got, info.TakenSource, tt.taken)
			}
			if tt.lat != 0 && (!info.HasGPS || math.Abs(info.Lat-tt.lat) > 1e-4 || math.Abs(info.Lng-tt.lng) > 1e-4) {
				t.Errorf("position %v %v,%v, want %v,%v", info.HasGPS, info.Lat, info.Lng, tt.lat, tt.lng)
			}
			if tt.lat == 0 && info.HasGPS {
				t.Errorf("position %v,%v from a file without one", info.Lat, info.Lng)
			}
			if info.VideoCodec != tt.video || info.AudioCodec != tt.audio {
				t.Errorf("codecs %q %q, want %q %q", info.VideoCodec, info.AudioCodec, tt.video, tt.audio)
			}
			if tt.make != "" && (info.Make != tt.make || info.Model != tt.model) {
				t.Errorf("camera %q %q, want %q %q", info.Make, info.Model, tt.make, tt.model)
			}
			f := info.Fields()
			if f["CompressorID"] != tt.video {
				t.Errorf("inspect CompressorID = %v, want %q", f["CompressorID"], tt.video)
			}
		})
	}
}

// TestGoProGPS reads the first fix of a GoPro GPMF track: the sample sits
// in mdat, found through the track's chunk offset and sample size.
func TestGoProGPS(t *testing.T) {
	sample := gpmfSample(47.3769, 8.5417, 408.2)
	ftyp := testkit.Box("ftyp", []byte("mp41"), u32(0), []byte("mp41"))
	mdat := testkit.Box("mdat", sample)
	off := uint32(len(ftyp) + 8)
	gpmd := testkit.Track("meta", "gpmd", 0, 0,
		testkit.Box("stsz", u32(0), u32(0), u32(1), u32(uint32(len(sample)))),
		testkit.Box("stco", u32(0), u32(1), u32(off)))
	file := append(append(ftyp, mdat...), testkit.Box("moov", testkit.MovieHeader(time.Date(2019, 8, 1, 9, 0, 0, 0, time.UTC)), testkit.Track("vide", "avc1", 1920, 1080), gpmd)...)
	info, err := readWithDeadline(writeTemp(t, "GX010001.MP4", file), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasGPS || math.Abs(info.Lat-47.3769) > 1e-6 || math.Abs(info.Lng-8.5417) > 1e-6 || math.Abs(info.Alt-408.2) > 1e-3 {
		t.Errorf("position %v %v,%v alt %v; want 47.3769,8.5417 at 408.2 m", info.HasGPS, info.Lat, info.Lng, info.Alt)
	}
	if info.VideoCodec != "avc1" {
		t.Errorf("video codec %q: the metadata track must not count as video", info.VideoCodec)
	}

	// No fix yet (GPSF 0): no position.
	nofix := gpmfSample(47.3769, 8.5417, 408.2)
	copy(nofix[8+8+8:], u32(0)) // DEVC header, STRM header, GPSF header, then its value
	if _, _, _, ok := gpmfFirstFix(nofix); ok {
		t.Error("a sample without a fix gave a position")
	}
}

// TestMovieHostile: broken boxes must end quickly with what was found.
func TestMovieHostile(t *testing.T) {
	tests := map[string][]byte{
		"stsd counting a billion entries": testkit.Movie("isom", testkit.MovieHeader(time.Time{}), testkit.Box("trak", testkit.Box("mdia",
			testkit.Box("hdlr", u32(0), u32(0), []byte("vide")), testkit.Box("minf", testkit.Box("stbl", testkit.Box("stsd", u32(0), u32(1<<30))))))),
		"keys counting a billion keys": testkit.Movie("qt  ", testkit.Box("meta", testkit.Box("keys", u32(0), u32(1<<30)), testkit.Box("ilst", testkit.Box("\x00\x00\x00\x01", dataAtom("x"))))),
		"loci without a name end":      testkit.Movie("3gp4", testkit.Box("udta", testkit.Box("loci", u32(0), u16(0), []byte("no end")))),
		"GoPro chunk past the end": testkit.Movie("mp41", testkit.Track("meta", "gpmd", 0, 0,
			testkit.Box("stsz", u32(0), u32(0), u32(1), u32(1<<30)), testkit.Box("stco", u32(0), u32(1), u32(1<<31)))),
		"GPMF nested without end": append(testkit.Movie("mp41"), testkit.Box("mdat", []byte("DEVC\x00\x01\xff\xffSTRM\x00\x01\xff\xff"))...),
	}
	for name, file := range tests {
		t.Run(name, func(t *testing.T) {
			info, err := readWithDeadline(writeTemp(t, "v.mp4", file), 2*time.Second)
			if info == nil {
				t.Fatalf("no info (err %v)", err)
			}
			if info.HasGPS {
				t.Errorf("position %v,%v from a broken file", info.Lat, info.Lng)
			}
		})
	}
	if _, _, _, ok := gpmfFirstFix([]byte("DEVC\x00\x01\xff\xffSTRM\x00\x01\xff\xff")); ok {
		t.Error("a truncated GPMF gave a position")
	}
}
