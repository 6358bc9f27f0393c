package thumbs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

const maxHelperOutput = 64 << 20

// limitedBuffer keeps at most max bytes and fails writes past that, so a
// runaway helper cannot fill memory.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errors.New("helper output too large")
	}
	return b.Buffer.Write(p)
}

// runHelper runs a program directly (never through a shell) with a timeout
// and returns its standard output.
func runHelper(ctx context.Context, timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	stdout := &limitedBuffer{max: maxHelperOutput}
	stderr := &limitedBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s timed out: %w", filepath.Base(name), ctx.Err())
		}
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(name), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// heifToJPEG decodes a HEIC/HEIF/AVIF with heif-dec or heif-convert into a
// temporary JPEG and returns its bytes. The helper applies the container's
// rotation and mirroring itself.
func heifToJPEG(ctx context.Context, opts Options, path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "pinhole-heif-")
	if err != nil {
		return nil, fmt.Errorf("heif temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out.jpg")
	if _, err := runHelper(ctx, opts.HelperTimeout, opts.HEIFConvert, "-q", "92", path, out); err != nil {
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

// videoFrame grabs a poster frame with ffmpeg: one second in, or the first
// frame of clips shorter than that. ffmpeg applies the rotation metadata.
func videoFrame(ctx context.Context, opts Options, path string) ([]byte, error) {
	args := func(seek bool) []string {
		a := []string{"-nostdin", "-hide_banner", "-loglevel", "error"}
		if seek {
			a = append(a, "-ss", "1")
		}
		return append(a, "-i", path, "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-q:v", "2", "-")
	}
	out, err := runHelper(ctx, opts.HelperTimeout, opts.FFmpeg, args(true)...)
	if err == nil && len(out) == 0 {
		out, err = runHelper(ctx, opts.HelperTimeout, opts.FFmpeg, args(false)...)
	}
	if err != nil {
		return nil, broken("video frame failed", err)
	}
	if len(out) == 0 {
		return nil, broken("video has no frames", nil)
	}
	return out, nil
}
