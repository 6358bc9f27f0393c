//go:build unix

package thumbs

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// These tests run the real ffmpeg (Debian's, which `scripts/deps.sh test`
// installs) where helper_test.go uses a stand-in: they check what a person
// browsing their videos sees.

// realFFmpeg returns the ffmpeg that FindHelpers finds, as the server does.
// Every run must have it (`make test` installs it): a skip would pass
// without a poster being made, and only CI set CI=1 to make it fail.
func realFFmpeg(t *testing.T) string {
	t.Helper()
	_, ff := FindHelpers()
	if ff == "" {
		t.Fatal("ffmpeg is not on PATH; `scripts/deps.sh test` installs it (video posters must be rendered, not skipped)")
	}
	return ff
}

// brokenVideos are the corpus videos with no frame anyone could show, and
// why. Each must get a placeholder that says so in words.
var brokenVideos = map[string]string{
	"exiftool-t/M2TS.mts":      "exiftool's metadata fixture: 1 KB of a stream, no whole frame",
	"exiftool-t/Matroska.mkv":  "exiftool's metadata fixture: 507 bytes of header",
	"exiftool-t/Pentax.avi":    "exiftool's metadata fixture: the header without the frames",
	"exiftool-t/QuickTime.mov": "exiftool's metadata fixture: the header without the frames",
	"exiftool-t/RIFF.avi":      "exiftool's metadata fixture: the header without the frames",
	// A QuickTime reference movie: its frames are JPEGs on the machine
	// that made it (/matlab_sv13/work/cavity_flow/…), not in the file.
	"photoprism/pkg/media/video/testdata/quicktime-jpeg.mov": "reference movie whose frames are in other files",
}

// videoRotation is what `exiftool -Rotation` reads for corpus videos whose
// stored reading (exiftool.json) leaves the tag out.
var videoRotation = map[string]int{
	"photoprism/pkg/media/video/testdata/quicktime-hvc1.mov": 90, // iPad mini, held upright
}

// videoExtensions are the names the brief's sweep looks for besides
// exiftool's video/* MIME types.
var videoExtensions = map[string]bool{".mp4": true, ".mov": true, ".m4v": true, ".3gp": true, ".avi": true, ".mkv": true, ".mts": true}

// corpusVideos lists every video of the corpus: what exiftool calls video/*
// and every file named like one.
func corpusVideos(t *testing.T, meta map[string]map[string]any) []string {
	t.Helper()
	set := map[string]bool{}
	for rel, e := range meta {
		if m, _ := e["File:MIMEType"].(string); strings.HasPrefix(m, "video/") {
			set[rel] = true
		}
	}
	root := corpus.Dir(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !videoExtensions[strings.ToLower(filepath.Ext(p))] {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		set[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(set))
	for rel := range set {
		out = append(out, rel)
	}
	sort.Strings(out)
	return out
}

// tagNumber returns the first numeric tag of e named like "Group:name".
func tagNumber(e map[string]any, name string) (int, bool) {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasSuffix(k, ":"+name) {
			if v, ok := e[k].(float64); ok {
				return int(v), true
			}
		}
	}
	return 0, false
}

// readableReason tells whether a placeholder reason is words a person can
// read on a 224-pixel tile: no program output, addresses or paths.
var readableReason = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ,'()-]{7,59}$`)

func checkReason(t *testing.T, what string, err error) {
	t.Helper()
	r := Reason(err)
	if !readableReason.MatchString(r) || len(strings.Fields(r)) < 2 ||
		strings.Contains(r, "exit status") || strings.Contains(r, "0x") || strings.Contains(r, "ffmpeg:") {
		t.Errorf("%s: placeholder reason %q is not a short sentence a person can read (error: %v)", what, r, err)
	}
}

func fileSHA1(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// getPoster asks the service for one size the way the web server does,
// and fails the test if the answer takes longer than limit.
func getPoster(t *testing.T, s *Service, src Source, size Size, limit time.Duration) ([]byte, time.Duration, error) {
	t.Helper()
	type answer struct {
		b   []byte
		err error
	}
	ch := make(chan answer, 1)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- answer{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		r, err := s.Get(ctx, src, size)
		if err != nil {
			ch <- answer{err: err}
			return
		}
		b := r.Data
		if r.Path != "" {
			b, err = os.ReadFile(r.Path)
		}
		ch <- answer{b, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil && strings.HasPrefix(a.err.Error(), "panic:") {
			t.Fatalf("%s %s: %v", filepath.Base(src.Path), size.Name, a.err)
		}
		if errors.Is(a.err, context.DeadlineExceeded) && ctx.Err() != nil {
			t.Fatalf("%s %s: no answer within %v", filepath.Base(src.Path), size.Name, limit)
		}
		return a.b, time.Since(start), a.err
	case <-time.After(limit + 5*time.Second):
		t.Fatalf("%s %s: hung for %v", filepath.Base(src.Path), size.Name, time.Since(start))
		return nil, 0, nil
	}
}

// childPeakRSS is the largest resident size, in MB, of any child process
// the test has waited for: ffmpeg's peak memory.
func childPeakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// leftoverChildren lists the processes (zombies included) whose parent is
// this test binary, read from /proc; nil where there is no /proc.
func leftoverChildren() []string {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := os.Getpid()
	var out []string
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so cut at ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		if _, err := fmt.Sscan(s[i+1:], &state, &ppid); err == nil && ppid == me {
			out = append(out, strings.TrimSpace(s[:i+1])+" "+state)
		}
	}
	return out
}

func checkNoLeftovers(t *testing.T) {
	t.Helper()
	if kids := leftoverChildren(); len(kids) > 0 {
		t.Errorf("helper processes left behind (Z = zombie): %v", kids)
	}
}

// Every corpus video gets a poster at fit_720 and tile_224 from the real
// ffmpeg, upright and at the size the rules give, or, when the file holds
// no frame, a placeholder reason in words; nothing panics or hangs.
func TestRealFFmpegCorpusPosters(t *testing.T) {
	ff := realFFmpeg(t)
	start := time.Now()
	s := newService(t, Config{FFmpeg: ff, HelperTimeout: 10 * time.Second})
	if _, got := s.Helpers(); got != ff {
		t.Fatalf("service uses ffmpeg %q, want %q", got, ff)
	}
	meta := corpus.Exiftool(t)
	videos := corpusVideos(t, meta)
	fit, tile := mustSize(t, "fit_720"), mustSize(t, "tile_224")
	var rendered, rotated int
	var refused []string
	for _, rel := range videos {
		e := meta[rel]
		mime, _ := e["File:MIMEType"].(string)
		src := Source{Path: corpus.Path(t, rel), Hash: fileSHA1(t, corpus.Path(t, rel)), MIME: mime}
		fitJPG, d1, err1 := getPoster(t, s, src, fit, 15*time.Second)
		tileJPG, d2, err2 := getPoster(t, s, src, tile, 15*time.Second)
		if why, broken := brokenVideos[rel]; broken {
			for _, err := range []error{err1, err2} {
				if !errors.Is(err, ErrBroken) {
					t.Errorf("%s (%s): want a broken-file error, got %v", rel, why, err)
					continue
				}
				checkReason(t, rel, err)
			}
			refused = append(refused, fmt.Sprintf("%s: %q", rel, Reason(err1)))
			t.Logf("%-58s refused in %v/%v: %q (%v)", rel, d1.Round(time.Millisecond), d2.Round(time.Millisecond), Reason(err1), err1)
			continue
		}
		if err1 != nil || err2 != nil {
			t.Errorf("%s: no poster: fit_720: %v; tile_224: %v", rel, err1, err2)
			continue
		}
		rendered++
		poster, tileImg := decodeBytes(t, fitJPG), decodeBytes(t, tileJPG)
		if got := tileImg.Bounds().Size(); got != image.Pt(224, 224) {
			t.Errorf("%s: tile_224 is %v, want exactly 224x224", rel, got)
		}
		got := poster.Bounds().Size()
		if got.X > 720 || got.Y > 720 {
			t.Errorf("%s: fit_720 is %v, larger than 720", rel, got)
		}
		w, okW := tagNumber(e, "ImageWidth")
		h, okH := tagNumber(e, "ImageHeight")
		rot, ok := tagNumber(e, "Rotation")
		if !ok {
			rot = videoRotation[rel]
		}
		if okW && okH {
			dw, dh := w, h // display size: the coded size turned by the rotation
			if rot == 90 || rot == 270 {
				dw, dh = h, w
				rotated++
			}
			if ww, wh := fit.outputSize(dw, dh); got != image.Pt(ww, wh) {
				t.Errorf("%s: fit_720 is %v, want %dx%d (display size %dx%d, coded %dx%d, rotation %d)",
					rel, got, ww, wh, dw, dh, w, h, rot)
			}
			if got.X > dw || got.Y > dh {
				t.Errorf("%s: fit_720 %v is upscaled beyond the display size %dx%d", rel, got, dw, dh)
			}
		} else {
			t.Errorf("%s: exiftool.json has no ImageWidth/ImageHeight to check the poster against", rel)
		}
		// The tile is the middle of the same upright frame: a tile cut
		// from an unrotated frame would show a different part.
		want := resample(centreSquare(poster), 224, 224)
		// Measured: 0.92–0.99 for the right tile, at most 0.61 for one cut
		// from the frame turned a quarter.
		if sim := ssim(want, tileImg); sim < 0.8 {
			t.Errorf("%s: tile_224 does not show the middle of the poster (SSIM %.2f)", rel, sim)
		}
		t.Logf("%-58s fit_720 %4dx%-4d in %4dms, tile_224 in %4dms; ffmpeg peak RSS so far %.0f MB",
			rel, got.X, got.Y, d1.Milliseconds(), d2.Milliseconds(), childPeakRSS())
	}
	t.Logf("%d videos: %d posters, %d refused with a reason, in %v; ffmpeg peak RSS %.0f MB",
		len(videos), rendered, len(refused), time.Since(start).Round(time.Millisecond), childPeakRSS())
	for _, r := range refused {
		t.Logf("  refused: %s", r)
	}
	for rel := range brokenVideos {
		if _, ok := meta[rel]; !ok {
			t.Errorf("%s is listed as broken but is not in the corpus", rel)
		}
	}
	if rendered < 7 { // 7 of 13 at the time of writing
		t.Errorf("only %d corpus videos got a poster", rendered)
	}
	if rotated == 0 {
		t.Error("no rotated video was checked for display orientation")
	}
	checkNoLeftovers(t)
}

// A video cut short, as by an interrupted copy from a phone, gets a clean
// error within seconds whose log part says what ffmpeg found, and the
// file itself is left as it was.
func TestRealFFmpegTruncatedVideo(t *testing.T) {
	ff := realFFmpeg(t)
	orig := corpus.Path(t, "photoprism/pkg/media/video/testdata/quicktime-hvc1.mov")
	b, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "interrupted copy.mov")
	if err := os.WriteFile(cut, b[:len(b)*30/100], 0o644); err != nil {
		t.Fatal(err)
	}
	before, beforeOrig := fileSHA1(t, cut), fileSHA1(t, orig)
	stBefore, _ := os.Stat(cut)
	s := newService(t, Config{FFmpeg: ff, HelperTimeout: 10 * time.Second})
	for _, size := range []Size{mustSize(t, "fit_720"), mustSize(t, "tile_224")} {
		_, d, err := getPoster(t, s, Source{Path: cut, Hash: before, MIME: "video/quicktime"}, size, 10*time.Second)
		t.Logf("%s: %v after %v", size.Name, err, d.Round(time.Millisecond))
		if !errors.Is(err, ErrBroken) {
			t.Fatalf("%s: want a broken-file error, got %v", size.Name, err)
		}
		checkReason(t, "truncated video", err)
		// The log says why: the index (moov) sits at the end of the file.
		if !strings.Contains(err.Error(), "moov atom not found") {
			t.Errorf("%s: error %q does not carry ffmpeg's explanation", size.Name, err)
		}
		if d > 5*time.Second {
			t.Errorf("%s: took %v to give up on a truncated video", size.Name, d)
		}
	}
	stAfter, _ := os.Stat(cut)
	if after := fileSHA1(t, cut); after != before || !stAfter.ModTime().Equal(stBefore.ModTime()) {
		t.Errorf("the truncated file changed: sha1 %s → %s, mtime %v → %v", before, after, stBefore.ModTime(), stAfter.ModTime())
	}
	if after := fileSHA1(t, orig); after != beforeOrig {
		t.Errorf("the corpus original changed: sha1 %s → %s", beforeOrig, after)
	}
	checkNoLeftovers(t)
}

// A video with damaged packets still decodes to a (concealed) frame, but
// ffmpeg complains about every damaged macroblock on its standard error.
// That log is capped for the error message, and the cap must not cost the
// poster: a cap that fails the write fails the whole run.
func TestRealFFmpegNoisyDamagedVideo(t *testing.T) {
	ff := realFFmpeg(t)
	b, err := os.ReadFile(corpus.Path(t, "photoprism/assets/examples/earth.mov"))
	if err != nil {
		t.Fatal(err)
	}
	// Flip every 23rd byte of the media data, leaving the header and the
	// index (moov, at the end) whole: ffmpeg 5.1 still decodes a frame and
	// exits 0, after about 6 KB of complaints. (Denser damage trips its
	// error-rate limit, exit 69.)
	for i := 2000; i < 600000 && i < len(b); i += 23 {
		b[i] ^= 0xFF
	}
	p := filepath.Join(t.TempDir(), "damaged.mov")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	// The fixture is only worth something while ffmpeg logs more than the
	// error message keeps.
	var log bytes.Buffer
	cmd := exec.Command(ff, "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", "1", "-i", p,
		"-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-")
	cmd.Stderr = &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg on the damaged copy: %v: %s", err, log.String())
	}
	if log.Len() <= maxHelperLog {
		t.Errorf("ffmpeg logged only %d bytes about the damaged copy; the test needs more than %d", log.Len(), maxHelperLog)
	}
	s := newService(t, Config{FFmpeg: ff, HelperTimeout: 10 * time.Second})
	jpg, d, err := getPoster(t, s, Source{Path: p, Hash: fileSHA1(t, p), MIME: "video/quicktime"}, mustSize(t, "fit_720"), 10*time.Second)
	if err != nil {
		t.Fatalf("no poster for a video ffmpeg can decode (it logged %d bytes): %v", log.Len(), err)
	}
	if got := decodeBytes(t, jpg).Bounds().Size(); got != image.Pt(480, 270) {
		t.Errorf("poster is %v, want the 480x270 frame", got)
	}
	t.Logf("poster in %v despite %d bytes of decoder complaints", d.Round(time.Millisecond), log.Len())
	checkNoLeftovers(t)
}

// `pinhole thumb` takes names relative to the working directory; a name
// with a colon, as a time in a file name, is still a file to ffmpeg and
// not a protocol.
func TestRealFFmpegRelativeNameWithColon(t *testing.T) {
	ff := realFFmpeg(t)
	b, err := os.ReadFile(corpus.Path(t, "photoprism/assets/examples/christmas.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("12:30 party.mp4", b, 0o644); err != nil {
		t.Fatal(err)
	}
	jpg, err := Render(context.Background(), "12:30 party.mp4", mustSize(t, "fit_720"), Options{FFmpeg: ff})
	if err != nil {
		t.Fatalf("relative name with a colon: %v", err)
	}
	if got := decodeBytes(t, jpg).Bounds().Size(); got != image.Pt(640, 416) {
		t.Errorf("poster is %v, want the 640x416 frame", got)
	}
}

// A video whose reads stall (a network share gone away; here a FIFO no one
// writes to) is given up on at the helper timeout: ffmpeg is killed and
// reaped, and the placeholder says it took too long.
func TestRealFFmpegStalledReadTimesOut(t *testing.T) {
	ff := realFFmpeg(t)
	p := filepath.Join(t.TempDir(), "stalled.mp4")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	// Hold the write end open (O_RDWR does not block on Linux) and give
	// ffmpeg the start of a header, then nothing more.
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err = Render(ctx, p, mustSize(t, "tile_224"), Options{FFmpeg: ff, HelperTimeout: time.Second})
	d := time.Since(start)
	t.Logf("stalled read: %v after %v", err, d.Round(time.Millisecond))
	if !errors.Is(err, ErrBroken) || Reason(err) != "video took too long to read" {
		t.Errorf("want the timeout reason, got %v (reason %q)", err, Reason(err))
	}
	checkReason(t, "stalled video", err)
	if d > 5*time.Second {
		t.Errorf("a stalled read held the render for %v with a 1 s helper timeout", d)
	}
	checkNoLeftovers(t)
}

// fakeHelper writes a shell script standing in for ffmpeg and returns its
// path.
func fakeHelper(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// The output cap holds when os/exec copies from a pipe: io.Copy prefers
// the writer's ReadFrom, which an embedded bytes.Buffer used to provide,
// so no Write, and no limit, was ever seen.
func TestHelperOutputCapHoldsForPipes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(make([]byte, 100))
		w.Close()
	}()
	b := &limitedBuffer{max: 10}
	if _, err := io.Copy(b, r); err == nil || len(b.Bytes()) > 10 {
		t.Errorf("copied %d bytes into a 10-byte buffer (err %v)", len(b.Bytes()), err)
	}
	r.Close()
}

// A helper that floods its standard output is stopped at the cap and the
// error says so, instead of the server holding all of it in memory.
func TestHelperStdoutFloodIsCapped(t *testing.T) {
	ff := fakeHelper(t, "exec head -c 80000000 /dev/zero\n")
	start := time.Now()
	_, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/earth.mov"),
		mustSize(t, "tile_224"), Options{FFmpeg: ff, HelperTimeout: 10 * time.Second})
	want := fmt.Sprintf("wrote more than %d MB", maxHelperOutput>>20)
	if !errors.Is(err, ErrBroken) || !strings.Contains(err.Error(), want) {
		t.Errorf("want a broken-file error saying %q, got %v", want, err)
	}
	checkReason(t, "flooding helper", err)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	checkNoLeftovers(t)
}

// A helper that fails after logging a megabyte gives an error of a few
// kilobytes that keeps the first and the last lines, where ffmpeg says
// what it opened and why it gave up.
func TestHelperLogIsCappedHeadAndTail(t *testing.T) {
	ff := fakeHelper(t, `echo "first: opening the input" >&2
head -c 1000000 /dev/zero | tr '\000' x >&2
echo >&2
echo "last: the real reason" >&2
exit 1
`)
	_, err := Render(context.Background(), corpus.Path(t, "photoprism/assets/examples/earth.mov"),
		mustSize(t, "tile_224"), Options{FFmpeg: ff, HelperTimeout: 10 * time.Second})
	if !errors.Is(err, ErrBroken) {
		t.Fatalf("want a broken-file error, got %v", err)
	}
	msg := err.Error()
	if len(msg) > maxHelperLog+200 {
		t.Errorf("error message is %d bytes long", len(msg))
	}
	for _, want := range []string{"first: opening the input", "last: the real reason", "exit status 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error message lacks %q", want)
		}
	}
	checkReason(t, "failing helper", err)
}

// A playlist or concat script saved with a video's name cannot make ffmpeg
// read another file (here a real video elsewhere on disk) into a poster:
// posters only open camera video containers, from local files.
func TestRealFFmpegRefusesPlaylistsAndScripts(t *testing.T) {
	ff := realFFmpeg(t)
	other := corpus.Path(t, "photoprism/assets/examples/christmas.mp4")
	dir := t.TempDir()
	for name, body := range map[string]string{
		"playlist.mp4": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile:" + other + "\n#EXT-X-ENDLIST\n",
		"concat.mov":   "ffconcat version 1.0\nfile '" + other + "'\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		jpg, err := Render(context.Background(), p, mustSize(t, "fit_720"), Options{FFmpeg: ff, HelperTimeout: 5 * time.Second})
		if err == nil {
			t.Errorf("%s: ffmpeg followed it to another file and made a %d-byte poster", name, len(jpg))
			continue
		}
		checkReason(t, name, err)
	}
}
