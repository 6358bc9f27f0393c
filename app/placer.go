package app

import (
	"context"
	"log/slog"
	"time"

	"pinhole/app/places"
	"pinhole/db"
)

// Resolver turns a position into a place. The offline geocoder is one; an
// online geocoder wraps it and falls back to it.
type Resolver interface {
	Resolve(ctx context.Context, lat, lng float64) (places.Place, bool)
}

// offlineResolver answers from the embedded dataset, loaded on first use so
// start-up never waits for it and a library whose places are all resolved
// never pays its memory.
type offlineResolver struct{ radiusKm float64 }

func (o offlineResolver) Resolve(_ context.Context, lat, lng float64) (places.Place, bool) {
	g, err := places.Load()
	if err != nil {
		return places.Place{}, false
	}
	return g.LookupRadius(lat, lng, o.radiusKm)
}

// placer fills in the place of geotagged photos in the background.
type placer struct {
	db       *db.DB
	resolver Resolver
	log      *slog.Logger
	wake     chan struct{}
	// onWork, when set, is told each time places were resolved (the idle
	// watch counts it as activity).
	onWork func()
}

func newPlacer(d *db.DB, r Resolver, log *slog.Logger) *placer {
	return &placer{db: d, resolver: r, log: log, wake: make(chan struct{}, 1)}
}

// poke asks the placer to look for unplaced photos soon.
func (p *placer) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// checkDataset re-resolves offline places when the embedded dataset changed
// since they were resolved.
func (p *placer) checkDataset(ctx context.Context) error {
	version, err := places.Version()
	if err != nil {
		return err
	}
	const key = "places_dataset"
	old, err := p.db.Setting(ctx, key)
	if err == nil && old == version {
		return nil
	}
	if err == nil {
		n, err := p.db.ResetPlaces(ctx, places.SourceOffline, "none")
		if err != nil {
			return err
		}
		p.log.Info("places dataset changed; resolving places again", "photos", n)
	}
	return p.db.SetSetting(ctx, key, version)
}

// resolveAll resolves every photo waiting for a place and returns how many.
func (p *placer) resolveAll(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		batch, err := p.db.UnplacedPhotos(ctx, 500)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		fixes := make([]db.PlaceFix, 0, len(batch))
		for _, pos := range batch {
			pl, ok := p.resolver.Resolve(ctx, pos.Lat, pos.Lng)
			f := db.PlaceFix{PhotoID: pos.PhotoID, Source: "none"}
			if ok {
				f = db.PlaceFix{PhotoID: pos.PhotoID, CountryCode: pl.CountryCode, Country: pl.Country,
					State: pl.State, City: pl.City, Source: pl.Source}
			}
			fixes = append(fixes, f)
		}
		if err := p.db.SetPlaces(ctx, fixes); err != nil {
			return total, err
		}
		total += len(fixes)
	}
	return total, ctx.Err()
}

// run resolves places whenever poked, until ctx ends.
func (p *placer) run(ctx context.Context) {
	if err := p.checkDataset(ctx); err != nil && ctx.Err() == nil {
		p.log.Warn("places dataset", "err", err)
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if n, err := p.resolveAll(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("resolve places", "err", err)
		} else if n > 0 {
			p.log.Debug("places resolved", "photos", n)
			if p.onWork != nil {
				p.onWork()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}
