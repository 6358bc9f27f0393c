package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"pinhole/app/sidecar"
	"pinhole/app/version"
)

// sidecarWriter is the writer of edits to XMP sidecars, configured: beside
// the originals only when the owner allows writing there.
func (a *App) sidecarWriter() *sidecar.Writer {
	beside := a.Cfg.WriteSidecars && !a.Cfg.ReadOnly
	if a.Cfg.WriteSidecars && a.Cfg.ReadOnly {
		a.Log.Warn("--write-sidecars needs --read-only=false: sidecars go to the data folder", "folder", a.Cfg.SidecarDir())
	}
	return sidecar.New(a.DB, sidecar.Options{
		Originals: a.Cfg.Originals,
		Dir:       a.Cfg.SidecarDir(),
		Beside:    beside,
		Creator:   "Pinhole " + version.Version,
		Debounce:  a.Cfg.Debounce,
		Logger:    a.Log.With("component", "sidecar"),
	})
}

// runSidecars is `pinhole sidecars export [--to DIR]`.
func runSidecars(ctx context.Context, e *env) error {
	if len(e.args) != 1 || e.args[0] != "export" {
		return errUsage
	}
	to := e.opts.to
	if to != "" {
		abs, err := filepath.Abs(to)
		if err != nil {
			return err
		}
		to = abs
	}
	// Safe beside a running server (it writes the same files the same
	// way), not during a restore.
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
	w := a.sidecarWriter()
	var done, total atomic.Int64
	stop := counterLine(e.stderr, func() string {
		return fmt.Sprintf("sidecars: %d/%d edited photos", done.Load(), total.Load())
	})
	sum, err := w.Export(ctx, to, func(d, t int) { done.Store(int64(d)); total.Store(int64(t)) })
	stop()
	where := a.Cfg.SidecarDir()
	if to != "" {
		where = to
	}
	fmt.Fprintf(e.stdout, "sidecars of %d edited photos: %d beside the originals, %d in %s, %d without a file, %d failed; %s\n",
		sum.Photos, sum.Beside, sum.Data, where, sum.Skipped, sum.Failed, sum.Duration.Round(1e6))
	for _, m := range sum.Errors {
		fmt.Fprintf(e.stderr, "  %s\n", m)
	}
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d sidecars could not be written", sum.Failed, sum.Photos)
	}
	return nil
}
