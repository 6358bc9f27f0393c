package thumbs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxHelperOutput = 64 << 20
	// maxHelperLog is how much of a helper's standard error is kept for
	// the error message: its first and last half, where ffmpeg says what
	// it could not open and how it gave up.
	maxHelperLog = 4096
)

// limitedBuffer keeps at most max bytes and fails writes past that, so a
// runaway helper cannot fill memory. It must not embed bytes.Buffer: the
// promoted ReadFrom would let io.Copy (which os/exec uses for pipes) go
// around Write and so around the limit.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.max {
		b.over = true
		return 0, errors.New("helper output too large")
	}
	return b.buf.Write(p)
}

func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }

// logBuffer keeps the beginning and the end of a helper's log and accepts
// everything in between without storing it. It never fails a write: a
// failed write would close the pipe and fail (or kill) a helper that
// merely complains a lot, as ffmpeg does about every damaged macroblock of
// a video it still decodes.
type logBuffer struct {
	head, tail []byte
	half       int
	dropped    bool
}

func (b *logBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.half - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	b.tail = append(b.tail, p...)
	if over := len(b.tail) - b.half; over > 0 {
		b.tail = append(b.tail[:0:0], b.tail[over:]...)
		b.dropped = true
	}
	return n, nil
}

// String returns the kept log, trimmed, with "…" where bytes were left out.
func (b *logBuffer) String() string {
	s := string(b.head)
	if b.dropped {
		s += " … "
	}
	s += string(b.tail)
	return strings.TrimSpace(s)
}

// runHelper runs a program directly (never through a shell) with a timeout
// and the resource limits lim, and returns its standard output and what it
// logged on standard error.
func runHelper(ctx context.Context, timeout time.Duration, lim helperLimits, name string, args ...string) (stdout []byte, log string, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out *limitedBuffer
	var stderr *logBuffer
	cmd, err := startHelper(ctx, lim, func(cmd *exec.Cmd) {
		out = &limitedBuffer{max: maxHelperOutput}
		stderr = &logBuffer{half: maxHelperLog / 2}
		cmd.Stdout, cmd.Stderr = out, stderr
		cmd.WaitDelay = 2 * time.Second
	}, name, args...)
	if err == nil {
		err = cmd.Wait()
	}
	switch {
	case out.over:
		// The pipe was closed on it, so its exit status says nothing.
		return nil, stderr.String(), fmt.Errorf("%s wrote more than %d MB", filepath.Base(name), maxHelperOutput>>20)
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, stderr.String(), fmt.Errorf("%s timed out after %v: %w", filepath.Base(name), timeout, ctx.Err())
	case err != nil && ctx.Err() != nil:
		return nil, stderr.String(), fmt.Errorf("%s stopped: %w", filepath.Base(name), ctx.Err())
	case err != nil && killedByLimit(err):
		return nil, stderr.String(), fmt.Errorf("%s went over its memory or CPU limit (%s address space): %w", filepath.Base(name), mb(lim.as), err)
	case err != nil:
		return nil, stderr.String(), fmt.Errorf("%s: %w: %s", filepath.Base(name), err, stderr.String())
	}
	return out.Bytes(), stderr.String(), nil
}

// heifToJPEG decodes a HEIC/HEIF/AVIF with heif-dec or heif-convert into a
// temporary JPEG and returns its bytes. The helper applies the container's
// rotation and mirroring itself.
func heifToJPEG(ctx context.Context, opts Options, lim helperLimits, path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "pinhole-heif-")
	if err != nil {
		return nil, fmt.Errorf("heif temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out.jpg")
	if _, _, err := runHelper(ctx, opts.HelperTimeout, lim, opts.HEIFConvert, "-q", "92", path, out); err != nil {
		return nil, broken("HEIC decode failed", err)
	}
	// Files with several top-level images come out as out-1.jpg, out-2.jpg …
	names, _ := filepath.Glob(filepath.Join(dir, "out*.jpg"))
	sort.Strings(names)
	if len(names) == 0 {
		return nil, broken("HEIC decode failed", errors.New("helper wrote nothing"))
	}
	st, err := os.Stat(names[0])
	if err != nil || st.Size() > maxHelperOutput {
		return nil, broken("HEIC decode failed", errors.New("helper output unusable"))
	}
	return os.ReadFile(names[0])
}

// videoFrame grabs a poster frame with ffmpeg: the key frame at or before
// one second in, or the first frame when seeking yields nothing. Decoding
// key frames only, on one thread, keeps ffmpeg at about a third of the
// memory of an exact seek (84 against 250 MB for 4K H.264: every frame up
// to the second is decoded otherwise, with a reference buffer per
// thread). maxPixels is the largest frame its decoder may allocate (what
// was admitted). ffmpeg applies the rotation metadata.
// videoFormats are the demuxers posters may use: what cameras and phones
// record (MP4/MOV/3GP, AVCHD's MPEG-TS, AVI, Matroska/WebM, MPEG-PS, ASF,
// DV, MXF).
const videoFormats = "mov,mp4,m4a,3gp,3g2,mj2,mpegts,avi,matroska,webm,mpeg,asf,dv,mxf"

func videoFrame(ctx context.Context, opts Options, lim helperLimits, maxPixels int64, path string) ([]byte, error) {
	// "file:" keeps ffmpeg from reading a relative name with a colon, such
	// as "12:30 party.mp4", as a protocol ("Protocol not found").
	input := "file:" + path
	args := func(seek bool) []string {
		// Only local files, and only camera video containers: a playlist
		// or concat script dressed as a video cannot make ffmpeg read
		// other files or the network.
		a := []string{"-nostdin", "-hide_banner", "-loglevel", "error",
			"-protocol_whitelist", "file", "-format_whitelist", videoFormats,
			"-threads", "1", "-skip_frame", "nokey", "-max_pixels", strconv.FormatInt(min(maxPixels, math.MaxInt32), 10),
			// Damaged frames are concealed and still make a poster; the
			// error rate of one or two key frames says nothing, and
			// without this it turns the exit status to 69.
			"-max_error_rate", "1"}
		if seek {
			a = append(a, "-noaccurate_seek", "-ss", "1")
		}
		return append(a, "-i", input, "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-q:v", "2", "-")
	}
	out, log, err := runHelper(ctx, opts.HelperTimeout, lim, opts.FFmpeg, args(true)...)
	if err == nil && len(out) == 0 {
		out, log, err = runHelper(ctx, opts.HelperTimeout, lim, opts.FFmpeg, args(false)...)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, broken("video took too long to read", err)
		}
		return nil, broken("unreadable video", err)
	}
	if len(out) == 0 {
		// ffmpeg exits 0 when no frame decodes; what it logged says why.
		var cause error
		if log != "" {
			cause = errors.New(filepath.Base(opts.FFmpeg) + ": " + log)
		}
		return nil, broken("no frame of this video could be read", cause)
	}
	return out, nil
}
