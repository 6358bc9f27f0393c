package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"pinhole/db"
	"pinhole/thumbs"
)

// parseSizes reads a comma list of size names; empty means the sizes the
// web app asks for first.
func parseSizes(list string) ([]thumbs.Size, error) {
	if list == "" {
		list = strings.Join(thumbs.WarmSizeNames(), ",")
	}
	var out []thumbs.Size
	for _, n := range strings.Split(list, ",") {
		s, ok := thumbs.ParseSize(strings.TrimSpace(n))
		if !ok {
			return nil, fmt.Errorf("unknown size %q; sizes: %s", n, strings.Join(thumbs.SizeNames(), ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

// runThumbs is `pinhole thumbs [--sizes …]`: warms the cache for every
// photo, several sizes from one decode each.
func runThumbs(ctx context.Context, e *env) error {
	sizes, err := parseSizes(e.opts.sizes)
	if err != nil {
		return err
	}
	// Warming the cache is safe beside a server, not during a restore.
	lock, err := lockShared(e.cfg.Data)
	if err != nil {
		return fmt.Errorf("%w; try again when it is done", err)
	}
	defer lock.release()
	a, err := Open(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := a.openThumbs()
	if err != nil {
		return err
	}
	defer svc.Close()
	var files []db.PrimaryFile
	if err := a.DB.EachPrimaryFile(ctx, func(f db.PrimaryFile) error { files = append(files, f); return nil }); err != nil {
		return err
	}
	var done, failed atomic.Int64
	stop := counterLine(e.stderr, func() string {
		return fmt.Sprintf("thumbnails: %d/%d photos, %d failed", done.Load(), len(files), failed.Load())
	})
	start := time.Now()
	g, gctx := errgroup.WithContext(thumbs.WithPriority(ctx, thumbs.Background))
	g.SetLimit(max(1, e.cfg.Workers))
	var mu sync.Mutex
	var firstErrs []string
	for _, f := range files {
		g.Go(func() error {
			src := thumbs.Source{Path: filepath.Join(a.Cfg.Originals, filepath.FromSlash(f.Path)), Hash: f.Hash, MIME: f.MIME, Orientation: f.Orientation}
			if err := svc.Warm(gctx, src, sizes); err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				failed.Add(1)
				mu.Lock()
				if len(firstErrs) < 10 {
					firstErrs = append(firstErrs, f.Path+": "+err.Error())
				}
				mu.Unlock()
			}
			done.Add(1)
			return nil
		})
	}
	err = g.Wait()
	stop()
	st := svc.Stats()
	fmt.Fprintf(e.stdout, "thumbnails for %d photos (%d failed) in %s; cache %d files, %d MB\n",
		done.Load(), failed.Load(), time.Since(start).Round(time.Millisecond), st.Files, st.Bytes>>20)
	for _, m := range firstErrs {
		fmt.Fprintf(e.stderr, "  %s\n", m)
	}
	return err
}

// runThumb is `pinhole thumb --size SIZE --out DIR FILE…`: renders files
// outside any library, one output per input named after it.
func runThumb(ctx context.Context, e *env) error {
	if len(e.args) == 0 || e.opts.out == "" {
		return errUsage
	}
	size, ok := thumbs.ParseSize(e.opts.size)
	if !ok {
		_, err := parseSizes(e.opts.size)
		return err
	}
	if err := os.MkdirAll(e.opts.out, 0o755); err != nil {
		return err
	}
	heif, ffmpeg := thumbs.FindHelpers()
	failed := 0
	for _, p := range e.args {
		out, err := thumbs.RenderFile(ctx, p, size, e.opts.out, thumbs.Options{
			MaxPixels: int64(e.cfg.MaxMegapixels) * 1_000_000, DecodeBudget: e.cfg.DecodeBudgetMB << 20,
			HEIFConvert: heif, FFmpeg: ffmpeg})
		if err != nil {
			failed++
			fmt.Fprintf(e.stderr, "%s: %v\n", p, err)
			continue
		}
		fmt.Fprintln(e.stdout, out)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, len(e.args))
	}
	return nil
}

// counterLine redraws a status line on a terminal until stop is called.
// Lines are cut to the terminal's width so they never wrap.
func counterLine(w io.Writer, line func() string) (stop func()) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-t.C:
				l := line()
				if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 10 && len(l) > width-1 {
					l = l[:width-1]
				}
				fmt.Fprintf(f, "\r\033[K%s", l)
			}
		}
	}()
	return func() { close(done); <-finished }
}
