package transcode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Version is part of every cache file name: bump it whenever the output
// of a conversion changes (arguments, filters), and the old files are
// removed on the next start instead of being served.
const Version = 1

// ErrNoFFmpeg: conversion is impossible on this machine.
var ErrNoFFmpeg = errors.New("video conversion needs ffmpeg (apt install ffmpeg)")

// errAbandoned and errPreempted end jobs no one waits for any more.
var (
	errAbandoned = errors.New("no one is waiting for this video any more")
	errPreempted = errors.New("stopped for a video someone is waiting for")
	errClosed    = errors.New("the server is shutting down")
)

// Config configures the Service.
type Config struct {
	Dir       string // the cache folder (DATA/cache/video)
	MaxBytes  int64  // the cache's size cap
	MaxHeight int    // the converted video's short side at most (default 1080)
	// FFmpeg and FFprobe are the programs' paths; empty finds them on PATH.
	FFmpeg, FFprobe string
	// V4L2Device and VAAPIDevice are the hardware encoders' devices
	// (/dev/video11 on a Raspberry Pi 4, /dev/dri/renderD128 with Intel
	// graphics); empty: no hardware encoder is tried.
	V4L2Device, VAAPIDevice string
	// Nice is ffmpeg's CPU niceness (default 10); it also runs in the idle
	// I/O class.
	Nice int
	// Threads for decoding and encoding (default: the CPUs, at most 4).
	Threads int
	// TimeLimit bounds one conversion (default 2 min plus 15× the
	// video's duration, 2 h when that is unknown).
	TimeLimit time.Duration
	// Abandon drops a queued job no one has asked about for this long,
	// and lets a running one that no one watches be stopped for a job
	// someone waits for (default 20 s).
	Abandon time.Duration
	// FailMemory is how long a failed conversion is reported instead of
	// being tried again (default 10 min).
	FailMemory time.Duration
	Logger     *slog.Logger
}

// Source is a video to convert.
type Source struct {
	Path          string  // absolute, checked by the caller
	Hash          string  // content hash: the cache key
	Duration      float64 // seconds, 0: unknown (ffprobe is asked)
	Width, Height int     // stored size, 0: unknown
}

// State is where a video's conversion is.
type State string

// States of a conversion.
const (
	StateNone    State = "none"    // not converted, not asked for
	StateQueued  State = "queued"  // waiting for another conversion to end
	StateRunning State = "running" // ffmpeg is at it
	StateDone    State = "done"    // in the cache
	StateFailed  State = "failed"  // ffmpeg could not; Error says why
)

// Status is a conversion's progress as the viewer shows it.
type Status struct {
	State    State   `json:"state"`
	Progress float64 `json:"progress"` // 0–1, by the video's duration
	Speed    float64 `json:"speed"`    // conversion speed, × real time (0: not yet known)
	Ready    bool    `json:"ready"`    // the stream has begun: playback can start
	Queue    int     `json:"queue"`    // conversions to wait for first
	// Duration of the video in seconds once known (the metadata of some
	// containers, MPEG-TS among them, has none; ffprobe's is used).
	Duration float64 `json:"duration,omitempty"`
	Error    string  `json:"error,omitempty"`
}

type failure struct {
	err error
	at  time.Time
}

// Service converts videos, one at a time.
type Service struct {
	cfg     Config
	log     *slog.Logger
	ffmpeg  string
	ffprobe string
	threads int
	cache   *cache

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu     sync.Mutex
	jobs   map[string]*job // queued and running, by key
	failed map[string]failure
	// probeFails remembers files ffprobe could not read, by path.
	probeFails map[string]probeFail
	closed     bool
	last       RunStats
	encMu      sync.Mutex
	enc        *encoder
	started    atomic.Int64 // ffmpeg conversions started, for tests and metrics
	probes     atomic.Int64 // ffprobe runs
}

// New opens the cache and starts the worker. Without ffmpeg the service
// still serves what the cache holds and reports ErrNoFFmpeg for the rest.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxHeight <= 0 {
		cfg.MaxHeight = 1080
	}
	if cfg.Nice <= 0 {
		cfg.Nice = 10
	}
	if cfg.Threads <= 0 {
		cfg.Threads = min(runtime.NumCPU(), 4)
	}
	if cfg.Abandon <= 0 {
		cfg.Abandon = 20 * time.Second
	}
	if cfg.FailMemory <= 0 {
		cfg.FailMemory = 10 * time.Minute
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 10 << 30
	}
	look := func(given, name string) string {
		if given != "" {
			return given
		}
		p, _ := exec.LookPath(name)
		return p
	}
	c, err := openCache(cfg.Dir, cfg.MaxBytes, cfg.Logger)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, log: cfg.Logger, ffmpeg: look(cfg.FFmpeg, "ffmpeg"), ffprobe: look(cfg.FFprobe, "ffprobe"),
		threads: cfg.Threads, cache: c, wake: make(chan struct{}, 1), jobs: map[string]*job{}, failed: map[string]failure{},
		probeFails: map[string]probeFail{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.work()
	return s, nil
}

// Close stops the running conversion (its temporary file is removed) and
// the worker.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	for _, j := range s.jobs {
		switch {
		case j.cancel != nil:
			j.cancel(errClosed)
		case j.state == StateQueued:
			s.endLocked(j, "", errClosed) // its waiting viewers learn at once
		}
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// Available reports whether ffmpeg was found.
func (s *Service) Available() bool { return s.ffmpeg != "" }

// Conversions is how many times ffmpeg was started to convert a video.
func (s *Service) Conversions() int64 { return s.started.Load() }

// Stats describes the cache.
func (s *Service) Stats() CacheStats { return s.cache.stats() }

// MaxHeight is the largest short side a converted video has.
func (s *Service) MaxHeight() int { return s.cfg.MaxHeight }

func (s *Service) key(hash string) string {
	return fmt.Sprintf("%s-v%d-%dp", hash, Version, s.cfg.MaxHeight)
}

func validHash(h string) bool {
	if len(h) < 8 || len(h) > 128 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// Status reports where the video's conversion is. With start, a video not
// converted yet is queued (or its queued job is moved to the front: the
// viewer is waiting for it).
func (s *Service) Status(src Source, start bool) Status {
	if !validHash(src.Hash) {
		return Status{State: StateFailed, Error: "malformed content hash"}
	}
	key := s.key(src.Hash)
	if _, ok := s.cache.lookup(key); ok {
		return Status{State: StateDone, Progress: 1, Ready: true}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.jobLocked(key, src, start)
	if err != nil {
		return Status{State: StateFailed, Error: err.Error()}
	}
	if j == nil {
		return Status{State: StateNone}
	}
	return s.statusLocked(j)
}

// jobLocked finds the job for key, or (with create) queues one. It
// returns a remembered failure instead of trying again too soon.
func (s *Service) jobLocked(key string, src Source, create bool) (*job, error) {
	now := time.Now()
	if j, ok := s.jobs[key]; ok {
		if create {
			j.wanted = now
			s.poke()
		}
		return j, nil
	}
	if f, ok := s.failed[key]; ok {
		if now.Sub(f.at) < s.cfg.FailMemory {
			return nil, f.err
		}
		delete(s.failed, key)
	}
	if !create {
		return nil, nil
	}
	if s.closed {
		return nil, errClosed
	}
	if s.ffmpeg == "" {
		return nil, ErrNoFFmpeg
	}
	j := &job{key: key, src: src, state: StateQueued, wanted: now, notify: make(chan struct{})}
	s.jobs[key] = j
	s.poke()
	return j, nil
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) statusLocked(j *job) Status {
	st := Status{State: j.state, Speed: j.speed, Ready: j.initEnd > 0, Duration: j.duration()}
	if st.Duration > 0 {
		st.Progress = min(1, j.outTime/st.Duration)
	}
	if j.state == StateQueued {
		for _, o := range s.queueLocked() {
			if o == j {
				break
			}
			st.Queue++
		}
	}
	return st
}

// wantedLocked reports whether someone waits for j: a stream reads it, or
// a viewer asked about it lately.
func (s *Service) wantedLocked(j *job, now time.Time) bool {
	return j.readers > 0 || now.Sub(j.wanted) < s.cfg.Abandon
}

// queueLocked lists the jobs in the order they run: the running one,
// then those being read, then the most recently asked for first, so the
// video the viewer waits on now goes before ones looked at earlier.
func (s *Service) queueLocked() []*job {
	var q []*job
	for _, j := range s.jobs {
		q = append(q, j)
	}
	sort.Slice(q, func(a, b int) bool {
		x, y := q[a], q[b]
		if (x.state == StateRunning) != (y.state == StateRunning) {
			return x.state == StateRunning
		}
		if (x.readers > 0) != (y.readers > 0) {
			return x.readers > 0
		}
		return x.wanted.After(y.wanted)
	})
	return q
}

// next waits for the job to run next, dropping queued jobs no one waits
// for any more. It returns nil when the service closes.
func (s *Service) next() *job {
	for {
		s.mu.Lock()
		now := time.Now()
		var pick *job
		for _, j := range s.queueLocked() {
			if j.state != StateQueued {
				continue
			}
			if !s.wantedLocked(j, now) {
				s.endLocked(j, "", errAbandoned)
				continue
			}
			if pick == nil {
				pick = j
			}
		}
		if pick != nil {
			pick.state = StateRunning
			s.mu.Unlock()
			return pick
		}
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return nil
		case <-s.wake:
		}
	}
}

func (s *Service) work() {
	defer s.wg.Done()
	for {
		j := s.next()
		if j == nil {
			return
		}
		s.run(j)
	}
}

// run converts one job and ends it: into the cache, or failed.
func (s *Service) run(j *job) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	s.mu.Lock()
	j.cancel = cancel
	closed := s.closed
	s.mu.Unlock()
	if closed {
		cancel(errClosed)
	}
	stop := s.watch(ctx, j, cancel)
	defer stop()

	enc, err := s.encoder(ctx)
	var final string
	if err == nil {
		final, err = s.convert(ctx, j, enc)
		if err != nil && enc.name != "libx264" && !s.producedBytes(j) && ctx.Err() == nil {
			// A hardware encoder that passed its test frame can still
			// refuse a real video (a size it cannot do): use libx264
			// from now on.
			s.log.Warn("hardware video encoder failed; using libx264 from now on", "encoder", enc.name, "err", err)
			sw := libx264(s.threads)
			s.encMu.Lock()
			s.enc = &sw
			s.encMu.Unlock()
			final, err = s.convert(ctx, j, sw)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(j, final, err)
}

func (s *Service) producedBytes(j *job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return j.written > 0
}

// watch stops a running job no one watches when another is waited for,
// so the video the viewer waits on goes first.
func (s *Service) watch(ctx context.Context, j *job, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			s.mu.Lock()
			now := time.Now()
			if !s.wantedLocked(j, now) {
				for _, o := range s.jobs {
					if o != j && o.state == StateQueued && s.wantedLocked(o, now) {
						cancel(errPreempted)
						break
					}
				}
			}
			s.mu.Unlock()
		}
	}()
	return func() { close(done) }
}

// endLocked finishes a job: readers see the end, and a failure (other
// than being dropped or stopped) is remembered for FailMemory.
func (s *Service) endLocked(j *job, final string, err error) {
	delete(s.jobs, j.key)
	j.final = final
	j.err = err
	j.finished = true
	if err == nil {
		j.state = StateDone
	} else {
		j.state = StateFailed
		if !errors.Is(err, errAbandoned) && !errors.Is(err, errPreempted) && !errors.Is(err, errClosed) {
			s.failed[j.key] = failure{err: err, at: time.Now()}
		}
	}
	j.changed()
}

// encoder returns the encoder, choosing it on first use.
func (s *Service) encoder(ctx context.Context) (encoder, error) {
	s.encMu.Lock()
	defer s.encMu.Unlock()
	if s.enc != nil {
		return *s.enc, nil
	}
	e, err := s.chooseEncoder(ctx)
	if err != nil {
		return encoder{}, err
	}
	s.log.Info("video conversion encoder", "encoder", e.name)
	s.enc = &e
	return e, nil
}

// Encoder names the encoder in use ("" until the first conversion).
func (s *Service) Encoder() string {
	s.encMu.Lock()
	defer s.encMu.Unlock()
	if s.enc == nil {
		return ""
	}
	return s.enc.name
}

// Open returns the converted video: the cached file when the conversion is
// done, else a live stream of the conversion as ffmpeg writes it (which
// starts the conversion, or moves it to the front, if need be). It waits
// until the stream's first bytes exist, the conversion fails, or ctx ends.
func (s *Service) Open(ctx context.Context, src Source) (*Stream, error) {
	if !validHash(src.Hash) {
		return nil, errors.New("malformed content hash")
	}
	key := s.key(src.Hash)
	for {
		if p, ok := s.cache.lookup(key); ok {
			st, err := openFile(p)
			if err == nil || !os.IsNotExist(err) {
				return st, err
			}
			s.cache.forget(key) // evicted between lookup and open
		}
		s.mu.Lock()
		j, err := s.jobLocked(key, src, true)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		j.readers++
		s.mu.Unlock()
		st, err := s.openLive(ctx, j)
		if st != nil || err != nil {
			return st, err
		}
		// The job ended well between the checks: the cache has it.
	}
}
