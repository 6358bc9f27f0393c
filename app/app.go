// Package app wires Pinhole together: it parses the command line, opens the
// database, runs the indexer, watcher and web server, and owns their
// lifecycle. It is the only package that knows about all the others.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/app/demo"
	"pinhole/app/index"
	"pinhole/db"
)

// App is one running Pinhole: configuration, database and indexer.
type App struct {
	Cfg     *config.Config
	Log     *slog.Logger
	DB      *db.DB
	Indexer *index.Indexer
	// Keys come from the server key in DATA: they seal share links and
	// derive users' thumbnail secrets.
	Keys *auth.Keys
	// Demo is true when the originals are the generated demo library.
	Demo    bool
	Places  *placer
	started time.Time
	// photosChanged is told which photos an index batch changed; the
	// server sets it to push live updates to browsers.
	photosChanged atomic.Pointer[func([]int64)]
}

// Open prepares the data folder, opens (and migrates) the database and, when
// no originals folder is configured, generates the demo library.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	if err := secureData(cfg); err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, started: time.Now()}
	if cfg.Originals == "" {
		if !cfg.Demo {
			return nil, errors.New("no originals folder: set --originals (or PINHOLE_ORIGINALS), or allow --demo")
		}
		dir := cfg.DemoDir()
		log.Info("no originals folder configured; using the demo library", "folder", dir)
		if err := demo.Generate(ctx, dir, demo.DefaultOptions(), nil); err != nil {
			return nil, fmt.Errorf("generate demo library: %w", err)
		}
		cfg.Originals = dir
		a.Demo = true
		// The demo library is Pinhole's own generated folder, not anybody's
		// originals: let people try uploads on it.
		cfg.ReadOnly = false
	}
	if err := backupBeforeMigrate(ctx, cfg, log); err != nil {
		return nil, err
	}
	d, keys, err := openDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.DB, a.Keys = d, keys
	// Stored metadata that does not decode is reported, and its file
	// queued for reading again (the background re-read, app/index).
	d.OnBadMeta(func(b db.BadMeta) {
		log.Warn("stored metadata could not be decoded; the file will be read again", "path", b.Path, "err", b.Err)
		if a.Indexer != nil {
			a.Indexer.PokeReread()
		}
	})
	a.Places = newPlacer(d, newResolver(ctx, cfg, d, log.With("component", "places")), log.With("component", "places"))
	a.Indexer = index.New(d, index.Options{
		Root:           cfg.Originals,
		Workers:        cfg.Workers,
		FollowSymlinks: cfg.FollowSymlinks,
		Logger:         log.With("component", "index"),
		// The background re-read yields to searches and map queries.
		Busy: func() bool { return d.ReadsInFlight() > 0 },
		AfterBatch: func(ids []int64) {
			a.Places.poke()
			if f := a.photosChanged.Load(); f != nil {
				(*f)(ids)
			}
		},
	})
	return a, nil
}

// backupBeforeMigrate copies the database aside before a schema upgrade so
// a failed or unwanted upgrade can be undone.
func backupBeforeMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	p := cfg.DBPath()
	if _, err := os.Stat(p); err != nil {
		return nil
	}
	pending, from, err := db.PendingMigrations(ctx, p)
	if err != nil || !pending {
		return nil // a newer or unreadable database is reported by Open
	}
	dst := filepath.Join(cfg.BackupDir(), fmt.Sprintf("pinhole-schema%d-%s.db", from, time.Now().UTC().Format("20060102-150405")))
	if err := db.BackupFile(ctx, p, dst); err != nil {
		return fmt.Errorf("backup before upgrading the database: %w", err)
	}
	log.Info("database backed up before upgrade", "from_schema", from, "to_schema", db.SchemaVersion(), "backup", dst)
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}
