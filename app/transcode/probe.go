package transcode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"pinhole/thumbs"
)

// Probe is what ffprobe says about a video: enough to decide whether it
// plays, to report progress, and to size the job's memory limit.
type Probe struct {
	Video, Audio  string // ffprobe's codec names; Audio "" for none
	Duration      float64
	Width, Height int
	// HDR: an HLG or PQ transfer (iPhones since the 12 record HLG); the
	// conversion maps it to SDR so it does not look washed out.
	HDR bool
}

const (
	probeTimeout = 20 * time.Second
	probeAS      = 512 << 20
	maxProbeOut  = 1 << 20
)

// probeOutput is the part of `ffprobe -of json` read here.
type probeOutput struct {
	Streams []struct {
		CodecType   string `json:"codec_type"`
		CodecName   string `json:"codec_name"`
		Width       int    `json:"width"`
		Height      int    `json:"height"`
		Transfer    string `json:"color_transfer"`
		Disposition struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// ProbeFile asks ffprobe for a video's codecs, under the helpers' limits
// and a short timeout. Only local files of the video demuxers posters
// use are opened: a playlist or concat script named .mp4 reads nothing
// else.
func (s *Service) ProbeFile(ctx context.Context, path string) (Probe, error) {
	if s.ffprobe == "" {
		return Probe{}, fmt.Errorf("probe video: %w", ErrNoFFmpeg)
	}
	// A file ffprobe could not read is not asked about again until it
	// changes or FailMemory passes: the viewer polls once a second.
	fi, statErr := os.Stat(path)
	if statErr == nil {
		s.mu.Lock()
		f, ok := s.probeFails[path]
		s.mu.Unlock()
		if ok && f.size == fi.Size() && f.mtime.Equal(fi.ModTime()) && time.Since(f.at) < s.cfg.FailMemory {
			return Probe{}, f.err
		}
	}
	p, err := s.probe(ctx, path)
	if err != nil && ctx.Err() == nil && statErr == nil {
		s.mu.Lock()
		if len(s.probeFails) >= 1000 {
			clear(s.probeFails)
		}
		s.probeFails[path] = probeFail{err: err, at: time.Now(), size: fi.Size(), mtime: fi.ModTime()}
		s.mu.Unlock()
	}
	return p, err
}

type probeFail struct {
	err   error
	at    time.Time
	size  int64
	mtime time.Time
}

func (s *Service) probe(ctx context.Context, path string) (Probe, error) {
	s.probes.Add(1)
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var out, errb bytes.Buffer
	cmd, err := thumbs.StartHelper(ctx, thumbs.HelperLimits{AddressSpace: probeAS, CPU: probeTimeout, Nice: s.cfg.Nice, IdleIO: true},
		func(c *exec.Cmd) {
			out.Reset()
			errb.Reset()
			c.Stdout = &limitedWriter{w: &out, n: maxProbeOut}
			c.Stderr = &limitedWriter{w: &errb, n: 4096}
		},
		s.ffprobe, "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", inputFormats,
		"-show_entries", "format=duration:stream=codec_type,codec_name,width,height,color_transfer:stream_disposition=attached_pic",
		"-of", "json", "file:"+path)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() != nil {
			return Probe{}, fmt.Errorf("probe video: ffprobe took longer than %v", probeTimeout)
		}
		return Probe{}, fmt.Errorf("probe video: %w: %s", err, redact(errb.String(), path))
	}
	var po probeOutput
	if err := json.Unmarshal(out.Bytes(), &po); err != nil {
		return Probe{}, fmt.Errorf("probe video: ffprobe output: %w", err)
	}
	var p Probe
	for _, st := range po.Streams {
		switch {
		case st.CodecType == "video" && st.Disposition.AttachedPic == 0 && p.Video == "":
			p.Video, p.Width, p.Height = st.CodecName, st.Width, st.Height
			p.HDR = st.Transfer == "arib-std-b67" || st.Transfer == "smpte2084"
		case st.CodecType == "audio" && p.Audio == "":
			p.Audio = st.CodecName
		}
	}
	if p.Video == "" {
		return Probe{}, errors.New("probe video: no video stream")
	}
	if d, err := strconv.ParseFloat(po.Format.Duration, 64); err == nil && d > 0 {
		p.Duration = d
	}
	return p, nil
}

// limitedWriter keeps the first n bytes written and drops the rest
// without failing the writer.
type limitedWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(l.n, len(p))
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
