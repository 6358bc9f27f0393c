package transcode

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Test videos are made here with the real ffmpeg, once per test run, as a
// phone, a camcorder or an old camera would have recorded them.

var (
	mediaDir  string
	mediaMu   sync.Mutex
	mediaMade = map[string]string{}
)

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "pinhole-transcode-media-")
	if err != nil {
		panic(err)
	}
	mediaDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// testFFmpeg fails the test without ffmpeg: `scripts/deps.sh test`
// installs it, and a skip would pass without a video converted.
func testFFmpeg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not on PATH; `scripts/deps.sh test` installs it")
	}
	return p
}

// clip is one kind of test video: its file name and ffmpeg's arguments
// after the inputs.
type clip struct {
	name string
	args []string
}

// lavfi inputs: a moving test picture and a tone, secs seconds long.
func lavfi(size string, secs string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", secs}
}

var (
	hevcMP4   = clip{"iphone.mp4", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac")}
	hevcMOV   = clip{"IMG_0001.MOV", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac", "-f", "mov")}
	mpeg2TS   = clip{"00001.MTS", append(lavfi("320x240", "2"), "-c:v", "mpeg2video", "-q:v", "4", "-c:a", "mp2", "-f", "mpegts")}
	mjpegAVI  = clip{"MVI_0001.AVI", append(lavfi("320x240", "2"), "-c:v", "mjpeg", "-q:v", "5", "-c:a", "pcm_s16le", "-f", "avi")}
	h263_3GP  = clip{"VID0001.3gp", append(lavfi("176x144", "2"), "-c:v", "h263", "-c:a", "aac", "-ac", "1", "-ar", "8000", "-b:a", "12k", "-f", "3gp")}
	wmv       = clip{"clip.wmv", append(lavfi("320x240", "2"), "-c:v", "wmv2", "-c:a", "wmav2", "-f", "asf")}
	h264MKV   = clip{"clip.mkv", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-f", "matroska")}
	pcmMOV    = clip{"pcm.mov", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le", "-f", "mov")}
	h264MP4   = clip{"android.mp4", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac")}
	h264Mute  = clip{"mute.mp4", []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"}}
	h264MOV   = clip{"IMG_0002.MOV", append(lavfi("320x240", "2"), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-f", "mov")}
	vp9WebM   = clip{"screen.webm", append(lavfi("320x240", "1"), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-f", "webm")}
	hevcAsMOV = clip{"renamed.mov", append(lavfi("320x240", "1"), "-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac", "-f", "mp4")}
	// A longer camcorder clip: its conversion takes a while, so a stream
	// can be read while it runs.
	longTS = clip{"long.MTS", append(lavfi("640x360", "60"), "-c:v", "mpeg2video", "-q:v", "6", "-c:a", "mp2", "-f", "mpegts")}
	// Landscape and portrait, to check the height limit.
	wideTS = clip{"wide.MTS", append(lavfi("640x360", "1"), "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts")}
	tallTS = clip{"tall.MTS", append(lavfi("360x640", "1"), "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts")}
	// An iPhone's HDR (HLG, 10-bit BT.2020) video.
	hlgMOV = clip{"hdr.mov", []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-pix_fmt", "yuv420p10le",
		"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1",
		"-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc", "-f", "mov"}}
)

// make returns the path of the clip, making it on first use.
func (c clip) make(t testing.TB) string {
	t.Helper()
	ff := testFFmpeg(t)
	mediaMu.Lock()
	defer mediaMu.Unlock()
	if p, ok := mediaMade[c.name]; ok {
		return p
	}
	p := filepath.Join(mediaDir, c.name)
	args := append([]string{"-loglevel", "error", "-y"}, c.args...)
	if out, err := exec.Command(ff, append(args, p)...).CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v: %s", c.name, err, out)
	}
	mediaMade[c.name] = p
	return p
}
