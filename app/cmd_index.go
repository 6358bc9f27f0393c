package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"pinhole/app/index"
	"pinhole/app/meta"
)

func runIndex(ctx context.Context, e *env) error {
	lock, err := lockOwner(e.cfg.Data, "index")
	if err != nil {
		return fmt.Errorf("%w; a running server indexes by itself (Settings → Rescan), or stop it first", err)
	}
	defer lock.release()
	a, err := Open(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	stopBar := progressBar(e.stderr, a)
	sum, err := a.Indexer.Scan(ctx, e.opts.full)
	var rr index.RereadSummary
	if err == nil {
		// Files an older reader read, unchanged since, are read again
		// (headers only, never hashed), as the server does in the
		// background.
		if rr, err = a.Indexer.Reread(ctx); err != nil {
			e.log.Warn("read stale metadata again", "err", err)
			err = nil
		}
		if err := a.Places.checkDataset(ctx); err != nil {
			e.log.Warn("places dataset", "err", err)
		}
		if _, err := a.Places.resolveAll(ctx); err != nil {
			e.log.Warn("resolve places", "err", err)
		}
	}
	stopBar()
	if sum.Warning != "" {
		fmt.Fprintf(e.stderr, "warning: %s\n", sum.Warning)
	}
	mb := float64(sum.Bytes) / 1e6
	fmt.Fprintf(e.stdout, "files seen %d, indexed %d, skipped %d, failed %d, missing %d; photos %d; %s, %.0f files/s, %.1f MB/s\n",
		sum.Seen, sum.Indexed, sum.Skipped, sum.Failed, sum.Missing, sum.Photos,
		sum.Duration.Round(time.Millisecond), sum.FilesPerSecond(), mb/max(sum.Duration.Seconds(), 1e-9))
	if rr.Reread > 0 {
		fmt.Fprintf(e.stdout, "metadata read again with the newer reader (version %d): %d files\n", meta.ReaderVersion, rr.Reread)
	}
	if err != nil {
		return err
	}
	if errs, _ := a.DB.IndexErrors(ctx, 20); len(errs) > 0 && sum.Failed > 0 {
		fmt.Fprintf(e.stderr, "files that could not be read (see `pinhole status` or the web app for all):\n")
		for _, x := range errs {
			fmt.Fprintf(e.stderr, "  %s: %s\n", x.Path, x.Error)
		}
	}
	return nil
}

// progressBar shows the scan's counters on a terminal while it runs.
func progressBar(w io.Writer, a *App) (stop func()) {
	start := time.Now()
	return counterLine(w, func() string {
		p := a.Indexer.Progress()
		return fmt.Sprintf("indexing: %d seen, %d read, %d unchanged, %d failed, %d queued  %s  %s",
			p.Seen, p.Indexed, p.Skipped, p.Failed, p.Queued, time.Since(start).Round(time.Second), p.Current)
	})
}
