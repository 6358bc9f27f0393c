package app

import (
	"context"
	"time"

	"pinhole/app/geocode"
	"pinhole/app/index"
	"pinhole/app/maps"
	"pinhole/app/places"
	"pinhole/app/watch"
	"pinhole/db"
	"pinhole/thumbs"
	"pinhole/web"
)

// Status is /api/v1/status as an admin gets it: everything, including
// absolute paths, error texts naming files and upstream errors. Users and
// viewers get a UserStatus or ViewerStatus instead, built field by field
// from it, so a field added here reaches only admins until it is added
// there on purpose. The web app reads it through web/ui/src/status.js,
// whose key list status_ui_test.go holds to these types.
type Status struct {
	web.PublicStatus
	UptimeS int  `json:"uptime_s"`
	Demo    bool `json:"demo"`
	// OnlinePaused: the geocoder and tile proxy send nothing.
	OnlinePaused bool              `json:"online_paused"`
	Originals    string            `json:"originals"`
	Counts       db.Counts         `json:"counts"`
	Index        IndexStatus       `json:"index"`
	Watcher      watch.State       `json:"watcher"`
	Helpers      HelperPaths       `json:"helpers"`
	Thumbs       thumbs.CacheStats `json:"thumbs"`
	Places       PlacesStatus      `json:"places"`
	Maps         maps.Stats        `json:"maps"`
	// Thumbnails lists the files the thumbnailer refused (too large for
	// the limits, or broken), newest first.
	Thumbnails RefusedThumbs `json:"thumbnails"`
	// Reread is the background re-read of files an older metadata reader
	// read (app/index/reread.go).
	Reread index.RereadStatus `json:"reread"`
	// Videos is the converter of videos browsers cannot play.
	Videos VideoStatus `json:"videos"`
	// Error is why the counts could not be read (the status is then
	// "degraded").
	Error        string          `json:"error,omitempty"`
	RecentErrors []db.IndexError `json:"recent_errors"`
}

// IndexStatus is the indexer's part of the status.
type IndexStatus struct {
	Progress index.Progress `json:"progress"`
	LastScan *index.Summary `json:"last_scan"`
	// RootProblem says why the originals cannot be scanned (it names
	// them); empty when they can.
	RootProblem string `json:"root_problem,omitempty" say:"true"`
}

// HelperPaths are the helper programs the thumbnailer found ("" when not).
type HelperPaths struct {
	HEIF   string `json:"heif"`
	FFmpeg string `json:"ffmpeg"`
}

// HelpersFound says which helper programs were found, without their paths.
type HelpersFound struct {
	HEIF   bool `json:"heif"`
	FFmpeg bool `json:"ffmpeg"`
}

// PlacesStatus is the offline place dataset and, when one is configured,
// the online geocoder in front of it.
type PlacesStatus struct {
	Mode           string `json:"mode"` // offline or online
	DatasetVersion string `json:"dataset_version,omitempty"`
	// Resolved and Pending count geotagged photos with and without a place
	// name (private ones included); nil when they could not be counted.
	Resolved *int `json:"resolved,omitempty"`
	Pending  *int `json:"pending,omitempty"`
	*GeocoderStatus
}

// GeocoderStatus is the online geocoder's figures and health.
type GeocoderStatus struct {
	geocode.Stats
	CachedCells *int `json:"cached_cells,omitempty"`
}

// RefusedThumbs is the latest refused files with the reason, and how many
// there are in all.
type RefusedThumbs struct {
	Refused []thumbs.Refusal `json:"refused"`
	Count   int              `json:"refused_count"`
}

// MemberStatus is what users and viewers both get.
type MemberStatus struct {
	web.PublicStatus
	UptimeS      int               `json:"uptime_s"`
	Demo         bool              `json:"demo"`
	OnlinePaused bool              `json:"online_paused"`
	Watcher      watch.State       `json:"watcher"` // without the reason, which may name the originals
	Helpers      HelpersFound      `json:"helpers"`
	Thumbs       thumbs.CacheStats `json:"thumbs"`
	Maps         maps.Stats        `json:"maps"` // without upstream error texts (their URLs may hold keys)
}

// UserStatus is the status of a user: no absolute paths, no error texts
// naming files, no upstream errors.
type UserStatus struct {
	MemberStatus
	Counts db.Counts   `json:"counts"`
	Index  MemberIndex `json:"index"`
	Places UserPlaces  `json:"places"`
}

// ViewerStatus is the status of a viewer: a user's, with nothing that
// counts or names private photos.
type ViewerStatus struct {
	MemberStatus
	Counts db.VisibleCounts `json:"counts"`
	Index  ViewerIndex      `json:"index"`
	Places ViewerPlaces     `json:"places"`
}

// MemberIndex is the indexer's part for users: the root problem as a
// plain sentence (the real one names the originals).
type MemberIndex struct {
	Progress    index.Progress `json:"progress"`
	LastScan    *index.Summary `json:"last_scan"` // without its warning
	RootProblem string         `json:"root_problem,omitempty" say:"true"`
}

// ViewerIndex is the indexer's part for viewers: no file being read, and
// of the last scan only its times (its counts include private photos'
// files).
type ViewerIndex struct {
	Progress    index.Progress `json:"progress"` // without the current file
	LastScan    *ScanTimes     `json:"last_scan"`
	RootProblem string         `json:"root_problem,omitempty" say:"true"`
}

// ScanTimes is when a scan started, how long it took and whether it was
// a full one.
type ScanTimes struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Full     bool          `json:"full"`
}

// ViewerPlaces is the places part without counts.
type ViewerPlaces struct {
	Mode           string   `json:"mode"`
	Service        string   `json:"service,omitempty"`
	DatasetVersion string   `json:"dataset_version,omitempty"`
	HitRate        *float64 `json:"hit_rate,omitempty"`
}

// UserPlaces is the places part with the counts of placed photos.
type UserPlaces struct {
	ViewerPlaces
	Resolved *int `json:"resolved,omitempty"`
	Pending  *int `json:"pending,omitempty"`
}

// rootProblemForMembers replaces the root problem for non-admins.
const rootProblemForMembers = "The photo folder is not available right now; an admin can see why in Settings."

// status assembles the admin's document.
func (s *Server) status(ctx context.Context, pub web.PublicStatus) Status {
	st := Status{
		PublicStatus: pub,
		UptimeS:      int(time.Since(s.started).Seconds()),
		Originals:    s.Cfg.Originals,
		Demo:         s.Demo,
		OnlinePaused: s.pause.Paused(),
		Index:        s.indexStatus(),
		Watcher:      s.Watcher.State(),
		Thumbs:       s.Thumbs.Stats(),
		Places:       placesStatus(ctx, s.DB, s.Places.resolver),
		Maps:         s.Tiles.Stats(),
		Thumbnails:   refusedStatus(s.Thumbs),
		Reread:       s.Indexer.RereadStatus(),
		Videos:       videoStatus(s.Videos),
		RecentErrors: []db.IndexError{},
	}
	st.Helpers.HEIF, st.Helpers.FFmpeg = s.Thumbs.Helpers()
	counts, err := s.DB.Counts(ctx)
	st.Counts = counts
	if err != nil {
		st.Status, st.Error = "degraded", err.Error()
	}
	if st.Index.RootProblem != "" {
		st.Status = "degraded"
	}
	if errs, err := s.DB.IndexErrors(ctx, 20); err == nil && errs != nil {
		st.RecentErrors = errs
	}
	return st
}

// indexStatus is the index part of the status document.
func (s *Server) indexStatus() IndexStatus {
	return IndexStatus{
		Progress:    s.Indexer.Progress(),
		LastScan:    s.Indexer.LastScan(),
		RootProblem: s.Indexer.RootProblem(),
	}
}

// statusFor is /api/v1/status for a logged-in caller: the whole Status
// for admins, else its projection for the caller's role.
func (s *Server) statusFor(ctx context.Context, v web.StatusView, pub web.PublicStatus) any {
	full := s.status(ctx, pub)
	if v.Admin {
		return full
	}
	m := MemberStatus{
		PublicStatus: full.PublicStatus,
		UptimeS:      full.UptimeS,
		Demo:         full.Demo,
		OnlinePaused: full.OnlinePaused,
		Watcher:      full.Watcher,
		Helpers:      HelpersFound{HEIF: full.Helpers.HEIF != "", FFmpeg: full.Helpers.FFmpeg != ""},
		Thumbs:       full.Thumbs,
		Maps:         full.Maps,
	}
	m.Watcher.Reason = ""
	m.Maps.LastError, m.Maps.LastErrorAt = "", nil
	problem := ""
	if full.Index.RootProblem != "" {
		problem = rootProblemForMembers
	}
	places := ViewerPlaces{Mode: full.Places.Mode, DatasetVersion: full.Places.DatasetVersion}
	if g := full.Places.GeocoderStatus; g != nil {
		rate := g.HitRate
		places.Service, places.HitRate = g.Service, &rate
	}
	if v.Reader.SeesPrivate() {
		u := UserStatus{MemberStatus: m, Counts: full.Counts,
			Index:  MemberIndex{Progress: full.Index.Progress, RootProblem: problem},
			Places: UserPlaces{ViewerPlaces: places, Resolved: full.Places.Resolved, Pending: full.Places.Pending}}
		if l := full.Index.LastScan; l != nil {
			c := *l
			c.Warning = ""
			u.Index.LastScan = &c
		}
		// The file being read may be in another user's private space.
		u.Index.Progress.Current = ""
		return u
	}
	vs := ViewerStatus{MemberStatus: m, Places: places,
		Index: ViewerIndex{Progress: full.Index.Progress, RootProblem: problem}}
	vs.Index.Progress.Current = ""
	if l := full.Index.LastScan; l != nil {
		vs.Index.LastScan = &ScanTimes{Started: l.Started, Duration: l.Duration, Full: l.Full}
	}
	if c, err := s.DB.CountVisible(ctx); err == nil {
		vs.Counts = c
	} else {
		vs.Status = "degraded"
	}
	return vs
}

// placesStatus is the "places" part of the status document.
func placesStatus(ctx context.Context, d *db.DB, r Resolver) PlacesStatus {
	st := PlacesStatus{Mode: "offline"}
	if v, err := places.Version(); err == nil {
		st.DatasetVersion = v
	}
	if resolved, pending, err := d.PlaceCounts(ctx); err == nil {
		st.Resolved, st.Pending = &resolved, &pending
	}
	if on, ok := r.(*geocode.Online); ok {
		g := &GeocoderStatus{Stats: on.Stats()}
		if n, err := d.GeoCacheSize(ctx); err == nil {
			g.CachedCells = &n
		}
		st.Mode, st.GeocoderStatus = "online", g
	}
	return st
}
