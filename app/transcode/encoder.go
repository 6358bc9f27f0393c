package transcode

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"pinhole/thumbs"
)

// An encoder turns the filtered frames into H.264. Hardware encoders come
// first where they work: a Raspberry Pi 4's V4L2 memory-to-memory encoder
// (/dev/video11) and Intel's VAAPI (/dev/dri/renderD128) take the work off
// the CPU; libx264 is the fallback everywhere else.
type encoder struct {
	name string
	// input goes before -i (a hardware device); filter ends the filter
	// chain (the upload to the device); args choose and tune the codec.
	input  []string
	filter string
	args   func(height int) []string
}

// keyEvery is how often a key frame starts a new fragment: the first
// fragment is ready (and playback can start) after this much video, and
// seeks land at most this far off.
const keyEvery = 2

var forceKeys = []string{"-force_key_frames", "expr:gte(t,n_forced*" + strconv.Itoa(keyEvery) + ")"}

func libx264(threads int) encoder {
	return encoder{name: "libx264", args: func(int) []string {
		return append([]string{"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high",
			"-threads", strconv.Itoa(threads)}, forceKeys...)
	}}
}

// hwBitrate is the bit rate asked of hardware encoders, which have no
// constant-quality mode worth the name: about what libx264 at CRF 23
// gives a phone video, scaled by the frame's height.
func hwBitrate(height int) string {
	if height <= 0 {
		height = 1080
	}
	return strconv.Itoa(max(1, 8*height*height/(1080*1080))) + "M"
}

func v4l2m2m() encoder {
	return encoder{name: "h264_v4l2m2m", args: func(h int) []string {
		// The Pi's encoder ignores forced key frames; a GOP of 50 keeps
		// fragments about two seconds long at phone frame rates.
		return []string{"-c:v", "h264_v4l2m2m", "-b:v", hwBitrate(h), "-g", "50"}
	}}
}

func vaapi(dev string) encoder {
	return encoder{name: "h264_vaapi", input: []string{"-vaapi_device", dev}, filter: "format=nv12,hwupload",
		args: func(int) []string {
			return append([]string{"-c:v", "h264_vaapi", "-rc_mode", "CQP", "-qp", "24", "-profile:v", "high"}, forceKeys...)
		}}
}

// chooseEncoder picks the encoder once: a hardware one whose device exists,
// which ffmpeg lists, and which encodes one test frame; else libx264.
func (s *Service) chooseEncoder(ctx context.Context) (encoder, error) {
	list, err := s.encoderList(ctx)
	if err != nil {
		return encoder{}, err
	}
	var candidates []encoder
	if exists(s.cfg.VAAPIDevice) && strings.Contains(list, " h264_vaapi ") {
		candidates = append(candidates, vaapi(s.cfg.VAAPIDevice))
	}
	if exists(s.cfg.V4L2Device) && strings.Contains(list, " h264_v4l2m2m ") {
		candidates = append(candidates, v4l2m2m()) // ffmpeg finds the device itself
	}
	for _, e := range candidates {
		if err := s.tryEncoder(ctx, e); err != nil {
			s.log.Info("hardware video encoder present but not working; trying the next", "encoder", e.name, "err", err)
			continue
		}
		return e, nil
	}
	if !strings.Contains(list, " libx264 ") {
		return encoder{}, fmt.Errorf("%w: this ffmpeg has no H.264 encoder (libx264)", ErrNoFFmpeg)
	}
	return libx264(s.threads), nil
}

func exists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return err == nil
}

// encoderList returns `ffmpeg -encoders`, each name padded with spaces.
func (s *Service) encoderList(ctx context.Context) (string, error) {
	out, err := s.runShort(ctx, s.ffmpeg, "-hide_banner", "-nostdin", "-encoders")
	if err != nil {
		return "", fmt.Errorf("list ffmpeg encoders: %w", err)
	}
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && len(f[0]) == 6 && f[0][0] == 'V' {
			b.WriteString(" " + f[1] + " ")
		}
	}
	return b.String(), nil
}

// tryEncoder encodes one small test frame with e, as a job would.
func (s *Service) tryEncoder(ctx context.Context, e encoder) error {
	vf := "format=yuv420p"
	if e.filter != "" {
		vf += "," + e.filter
	}
	args := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, e.input...)
	args = append(args, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "1", "-vf", vf)
	args = append(args, e.args(240)...)
	args = append(args, "-f", "null", "-")
	_, err := s.runShort(ctx, s.ffmpeg, args...)
	return err
}

// runShort runs a quick ffmpeg command under the helpers' limits and
// returns its standard output.
func (s *Service) runShort(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd, err := thumbs.StartHelper(ctx, thumbs.HelperLimits{AddressSpace: 1 << 30, CPU: 20 * time.Second, Nice: s.cfg.Nice, IdleIO: true},
		func(c *exec.Cmd) {
			out.Reset()
			errb.Reset()
			c.Stdout = &limitedWriter{w: &out, n: 1 << 20}
			c.Stderr = &limitedWriter{w: &errb, n: 4096}
		}, name, args...)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}
