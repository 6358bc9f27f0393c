package transcode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"pinhole/thumbs"
)

// job is one video's conversion. Everything in it is guarded by the
// service's mutex; notify is closed and replaced on every change, so
// readers of the growing file wait on a channel they can also leave.
type job struct {
	key string
	src Source

	state   State
	wanted  time.Time // last asked about
	readers int       // live streams reading it
	cancel  context.CancelCauseFunc

	tmpPath  string
	written  int64 // bytes of the temporary file that ffmpeg has written
	initEnd  int64 // end of the init segment (ftyp+moov); 0 until written
	codecs   string
	outTime  float64 // seconds of video converted
	probeDur float64
	speed    float64
	finished bool
	final    string
	err      error
	notify   chan struct{}
}

func (j *job) changed() {
	close(j.notify)
	j.notify = make(chan struct{})
}

func (j *job) duration() float64 {
	if j.src.Duration > 0 {
		return j.src.Duration
	}
	return j.probeDur
}

// inputFormats are the demuxers a conversion may use: what cameras and
// phones record (MP4/MOV/3GP, AVCHD's MPEG-TS, AVI, Matroska/WebM,
// MPEG-PS, ASF/WMV, DV, MXF), as for posters. A playlist or concat script
// dressed as a video cannot make ffmpeg read other files or the network.
const inputFormats = "mov,mp4,m4a,3gp,3g2,mj2,mpegts,avi,matroska,webm,mpeg,asf,dv,mxf"

// Limits of one conversion's ffmpeg.
const (
	asBase      = 640 << 20 // measured: 1080p HEVC → libx264, 2 threads, needs ~700 MB
	asPerThread = 96 << 20
	asPerPixel  = 24 // frame buffers of large inputs (4K, 8K)
	logKeep     = 4096
)

// addressSpace is the memory limit of a conversion of src.
func (s *Service) addressSpace(src Source) int64 {
	px := int64(src.Width) * int64(src.Height)
	if px <= 0 {
		px = 3840 * 2160
	}
	return asBase + int64(s.threads)*asPerThread + asPerPixel*px
}

// timeLimit is how long one conversion may take.
func (s *Service) timeLimit(dur float64) time.Duration {
	if s.cfg.TimeLimit > 0 {
		return s.cfg.TimeLimit
	}
	if dur <= 0 {
		return 2 * time.Hour
	}
	return 2*time.Minute + time.Duration(15*dur*float64(time.Second))
}

// maxOutput caps the converted file: far above what CRF 23 at 1080p
// writes (5–10 Mbit/s), so only a runaway reaches it.
func maxOutput(dur float64) int64 {
	if dur <= 0 {
		return 16 << 30
	}
	return max(256<<20, int64(dur*40e6/8))
}

// filters builds the video filter chain: deinterlace what is interlaced
// (AVCHD records 1080i), square the pixels (HDV's 1440×1080), fit the
// short side into MaxHeight (phones record portrait: 1080×1920 is
// 1080p), map HDR to SDR, and give the encoder 8-bit 4:2:0.
func (s *Service) filters(hdr bool, enc encoder) string {
	h := strconv.Itoa(s.cfg.MaxHeight)
	land := "gte(iw*sar,ih)"
	w := fmt.Sprintf("if(%s,trunc(iw*sar*min(ih,%s)/ih/2)*2,trunc(min(iw*sar,%s)/2)*2)", land, h, h)
	ht := fmt.Sprintf("if(%s,trunc(min(ih,%s)/2)*2,trunc(ih*min(iw*sar,%s)/(iw*sar)/2)*2)", land, h, h)
	chain := []string{"yadif=deint=interlaced", fmt.Sprintf("scale=w='%s':h='%s'", w, ht), "setsar=1"}
	if hdr {
		chain = append(chain, "zscale=t=linear:npl=100", "format=gbrpf32le", "zscale=p=bt709",
			"tonemap=tonemap=hable:desat=0", "zscale=t=bt709:m=bt709:r=tv")
	}
	chain = append(chain, "format=yuv420p")
	if enc.filter != "" {
		chain = append(chain, enc.filter)
	}
	return strings.Join(chain, ",")
}

// args is ffmpeg's command line for src with enc, writing fragmented MP4
// to standard output and its progress to standard error.
func (s *Service) args(src Source, p Probe, enc encoder) []string {
	a := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:2"}
	a = append(a, enc.input...)
	a = append(a, "-protocol_whitelist", "file", "-format_whitelist", inputFormats,
		"-threads", strconv.Itoa(s.threads), "-i", "file:"+src.Path,
		"-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
		"-vf", s.filters(p.HDR, enc))
	a = append(a, enc.args(s.cfg.MaxHeight)...)
	a = append(a, "-c:a", "aac", "-b:a", "128k", "-af", "aformat=channel_layouts=mono|stereo",
		"-max_muxing_queue_size", "1024",
		// Fragments from key frame to key frame, the moov first and
		// empty: the file plays while it grows, and every fragment
		// stands alone.
		"-movflags", "frag_keyframe+empty_moov+default_base_moof",
		"-f", "mp4", "pipe:1")
	return a
}

// convert runs ffmpeg for j and moves the result into the cache.
func (s *Service) convert(ctx context.Context, j *job, enc encoder) (string, error) {
	p, err := s.ProbeFile(ctx, j.src.Path)
	if err != nil {
		if ctx.Err() != nil {
			return "", s.stopped(ctx, j)
		}
		return "", fmt.Errorf("ffmpeg cannot read this video: %w", err)
	}
	tmp, err := s.cache.temp()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	j.tmpPath, j.written, j.initEnd, j.outTime, j.speed, j.probeDur = tmp.Name(), 0, 0, 0, 0, p.Duration
	j.changed()
	s.mu.Unlock()
	ok := false
	defer func() {
		tmp.Close()
		if !ok {
			os.Remove(tmp.Name())
		}
	}()

	dur := j.duration()
	limit := s.timeLimit(dur)
	lim := thumbs.HelperLimits{
		AddressSpace: s.addressSpace(Source{Width: max(j.src.Width, p.Width), Height: max(j.src.Height, p.Height)}),
		CPU:          limit * time.Duration(s.threads),
		FileSize:     16 << 20, // ffmpeg writes to pipes only
		Nice:         s.cfg.Nice,
		IdleIO:       true,
	}
	jctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var stdout, stderr io.ReadCloser
	cmd, err := thumbs.StartHelper(jctx, lim, func(c *exec.Cmd) {
		stdout, _ = c.StdoutPipe()
		stderr, _ = c.StderrPipe()
		c.WaitDelay = 5 * time.Second
	}, s.ffmpeg, s.args(j.src, p, enc)...)
	if err != nil {
		return "", fmt.Errorf("start ffmpeg: %w", err)
	}
	started := time.Now()
	s.started.Add(1)
	s.log.Debug("converting video", "hash", j.src.Hash, "encoder", enc.name, "duration", dur, "limit", limit)

	logs := &logTail{}
	copyErr := make(chan error, 1)
	go func() { copyErr <- s.copyOutput(j, stdout, tmp, maxOutput(dur)) }()
	s.readProgress(j, stderr, logs)
	cerr := <-copyErr
	if cerr != nil {
		cmd.Process.Kill()
	}
	werr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return "", s.stopped(ctx, j)
	case errors.Is(jctx.Err(), context.DeadlineExceeded):
		return "", fmt.Errorf("converting this video took longer than its limit of %v", limit.Round(time.Second))
	case cerr != nil:
		return "", cerr
	case werr != nil && thumbs.KilledByLimit(werr):
		return "", fmt.Errorf("converting this video went over its memory limit of %d MB", lim.AddressSpace>>20)
	case werr != nil:
		return "", fmt.Errorf("ffmpeg could not convert this video: %s", redact(logs.last(), j.src.Path))
	}
	s.mu.Lock()
	empty, size := j.initEnd == 0, j.written
	s.mu.Unlock()
	if empty {
		return "", fmt.Errorf("ffmpeg wrote no video: %s", redact(logs.last(), j.src.Path))
	}
	run := RunStats{Encoder: enc.name, Wall: time.Since(started), Duration: dur, Bytes: size, PeakRSS: peakRSS(cmd)}
	s.mu.Lock()
	s.last = run
	s.mu.Unlock()
	s.log.Info("video converted", "hash", j.src.Hash, "encoder", enc.name, "seconds", dur,
		"took_ms", run.Wall.Milliseconds(), "speed", run.Speed(), "peak_rss_mb", run.PeakRSS>>20, "bytes", size)
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("video cache: %w", err)
	}
	final, err := s.cache.commit(tmp.Name(), j.key)
	if err != nil {
		return "", err
	}
	ok = true
	return final, nil
}

// stopped is the error of a job whose context ended: its cause.
func (s *Service) stopped(ctx context.Context, j *job) error {
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	return errClosed
}

// copyOutput writes ffmpeg's output into the temporary file, telling
// readers as it grows, and finds the init segment's end and codecs.
func (s *Service) copyOutput(j *job, r io.Reader, w *os.File, limit int64) error {
	buf := make([]byte, 64<<10)
	var head []byte // the output's start, until the init segment is whole
	var total int64
	var werr error
	for {
		n, err := r.Read(buf)
		if n > 0 && werr == nil {
			if total+int64(n) > limit {
				werr = fmt.Errorf("the converted video grew past %d MB", limit>>20)
			} else if _, e := w.Write(buf[:n]); e != nil {
				werr = fmt.Errorf("write converted video: %w", e)
			} else {
				total += int64(n)
				var end int64
				var codecs string
				if head != nil || total == int64(n) {
					head = append(head, buf[:n]...)
					if e, c, ok := initSegment(head); ok {
						end, codecs, head = e, c, nil
					} else if len(head) > 4<<20 {
						// No moov in the first 4 MB: not what ffmpeg writes.
						werr = errors.New("ffmpeg wrote no MP4 header")
					}
				}
				s.mu.Lock()
				j.written = total
				if end > 0 {
					j.initEnd, j.codecs = end, codecs
				}
				j.changed()
				s.mu.Unlock()
			}
		}
		if err != nil {
			if err == io.EOF {
				return werr
			}
			if werr == nil {
				werr = fmt.Errorf("read ffmpeg output: %w", err)
			}
			return werr
		}
		if werr != nil {
			// Keep draining so ffmpeg is not left blocked on the pipe;
			// the caller kills it.
			io.Copy(io.Discard, r)
			return werr
		}
	}
}

// initSegment finds the end of the leading ftyp and moov boxes in head
// and the codecs the moov declares, in the form MediaSource wants
// (avc1.PPCCLL from avcC, mp4a.40.2 for AAC-LC).
func initSegment(head []byte) (end int64, codecs string, ok bool) {
	var off int64
	for off+8 <= int64(len(head)) {
		size := int64(binary.BigEndian.Uint32(head[off:]))
		typ := string(head[off+4 : off+8])
		if size < 8 {
			return 0, "", false
		}
		if off+size > int64(len(head)) {
			return 0, "", false
		}
		if typ == "moov" {
			moov := head[off : off+size]
			v := "avc1.640028"
			if i := bytes.Index(moov, []byte("avcC")); i >= 0 && i+8 <= len(moov) {
				v = fmt.Sprintf("avc1.%02x%02x%02x", moov[i+5], moov[i+6], moov[i+7])
			}
			if bytes.Contains(moov, []byte("mp4a")) {
				v += ",mp4a.40.2"
			}
			return off + size, v, true
		}
		off += size
	}
	return 0, "", false
}

// readProgress reads ffmpeg's -progress lines (key=value) and keeps the
// rest as its log.
func (s *Service) readProgress(j *job, r io.Reader, logs *logTail) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		k, v, ok := strings.Cut(line, "=")
		switch {
		case ok && k == "out_time_us":
			if us, err := strconv.ParseInt(v, 10, 64); err == nil && us >= 0 {
				s.mu.Lock()
				j.outTime = float64(us) / 1e6
				j.changed()
				s.mu.Unlock()
			}
		case ok && k == "speed":
			if x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "x"), 64); err == nil {
				s.mu.Lock()
				j.speed = x
				s.mu.Unlock()
			}
		case ok && !strings.ContainsAny(k, " []:") && len(k) < 32:
			// Another progress key (frame=, fps=, bitrate=, progress=).
		default:
			logs.add(line)
		}
	}
	io.Copy(io.Discard, r)
}

// logTail keeps ffmpeg's last log lines.
type logTail struct{ lines []string }

func (l *logTail) add(s string) {
	if s = strings.TrimSpace(s); s == "" {
		return
	}
	l.lines = append(l.lines, s)
	n := 0
	for i := len(l.lines) - 1; i >= 0; i-- {
		n += len(l.lines[i])
		if n > logKeep {
			l.lines = l.lines[i+1:]
			break
		}
	}
}

func (l *logTail) last() string {
	if len(l.lines) == 0 {
		return "no error message"
	}
	return l.lines[len(l.lines)-1]
}

// redact keeps a file's path out of a message that may reach a share
// visitor: the folders say how the owner files things.
func redact(msg, path string) string {
	if path != "" {
		msg = strings.ReplaceAll(msg, "file:"+path, "the video")
		msg = strings.ReplaceAll(msg, path, "the video")
	}
	return strings.TrimSpace(msg)
}

// Stream is a converted video: a finished file (Complete) or the live
// output of a running conversion.
type Stream struct {
	// Complete streams are whole files: serve them with Range support.
	Complete bool
	File     *os.File
	Size     int64
	// Codecs is the RFC 6381 codecs parameter (avc1.640028,mp4a.40.2)
	// for the Content-Type, which MediaSource needs.
	Codecs string

	s    *Service
	j    *job
	ctx  context.Context
	pos  int64
	done bool
}

func openFile(p string) (*Stream, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, min(st.Size(), 1<<20))
	n, _ := f.ReadAt(head, 0)
	_, codecs, _ := initSegment(head[:n])
	return &Stream{Complete: true, File: f, Size: st.Size(), Codecs: codecs}, nil
}

// openLive waits for j's first bytes and opens its growing file. It
// returns (nil, nil) when the job finished well meanwhile: the cache has
// the file. j.readers was raised by the caller; it is lowered here unless
// a stream is returned.
func (s *Service) openLive(ctx context.Context, j *job) (*Stream, error) {
	release := func() {
		s.mu.Lock()
		j.readers--
		j.wanted = time.Now()
		s.mu.Unlock()
	}
	for {
		s.mu.Lock()
		ready, fin, err, tmp, codecs, ch := j.initEnd > 0, j.finished, j.err, j.tmpPath, j.codecs, j.notify
		s.mu.Unlock()
		switch {
		case fin && err != nil:
			release()
			return nil, err
		case fin:
			release()
			return nil, nil
		case ready:
			f, oerr := os.Open(tmp)
			if oerr == nil {
				return &Stream{File: f, Codecs: codecs, s: s, j: j, ctx: ctx}, nil
			}
			// Renamed into the cache (or removed) just now: the job's end
			// says which.
		}
		select {
		case <-ch:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
}

// Read reads the converted video as ffmpeg writes it, waiting for more
// until the conversion ends. A failed conversion ends the stream with its
// error, not with io.EOF, so a half video is never taken for a whole one.
func (st *Stream) Read(p []byte) (int, error) {
	if st.Complete {
		return st.File.Read(p)
	}
	for {
		s := st.s
		s.mu.Lock()
		w, fin, err, ch := st.j.written, st.j.finished, st.j.err, st.j.notify
		s.mu.Unlock()
		if st.pos < w {
			n, rerr := st.File.ReadAt(p[:min(int64(len(p)), w-st.pos)], st.pos)
			st.pos += int64(n)
			if n > 0 {
				return n, nil
			}
			if rerr != nil && rerr != io.EOF {
				return 0, rerr
			}
		} else if fin {
			if err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		select {
		case <-ch:
		case <-st.ctx.Done():
			return 0, st.ctx.Err()
		}
	}
}

// Close releases the stream; a viewer that leaves lets its conversion be
// stopped for one someone waits for.
func (st *Stream) Close() error {
	if !st.Complete && !st.done {
		st.done = true
		st.s.mu.Lock()
		st.j.readers--
		st.j.wanted = time.Now()
		st.s.mu.Unlock()
	}
	return st.File.Close()
}

// RunStats describes the last conversion that succeeded.
type RunStats struct {
	Encoder  string
	Wall     time.Duration // how long it took
	Duration float64       // the video's length in seconds
	Bytes    int64         // the converted file's size
	PeakRSS  int64         // ffmpeg's largest resident memory in bytes
}

// Speed is the conversion speed as a multiple of real time.
func (r RunStats) Speed() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return r.Duration / r.Wall.Seconds()
}

// LastRun describes the last conversion that succeeded (zero before one).
func (s *Service) LastRun() RunStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}
