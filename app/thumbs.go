package app

import (
	"context"
	"fmt"

	"pinhole/db"
	"pinhole/thumbs"
	"pinhole/web"
)

// openThumbs starts the thumbnail service with the configured cache and
// memory budget.
func (a *App) openThumbs() (*thumbs.Service, error) {
	return thumbs.New(thumbs.Config{
		CacheDir:          a.Cfg.ThumbDir(),
		MaxCacheBytes:     a.Cfg.ThumbCacheMB << 20,
		DecodeBudgetBytes: a.Cfg.DecodeBudgetMB << 20,
		MaxPixels:         int64(a.Cfg.MaxMegapixels) * 1_000_000,
		Logger:            a.Log.With("component", "thumbs"),
	})
}

// thumbAdapter lets the web server use the thumbnail service without
// importing it.
type thumbAdapter struct{ svc *thumbs.Service }

// ClearCache empties the thumbnail cache (web.CacheClearer).
func (t thumbAdapter) ClearCache() (int, int64) { return t.svc.ClearCache() }

func (t thumbAdapter) Thumb(ctx context.Context, src web.ThumbSource, size string) (web.Thumb, error) {
	sz, ok := thumbs.ParseSize(size)
	if !ok {
		return web.Thumb{}, fmt.Errorf("unknown thumbnail size %q", size)
	}
	r, err := t.svc.Get(ctx, thumbs.Source{Path: src.Path, Hash: src.Hash, MIME: src.MIME, Orientation: src.Orientation}, sz)
	if err != nil {
		return web.Thumb{}, err
	}
	return web.Thumb{Path: r.Path, Data: r.Data, ETag: r.ETag, ContentType: r.ContentType}, nil
}

func (t thumbAdapter) Placeholder(size, reason string) []byte {
	sz, ok := thumbs.ParseSize(size)
	if !ok {
		sz = thumbs.Sizes[2]
	}
	return thumbs.Placeholder(sz, reason)
}

func (t thumbAdapter) Reason(err error) string { return thumbs.Reason(err) }

// Refusal and All answer web.Refusals from the renderer's memory of files
// it gives no thumbnail.
func (t thumbAdapter) Refusal(hash string) (db.RenderRefusal, bool) {
	r, ok := t.svc.Refusal(hash)
	return db.RenderRefusal{Hash: r.Hash, Kind: r.Kind, Reason: r.Reason}, ok
}

func (t thumbAdapter) All() []db.RenderRefusal {
	list := t.svc.Unpreviewable()
	out := make([]db.RenderRefusal, len(list))
	for i, r := range list {
		out[i] = db.RenderRefusal{Hash: r.Hash, Kind: r.Kind, Reason: r.Reason}
	}
	return out
}

// refusedShown is how many refusals the status document lists.
const refusedShown = 50

// refusedStatus is the status document's "thumbnails" block: the latest
// refused files with the reason, and how many there are in all.
func refusedStatus(svc *thumbs.Service) RefusedThumbs {
	list, n := svc.Refused(refusedShown)
	return RefusedThumbs{Refused: list, Count: n}
}
