package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"pinhole/app/geocode"
	"pinhole/app/upstream"
	"pinhole/db"
	"pinhole/web"
)

// pauseKey is the setting behind the owner's "pause online services"
// switch: "1" while paused. It outlives restarts, so a paused server stays
// quiet from its first request.
const pauseKey = "online_paused"

// loadPause reads the switch's position from the database. An unreadable
// setting starts unpaused, as a server that never had the switch would.
func loadPause(ctx context.Context, d *db.DB, log *slog.Logger) *upstream.Pause {
	v, err := d.Setting(ctx, pauseKey)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		log.Warn("read the online services switch", "err", err)
	}
	if v == "1" {
		log.Info("online services are paused: nothing is sent to the geocoder or the tile server")
	}
	return upstream.NewPause(v == "1")
}

// pauseSwitch is the one switch the services share: the online
// geocoder's when there is one (read from the database when it was made),
// else a new one read now.
func pauseSwitch(ctx context.Context, d *db.DB, r Resolver, log *slog.Logger) *upstream.Pause {
	if on, ok := r.(*geocode.Online); ok {
		return on.Pause()
	}
	return loadPause(ctx, d, log)
}

// onlineAdapter gives the web server the switch.
type onlineAdapter struct{ s *Server }

func (o onlineAdapter) OnlineState() web.OnlineState {
	return web.OnlineState{Paused: o.s.pause.Paused(), Geocoder: o.s.Cfg.GeocoderURL != "", Tiles: o.s.Tiles.Online()}
}

// SetOnlinePaused turns the switch and stores it. Pausing takes effect
// before the write, so a failing disk cannot keep requests going; resuming
// only after it, so a restart never undoes a pause the owner saw applied.
func (o onlineAdapter) SetOnlinePaused(ctx context.Context, paused bool) (web.OnlineState, error) {
	v, changed := "0", false
	if paused {
		v, changed = "1", o.s.pause.Set(true)
	}
	if err := o.s.DB.SetSetting(ctx, pauseKey, v); err != nil {
		return o.OnlineState(), fmt.Errorf("save the online services switch: %w", err)
	}
	if !paused {
		changed = o.s.pause.Set(false)
	}
	if changed {
		o.s.Log.Info("online services switch turned", "paused", paused)
	}
	return o.OnlineState(), nil
}
