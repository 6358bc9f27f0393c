package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"pinhole/app/config"
	"pinhole/app/geocode"
	"pinhole/app/maps"
	"pinhole/app/places"
	"pinhole/app/upstream"
	"pinhole/app/version"
	"pinhole/db"
)

// userAgent names Pinhole to online services, as their usage policies ask.
func userAgent() string {
	return "Pinhole/" + version.Version + " (+self-hosted photo library)"
}

// providerKey remembers which online geocoder places were last resolved
// with, so turning one on (or changing it) re-resolves offline places once.
const providerKey = "places_online_provider"

// newResolver is the offline geocoder, or with --geocoder-url the online
// one falling back to it. It never waits on the network.
//
// The online geocoder holds the "pause online services" switch, read from
// the database here; the server shares it with the tile proxy (see
// pauseSwitch).
func newResolver(ctx context.Context, cfg *config.Config, d *db.DB, log *slog.Logger) Resolver {
	off := offlineResolver{radiusKm: cfg.GeocoderRadiusKm}
	old, _ := d.Setting(ctx, providerKey)
	if cfg.GeocoderURL == "" {
		if old != "" {
			_ = d.SetSetting(ctx, providerKey, "")
		}
		return off
	}
	reresolve := func(why string) {
		n, err := d.ResetPlaces(context.Background(), places.SourceOffline)
		if err != nil {
			log.Warn("re-resolve offline places", "err", err)
		} else if n > 0 {
			log.Info("resolving offline places online", "photos", n, "why", why)
		}
	}
	if old != cfg.GeocoderURL {
		reresolve("online geocoder configured")
		if err := d.SetSetting(ctx, providerKey, cfg.GeocoderURL); err != nil {
			log.Warn("remember geocoder", "err", err)
		}
	}
	pause := loadPause(ctx, d, log)
	// Places answered offline while paused are redone online on resuming:
	// one UPDATE; cells already cached answer without a request.
	pause.OnResume(func() { reresolve("online services resumed") })
	return geocode.New(geocode.Options{
		URL:       cfg.GeocoderURL,
		UserAgent: userAgent(),
		Cache:     d,
		Offline:   off.Resolve,
		Timeout:   10 * time.Second,
		Client:    &http.Client{},
		Log:       log,
		OnRecover: func() { reresolve("online geocoder answering again") },
		Pause:     pause,
		Budget:    upstream.NewBudget(upstream.Rate{}, upstream.Rate{N: cfg.GeocoderBudget, Per: time.Hour}, nil),
	})
}

// newTiles is the tile service: a caching proxy with --tiles-url, the
// offline base map without; no upstream requests while pause is on (nil:
// never paused).
func newTiles(cfg *config.Config, pause *upstream.Pause, log *slog.Logger) *maps.Tiles {
	return maps.New(maps.Options{
		Pause:       pause,
		Dir:         cfg.TileDir(),
		CacheBytes:  cfg.TileCacheMB << 20,
		UpstreamURL: cfg.TilesURL,
		Attribution: cfg.TilesAttribution,
		UserAgent:   userAgent(),
		Log:         log,
		Budget: upstream.NewBudget(upstream.Rate{N: cfg.TileBudgetUser, Per: time.Hour},
			upstream.Rate{N: cfg.TileBudget, Per: time.Hour}, nil),
	})
}
