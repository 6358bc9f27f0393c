package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"pinhole/app/dupes"
	"pinhole/app/index"
	"pinhole/app/maps"
	"pinhole/app/places"
	"pinhole/app/sidecar"
	"pinhole/app/transcode"
	"pinhole/app/trash"
	"pinhole/app/upstream"
	"pinhole/app/version"
	"pinhole/app/watch"
	"pinhole/thumbs"
	"pinhole/web"
)

// Server is a running `pinhole serve`: web server, watcher and scans.
type Server struct {
	*App
	Watcher *watch.Watcher
	Web     *web.Server
	Thumbs  *thumbs.Service
	Tiles   *maps.Tiles
	// Sidecars writes users' edits to XMP sidecars (app/sidecar).
	Sidecars *sidecar.Writer
	// Trash empties the Trash and finishes deletions a stop interrupted
	// (app/trash).
	Trash *trash.Service
	// Dupes hashes photos in the background for near-duplicate review
	// (app/dupes).
	Dupes *dupes.Service
	// Videos converts videos browsers cannot play (app/transcode).
	Videos *transcode.Service

	ctx context.Context // the server's lifetime, for rescans started by requests

	// pause is the "pause online services" switch the geocoder and the
	// tile proxy read on each request.
	pause *upstream.Pause

	scanMu   sync.Mutex
	scanning bool

	// idle gives memory back when nothing has happened for a while
	// (app/idle.go).
	idle *idleWatch
}

func runServe(ctx context.Context, e *env) error {
	lock, err := lockOwner(e.cfg.Data, "serve")
	if err != nil {
		return fmt.Errorf("%w; one server per data folder", err)
	}
	defer lock.release()
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit makes the collector work harder before the process
		// grows past what a small Pi can give: the decode budget plus
		// room for everything else.
		debug.SetMemoryLimit((e.cfg.DecodeBudgetMB + 64) << 20)
	}
	soft, hard, err := raiseFileLimit()
	if err != nil {
		e.log.Warn("raise the open-files limit", "err", err, "soft", soft, "hard", hard)
	}
	a, err := Open(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", e.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Listen, err)
	}
	s, err := NewServer(a)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Thumbs.Close()
	defer s.Videos.Close()
	return s.Run(ctx, ln)
}

// NewServer wires the watcher, thumbnails and web server around an opened
// App.
func NewServer(a *App) (*Server, error) {
	s := &Server{App: a, idle: newIdleWatch(a.Cfg.IdleRelease)}
	places.ReleaseAfter(a.Cfg.IdleRelease)
	a.Places.onWork = s.idle.touch
	s.Watcher = watch.New(watch.Options{
		Root:     a.Cfg.Originals,
		Debounce: a.Cfg.Debounce,
		Settle:   a.Cfg.SettleTime,
		Logger:   a.Log.With("component", "watch"),
		Changed: func(ctx context.Context, rels []string) {
			s.idle.touch()
			if _, err := a.Indexer.Changed(ctx, rels); err != nil && ctx.Err() == nil {
				a.Log.Warn("index changes", "err", err)
			}
		},
		Rescan:     func(ctx context.Context) { s.rescan(ctx, false) },
		MaxWatches: testMaxWatches(),
	})
	th, err := a.openThumbs()
	if err != nil {
		return nil, fmt.Errorf("thumbnails: %w", err)
	}
	s.Thumbs = th
	s.Sidecars = a.sidecarWriter()
	// An edit may set positions whose places are to be resolved: the
	// placer looks at once instead of at its next minute.
	a.DB.OnEdited(func(ids []int64) { s.Sidecars.Enqueue(ids); a.Places.poke() })
	if s.Videos, err = a.openVideos(); err != nil {
		th.Close()
		return nil, fmt.Errorf("video conversion: %w", err)
	}
	s.pause = pauseSwitch(context.Background(), a.DB, a.Places.resolver, a.Log)
	s.pause.OnResume(a.Places.poke)
	s.Tiles = newTiles(a.Cfg, s.pause, a.Log.With("component", "maps"))
	s.Trash = trash.New(a.DB, trash.Options{
		Originals: a.Cfg.Originals, SidecarDir: a.Cfg.SidecarDir(), ReadOnly: a.Cfg.ReadOnly, Days: a.Cfg.TrashDays,
		Logger:     a.Log.With("component", "trash"),
		Changed:    func(ids []int64) { s.Web.NotifyPhotos(ids) },
		BatchPause: testTrashPause(),
	})
	s.Dupes = dupes.New(a.DB, th, dupes.Options{Originals: a.Cfg.Originals, Logger: a.Log.With("component", "dupes")})
	s.Web = web.New(withSignIn(a.Cfg, web.Deps{
		DB:             a.DB,
		Log:            a.Log.With("component", "web"),
		Status:         s.statusFor,
		Version:        version.String(),
		Originals:      a.Cfg.Originals,
		ReadOnly:       a.Cfg.ReadOnly,
		UploadWritable: a.Cfg.UploadWritable,
		UploadFolder:   a.Cfg.UploadFolder,
		UploadLimitMB:  a.Cfg.UploadLimitMB,
		MaxMegapixels:  a.Cfg.MaxMegapixels,
		SessionTTL:     a.Cfg.SessionTTL,
		MetricsPublic:  a.Cfg.MetricsPublic,
		TrustedProxies: a.Cfg.Proxies,
		Keys:           a.Keys,
		Thumbs:         thumbAdapter{th},
		Index:          indexAdapter{s},
		Metrics:        s.metrics,
		Tiles:          s.Tiles,
		Online:         onlineAdapter{s},
		Helpers:        func() (bool, bool) { heif, ffmpeg := th.Helpers(); return heif != "", ffmpeg != "" },
		Refusals:       thumbAdapter{th},
		Conns:          connLimits(a.Cfg, a.Log),
		Trash:          s.Trash,
		Videos:         s.Videos,
		Dupes:          s.Dupes,
	}))
	// New or changed photos are hashed for near-duplicate review soon
	// after they are indexed.
	notify := func(ids []int64) { s.Web.NotifyPhotos(ids); s.Dupes.Poke() }
	a.photosChanged.Store(&notify)
	return s, nil
}

// indexAdapter gives the web server the indexer's operations.
type indexAdapter struct{ s *Server }

func (i indexAdapter) Changed(ctx context.Context, rels []string) error {
	_, err := i.s.Indexer.Changed(ctx, rels)
	return err
}

func (i indexAdapter) Rescan() bool {
	i.s.scanMu.Lock()
	busy := i.s.scanning || i.s.ctx == nil
	i.s.scanMu.Unlock()
	if busy {
		return false
	}
	go i.s.rescan(i.s.ctx, false)
	return true
}

func (i indexAdapter) Progress() index.Progress { return i.s.Indexer.Progress() }

// metrics writes Pinhole's own Prometheus lines next to the HTTP ones.
func (s *Server) metrics(w io.Writer) {
	st := s.Thumbs.Stats()
	fmt.Fprintf(w, "# TYPE pinhole_thumb_cache_bytes gauge\npinhole_thumb_cache_bytes %d\n", st.Bytes)
	fmt.Fprintf(w, "# TYPE pinhole_thumb_cache_files gauge\npinhole_thumb_cache_files %d\n", st.Files)
	fmt.Fprintf(w, "# TYPE pinhole_thumb_renders_total counter\npinhole_thumb_renders_total %d\n", st.Renders)
	fmt.Fprintf(w, "# TYPE pinhole_thumb_cache_hits_total counter\npinhole_thumb_cache_hits_total %d\n", st.Hits)
	vs := s.Videos.Stats()
	fmt.Fprintf(w, "# TYPE pinhole_video_cache_bytes gauge\npinhole_video_cache_bytes %d\n", vs.Bytes)
	fmt.Fprintf(w, "# TYPE pinhole_video_conversions_total counter\npinhole_video_conversions_total %d\n", s.Videos.Conversions())
	p := s.Indexer.Progress()
	fmt.Fprintf(w, "# TYPE pinhole_index_running gauge\npinhole_index_running %d\n", boolNum(p.Running))
	if c, err := s.DB.Counts(context.Background()); err == nil {
		fmt.Fprintf(w, "# TYPE pinhole_photos gauge\npinhole_photos %d\n", c.Photos)
		fmt.Fprintf(w, "# TYPE pinhole_files_missing gauge\npinhole_files_missing %d\n", c.MissingFiles)
		fmt.Fprintf(w, "# TYPE pinhole_index_errors gauge\npinhole_index_errors %d\n", c.Errors)
	}
}

func boolNum(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Run serves on ln until ctx ends. Indexing starts in the background so the
// web app answers at once.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.scanMu.Lock()
	s.ctx = ctx
	s.scanMu.Unlock()
	var tlsCfg *tls.Config
	if s.Cfg.TLSCert != "" {
		var err error
		if tlsCfg, err = web.TLSConfig(s.Cfg.TLSCert, s.Cfg.TLSKey, s.Cfg.ClientCA); err != nil {
			ln.Close()
			return err
		}
	}
	s.Log.Info("pinhole serving", "version", version.String(), "addr", ln.Addr().String(),
		"originals", s.Cfg.Originals, "data", s.Cfg.Data, "demo", s.Demo)
	ln = s.idle.listener(ln)
	var wg sync.WaitGroup
	wg.Add(5)
	go func() {
		defer wg.Done()
		s.idle.run(ctx, s.releaseMemory)
	}()
	go func() {
		defer wg.Done()
		s.Places.run(ctx)
	}()
	go func() {
		defer wg.Done()
		// Files an older reader read are read again, in the background.
		s.Indexer.RunReread(ctx)
	}()
	go func() {
		defer wg.Done()
		s.rescan(ctx, false)
		// The start-up scan's garbage would otherwise stay mapped until
		// the scavenger gets to it; an idle Pi should sit small.
		debug.FreeOSMemory()
		// The watcher starts after the first scan so its catch-up events
		// find an up-to-date database.
		_ = s.Watcher.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		s.periodic(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Edits are written to sidecars after each edit, and those not
		// written yet (a stop before the debounce) at start.
		s.Sidecars.Run(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		// A deletion a stop interrupted is finished first, then the
		// Trash is emptied as asked and purged hourly.
		s.Trash.Run(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Perceptual hashes for near-duplicate review, at background
		// priority, a few photos at a time.
		s.Dupes.Run(ctx)
	}()
	err := s.Web.Serve(ctx, ln, tlsCfg)
	cancel()
	wg.Wait()
	return err
}

// periodic runs the safety-net full rescan, and frequent rescans while the
// watcher cannot follow changes live.
func (s *Server) periodic(ctx context.Context) {
	// A poll interval shorter than the usual tick must still be honoured.
	every := 15 * time.Second
	if p := s.Cfg.PollInterval; p > 0 && p < every {
		every = p
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	lastFull, lastPoll := time.Now(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		s.scheduledBackup(ctx, now)
		mode := s.Watcher.State().Mode
		switch {
		case s.Cfg.RescanInterval > 0 && now.Sub(lastFull) >= s.Cfg.RescanInterval:
			lastFull, lastPoll = now, now
			s.rescan(ctx, false)
		case (mode == watch.ModePolling || mode == watch.ModeWaiting) && s.Cfg.PollInterval > 0 && now.Sub(lastPoll) >= s.Cfg.PollInterval:
			lastPoll = now
			s.rescan(ctx, false)
		}
	}
}

// rescan runs one scan of the whole library unless one is already running.
func (s *Server) rescan(ctx context.Context, full bool) {
	s.scanMu.Lock()
	if s.scanning {
		s.scanMu.Unlock()
		return
	}
	s.scanning = true
	s.scanMu.Unlock()
	s.idle.touch()
	defer func() {
		s.idle.touch()
		s.scanMu.Lock()
		s.scanning = false
		s.scanMu.Unlock()
	}()
	if _, err := s.Indexer.Scan(ctx, full); err != nil && ctx.Err() == nil {
		s.Log.Warn("scan", "err", err)
	}
}

// scheduledBackup snapshots the database when the newest scheduled backup
// is older than the backup interval, keeping the newest BackupKeep.
func (s *Server) scheduledBackup(ctx context.Context, now time.Time) {
	if s.Cfg.BackupInterval <= 0 {
		return
	}
	dir := s.Cfg.BackupDir()
	if newest := newestBackup(dir); !newest.IsZero() && now.Sub(newest) < s.Cfg.BackupInterval {
		return
	}
	dst := filepath.Join(dir, backupName(now))
	if err := s.DB.Backup(ctx, dst); err != nil {
		s.Log.Warn("scheduled backup failed", "err", err)
		return
	}
	if err := pruneBackups(dir, s.Cfg.BackupKeep); err != nil {
		s.Log.Warn("prune backups", "err", err)
	}
	s.Log.Info("database backed up", "file", dst)
}

// newestBackup returns the modification time of the newest scheduled backup.
func newestBackup(dir string) time.Time {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return time.Time{}
	}
	var newest time.Time
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "pinhole-2") {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	return newest
}
