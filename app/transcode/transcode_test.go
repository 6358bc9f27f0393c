package transcode

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pinhole/app/meta"
)

// source describes a test clip as the web layer would: its content hash
// and what the metadata says of it.
func source(t testing.TB, path string) Source {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(b)
	src := Source{Path: path, Hash: hex.EncodeToString(sum[:])}
	if in, err := meta.Read(path); err == nil {
		src.Duration, src.Width, src.Height = in.Duration, in.Width, in.Height
	}
	return src
}

func newService(t testing.TB, mod func(*Config)) *Service {
	t.Helper()
	cfg := Config{Dir: filepath.Join(t.TempDir(), "video"), MaxBytes: 1 << 30, Threads: 2}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// readAll reads a stream to its end with a deadline.
func readAll(t testing.TB, st *Stream) []byte {
	t.Helper()
	defer st.Close()
	b, err := io.ReadAll(st)
	if err != nil {
		t.Fatalf("read the converted video: %v", err)
	}
	return b
}

// probeOut asks ffprobe what a converted video holds.
func probeOut(t testing.TB, b []byte) (video, audio string, w, h int, pixfmt string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "out.mp4")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,pix_fmt", "-of", "compact=p=0:nk=0", f).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe of the converted video: %v: %s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kv := map[string]string{}
		for _, f := range strings.Split(line, "|") {
			k, v, _ := strings.Cut(f, "=")
			kv[k] = v
		}
		switch kv["codec_type"] {
		case "video":
			video, pixfmt = kv["codec_name"], kv["pix_fmt"]
			w, _ = strconv.Atoi(kv["width"])
			h, _ = strconv.Atoi(kv["height"])
		case "audio":
			audio = kv["codec_name"]
		}
	}
	return
}

// The decision comes from the codecs the metadata reader finds in the file
// (and ffprobe agrees), never from the extension: an HEVC file named .mov
// and an H.264 one named .MOV are told apart.
func TestDecisionPerFile(t *testing.T) {
	s := newService(t, nil)
	for _, tt := range []struct {
		c    clip
		want bool
	}{
		{hevcMP4, false}, {hevcMOV, false}, {hevcAsMOV, false}, {mpeg2TS, false}, {mjpegAVI, false},
		{h263_3GP, false}, {wmv, false}, {h264MKV, false}, {pcmMOV, false},
		{h264MP4, true}, {h264Mute, true}, {h264MOV, true}, {vp9WebM, true},
	} {
		t.Run(tt.c.name, func(t *testing.T) {
			path := tt.c.make(t)
			in, err := meta.Read(path)
			if in == nil {
				t.Fatalf("meta: %v", err)
			}
			p, err := s.ProbeFile(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if in.VideoCodec != "" {
				if got := Playable(in.MIME, in.VideoCodec, in.AudioCodec); got != tt.want {
					t.Errorf("from the metadata (%s, video %q, audio %q): playable %v, want %v", in.MIME, in.VideoCodec, in.AudioCodec, got, tt.want)
				}
			} else if tt.c.name != wmv.name {
				// Every container the reader parses names its codecs.
				t.Errorf("the metadata reader found no video codec in %s (%s)", tt.c.name, in.MIME)
			}
			if got := Playable(in.MIME, p.Video, p.Audio); got != tt.want {
				t.Errorf("from ffprobe (%s, video %q, audio %q): playable %v, want %v", in.MIME, p.Video, p.Audio, got, tt.want)
			}
		})
	}
}

// Each kind of video browsers cannot play converts into H.264/AAC in MP4,
// 8-bit 4:2:0, with its sound.
func TestConvertEachKind(t *testing.T) {
	s := newService(t, nil)
	for _, c := range []clip{hevcMP4, mpeg2TS, mjpegAVI, h263_3GP, wmv, pcmMOV} {
		t.Run(c.name, func(t *testing.T) {
			st, err := s.Open(context.Background(), source(t, c.make(t)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(st.Codecs, "avc1.") || !strings.HasSuffix(st.Codecs, ",mp4a.40.2") {
				t.Errorf("codecs %q, want avc1 with AAC", st.Codecs)
			}
			b := readAll(t, st)
			v, a, _, _, pf := probeOut(t, b)
			if v != "h264" || a != "aac" || pf != "yuv420p" {
				t.Errorf("converted to %s/%s %s, want h264/aac yuv420p", v, a, pf)
			}
		})
	}
}

// The short side is held to MaxHeight, landscape and portrait (phones
// record upright: 1080×1920 is 1080p), with the shape kept.
func TestMaxHeight(t *testing.T) {
	s := newService(t, func(c *Config) { c.MaxHeight = 240 })
	for _, tt := range []struct {
		c    clip
		w, h int
	}{{wideTS, 426, 240}, {tallTS, 240, 426}, {mjpegAVI, 320, 240}} {
		st, err := s.Open(context.Background(), source(t, tt.c.make(t)))
		if err != nil {
			t.Fatal(err)
		}
		_, _, w, h, _ := probeOut(t, readAll(t, st))
		if w != tt.w || h != tt.h {
			t.Errorf("%s: %d×%d, want %d×%d", tt.c.name, w, h, tt.w, tt.h)
		}
	}
}

// An HLG iPhone video is found to be HDR and mapped to 8-bit SDR.
func TestHDRToSDR(t *testing.T) {
	s := newService(t, nil)
	path := hlgMOV.make(t)
	p, err := s.ProbeFile(context.Background(), path)
	if err != nil || !p.HDR {
		t.Fatalf("probe: %+v, %v; want HDR", p, err)
	}
	st, err := s.Open(context.Background(), source(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _, _, pf := probeOut(t, readAll(t, st)); v != "h264" || pf != "yuv420p" {
		t.Errorf("converted to %s %s", v, pf)
	}
}

// The first bytes of a conversion arrive while ffmpeg is still at it, and
// the whole stream is the file the cache then holds. Progress rises.
func TestStreamsBeforeTheEnd(t *testing.T) {
	s := newService(t, nil)
	src := source(t, longTS.make(t))
	start := time.Now()
	st, err := s.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if st.Complete {
		t.Fatal("a new conversion came out of the cache")
	}
	first := make([]byte, 8)
	if _, err := io.ReadFull(st, first); err != nil {
		t.Fatal(err)
	}
	firstAt := time.Since(start)
	mid := s.Status(src, false)
	if mid.State != StateRunning || !mid.Ready {
		t.Fatalf("when the first bytes arrived the conversion was %+v, want running", mid)
	}
	if string(first[4:8]) != "ftyp" {
		t.Errorf("the stream starts with %q, want an MP4 ftyp box", first)
	}
	rest, err := io.ReadAll(st)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	end := s.Status(src, false)
	if end.State != StateDone || end.Progress != 1 {
		t.Errorf("after the stream ended: %+v, want done", end)
	}
	if mid.Progress >= 1 {
		t.Errorf("progress when the first bytes came: %v", mid.Progress)
	}
	got := append(first, rest...)
	p, _ := s.cache.lookup(s.key(src.Hash))
	cached, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(cached, got) {
		t.Errorf("the streamed bytes (%d) differ from the cached file (%d, %v)", len(got), len(cached), err)
	}
	t.Logf("first bytes after %v, conversion done after %v (%d bytes)", firstAt.Round(time.Millisecond), total.Round(time.Millisecond), len(got))
}

// A converted video is served from the cache the second time: no ffmpeg
// starts, and the file is whole (for Range requests).
func TestCacheReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "video")
	s := newService(t, func(c *Config) { c.Dir = dir })
	src := source(t, hevcMP4.make(t))
	one := readAll(t, mustOpen(t, s, src))
	if n := s.Conversions(); n != 1 {
		t.Fatalf("%d conversions for the first view", n)
	}
	st := mustOpen(t, s, src)
	if !st.Complete || st.Size != int64(len(one)) {
		t.Errorf("second view: complete %v, %d bytes, want the cached %d", st.Complete, st.Size, len(one))
	}
	st.Close()
	if n := s.Conversions(); n != 1 {
		t.Errorf("the second view started ffmpeg (%d conversions)", n)
	}
	// A restart finds the cache as it was.
	s.Close()
	s2 := newService(t, func(c *Config) { c.Dir = dir })
	if got := s2.Status(src, false); got.State != StateDone {
		t.Errorf("after a restart: %+v", got)
	}
	st = mustOpen(t, s2, src)
	st.Close()
	if s2.Conversions() != 0 || !st.Complete {
		t.Error("after a restart the video was converted again")
	}
}

func mustOpen(t testing.TB, s *Service, src Source) *Stream {
	t.Helper()
	st, err := s.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The cache keeps to its cap by dropping the least recently watched video.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	s := newService(t, nil)
	a, b, c := source(t, hevcMP4.make(t)), source(t, mjpegAVI.make(t)), source(t, mpeg2TS.make(t))
	readAll(t, mustOpen(t, s, a))
	readAll(t, mustOpen(t, s, b))
	// Room for about two: a third evicts the one watched longest ago.
	s.cache.mu.Lock()
	s.cache.max = s.cache.total + s.cache.total/4
	s.cache.mu.Unlock()
	time.Sleep(10 * time.Millisecond)
	readAll(t, mustOpen(t, s, a)) // a is watched again: b is now the oldest
	readAll(t, mustOpen(t, s, c))
	if got := s.Status(b, false).State; got != StateNone {
		t.Errorf("the least recently watched video is %s, want evicted", got)
	}
	for _, src := range []Source{a, c} {
		if got := s.Status(src, false).State; got != StateDone {
			t.Errorf("%s: %s, want kept", filepath.Base(src.Path), got)
		}
	}
	st := s.Stats()
	if st.Bytes > st.MaxBytes || st.Evictions != 1 {
		t.Errorf("cache %+v", st)
	}
	if _, err := os.Stat(s.cache.path(s.key(b.Hash))); !os.IsNotExist(err) {
		t.Errorf("the evicted file is still on disk: %v", err)
	}
}

// A video ffmpeg cannot read fails with a clear error that names no
// folder, leaves nothing in the cache, and is reported (not retried) when
// asked again soon.
func TestFailedConversion(t *testing.T) {
	s := newService(t, nil)
	dir := filepath.Join(t.TempDir(), "Private Holidays")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, "broken.mp4")
	b, _ := os.ReadFile(hevcMP4.make(t))
	os.WriteFile(path, append([]byte("\x00\x00\x00\x18ftypisom"), b[len(b)/2:]...), 0o644)
	src := source(t, path)
	_, err := s.Open(context.Background(), src)
	if err == nil {
		t.Fatal("a broken video converted")
	}
	if !strings.Contains(err.Error(), "cannot read this video") || strings.Contains(err.Error(), dir) {
		t.Errorf("error %q: want a clear reason without the folder", err)
	}
	st := s.Status(src, true)
	if st.State != StateFailed || st.Error != err.Error() {
		t.Errorf("status after the failure: %+v", st)
	}
	entries, _ := filepath.Glob(filepath.Join(s.cfg.Dir, "*", "*"))
	if len(entries) != 0 || s.Stats().Files != 0 {
		t.Errorf("a failed conversion left %v in the cache", entries)
	}
	if n := s.Conversions(); n > 1 {
		t.Errorf("asking again retried at once: %d conversions", n)
	}
	// The viewer polls; ffprobe is not run on every poll for a file it
	// could not read, until the file changes.
	probes := s.probes.Load()
	for range 3 {
		if _, err := s.ProbeFile(context.Background(), path); err == nil {
			t.Fatal("probing the broken file succeeded")
		}
	}
	if n := s.probes.Load() - probes; n != 0 {
		t.Errorf("ffprobe ran %d more times on an unchanged broken file", n)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	s.ProbeFile(context.Background(), path)
	if n := s.probes.Load() - probes; n != 1 {
		t.Errorf("a changed file was probed %d times, want 1", n)
	}
}

// A conversion that runs past its time limit is stopped with an error
// saying so, and leaves no temporary file.
func TestTimeLimit(t *testing.T) {
	s := newService(t, func(c *Config) { c.TimeLimit = 300 * time.Millisecond })
	_, err := s.Open(context.Background(), source(t, longTS.make(t)))
	if err == nil {
		// The first bytes can come before the limit: read on.
		t.Skip("converted within 300 ms")
	}
	if !strings.Contains(err.Error(), "took longer than its limit") {
		t.Errorf("error %q", err)
	}
	tmps, _ := os.ReadDir(filepath.Join(s.cfg.Dir, "tmp"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// Many viewers opening one video at once start one conversion and all get
// the same bytes.
func TestConcurrentViewersOneJob(t *testing.T) {
	s := newService(t, nil)
	src := source(t, mjpegAVI.make(t))
	var wg sync.WaitGroup
	got := make([][]byte, 6)
	errs := make([]error, 6)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.Open(context.Background(), src)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			got[i], errs[i] = io.ReadAll(st)
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("viewer %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) || len(got[i]) == 0 {
			t.Errorf("viewer %d got %d bytes, viewer 0 %d", i, len(got[i]), len(got[0]))
		}
	}
	if n := s.Conversions(); n != 1 {
		t.Errorf("%d conversions for one video", n)
	}
}

// One conversion runs at a time; the video asked for last goes first;
// a running conversion no one watches any more is stopped for one a
// viewer waits on. ffmpeg runs at nice 10 in the idle I/O class.
func TestQueue(t *testing.T) {
	s := newService(t, func(c *Config) { c.Abandon = 500 * time.Millisecond })
	long, b, c := source(t, longTS.make(t)), source(t, hevcMP4.make(t)), source(t, mpeg2TS.make(t))
	st := mustOpen(t, s, long)
	checkPriority(t)
	s.Status(b, true)
	time.Sleep(5 * time.Millisecond)
	s.Status(c, true)
	if got := s.Status(b, false); got.State != StateQueued || got.Queue != 2 {
		t.Errorf("the video asked for first: %+v, want queued behind two", got)
	}
	if got := s.Status(c, false); got.State != StateQueued || got.Queue != 1 {
		t.Errorf("the video asked for last: %+v, want queued next", got)
	}
	if n := s.Conversions(); n != 1 {
		t.Errorf("%d conversions at once", n)
	}
	// The viewer of the long video leaves; c's viewer keeps asking.
	st.Close()
	deadline := time.Now().Add(30 * time.Second)
	for s.Status(c, true).State != StateDone {
		if time.Now().After(deadline) {
			t.Fatalf("the waited-for video did not convert: %+v; long one %+v", s.Status(c, false), s.Status(long, false))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := s.Status(long, false); got.State == StateDone {
		t.Error("the abandoned long conversion ran to its end before the waited-for one")
	}
	// b was asked for once and then never again: dropped, not converted.
	time.Sleep(600 * time.Millisecond)
	s.poke()
	time.Sleep(100 * time.Millisecond)
	if got := s.Status(b, false); got.State == StateDone || got.State == StateRunning {
		t.Errorf("a video no one waits for was converted: %+v", got)
	}
}

// checkPriority finds the running ffmpeg among this process's children
// and reads its niceness and I/O class from the kernel.
func checkPriority(t *testing.T) {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := strconv.Itoa(os.Getpid())
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … ; comm may hold spaces.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || !bytes.Contains(b[:i], []byte("(ffmpeg")) {
			continue
		}
		fields := strings.Fields(string(b[i+2:]))
		if len(fields) < 17 || fields[1] != me {
			continue
		}
		if nice := fields[16]; nice != "10" {
			t.Errorf("ffmpeg runs at nice %s, want 10", nice)
		}
		pid := strings.Fields(string(b))[0]
		if out, err := exec.Command("ionice", "-p", pid).Output(); err == nil && !strings.Contains(string(out), "idle") {
			t.Errorf("ffmpeg's I/O class: %s, want idle", out)
		}
		return
	}
	t.Error("no ffmpeg child found while a conversion runs")
}

// The encoder is chosen once: a working hardware encoder whose device
// exists and which ffmpeg lists, else libx264.
func TestChooseEncoder(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ffmpeg")
	os.WriteFile(fake, []byte(`#!/bin/sh
case "$*" in
*-encoders*) printf ' V....D libx264              libx264 H.264\n V..... h264_v4l2m2m         V4L2 mem2mem H.264\n V....D h264_vaapi           H.264/AVC (VAAPI)\n' ;;
*h264_vaapi*) [ -n "$VAAPI_WORKS" ] || { echo "Failed to initialise VAAPI connection" >&2; exit 1; } ;;
esac
exit 0
`), 0o755)
	v4l2, dri := filepath.Join(dir, "video11"), filepath.Join(dir, "renderD128")
	os.WriteFile(v4l2, nil, 0o644)
	os.WriteFile(dri, nil, 0o644)
	for _, tt := range []struct {
		name       string
		v4l2, dri  string
		vaapiWorks bool
		want       string
	}{
		{"Intel with working VAAPI", "", dri, true, "h264_vaapi"},
		{"VAAPI device that does not work, Pi encoder", v4l2, dri, false, "h264_v4l2m2m"},
		{"Raspberry Pi 4", v4l2, "", false, "h264_v4l2m2m"},
		{"no device", filepath.Join(dir, "missing"), "", true, "libx264"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.vaapiWorks {
				t.Setenv("VAAPI_WORKS", "1")
			}
			s := newService(t, func(c *Config) { c.FFmpeg, c.V4L2Device, c.VAAPIDevice = fake, tt.v4l2, tt.dri })
			e, err := s.encoder(context.Background())
			if err != nil || e.name != tt.want {
				t.Errorf("chose %q (%v), want %s", e.name, err, tt.want)
			}
			if tt.want == "h264_vaapi" && (len(e.input) != 2 || e.input[1] != tt.dri || !strings.HasSuffix(s.filters(false, e), "hwupload")) {
				t.Errorf("VAAPI arguments: %v, filters %s", e.input, s.filters(false, e))
			}
		})
	}
}

// Without ffmpeg, a video to convert says what to install.
func TestNoFFmpeg(t *testing.T) {
	s := newService(t, func(c *Config) { c.FFmpeg = "" })
	s.ffmpeg = ""
	st := s.Status(Source{Path: "/x.mov", Hash: strings.Repeat("a", 40)}, true)
	if st.State != StateFailed || !strings.Contains(st.Error, "apt install ffmpeg") {
		t.Errorf("status %+v", st)
	}
	if _, err := s.Open(context.Background(), Source{Path: "/x.mov", Hash: strings.Repeat("a", 40)}); !errors.Is(err, ErrNoFFmpeg) {
		t.Errorf("open: %v", err)
	}
}

// Shutting down stops the running conversion (its temporary file goes)
// and answers every viewer still waiting, at once.
func TestCloseEndsWaiters(t *testing.T) {
	s := newService(t, nil)
	long, b := source(t, longTS.make(t)), source(t, mjpegAVI.make(t))
	st := mustOpen(t, s, long)
	defer st.Close()
	waited := make(chan error, 1)
	go func() {
		_, err := s.Open(context.Background(), b)
		waited <- err
	}()
	for s.Status(b, false).State != StateQueued {
		time.Sleep(10 * time.Millisecond)
	}
	s.Close()
	select {
	case err := <-waited:
		if err == nil {
			t.Error("a queued video opened after shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a viewer of a queued video still waits after shutdown")
	}
	if _, err := io.ReadAll(st); err == nil {
		t.Error("the stream of the stopped conversion ended cleanly, as if whole")
	}
	if tmps, _ := os.ReadDir(filepath.Join(s.cfg.Dir, "tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
