package app

import (
	"context"

	"pinhole/app/index"
	"pinhole/app/watch"
	"pinhole/web"
)

// statusFor is /api/v1/status for a logged-in caller. Admins get the whole
// document (status). Everyone else gets a copy built from an allow-list,
// so a key added to the document later reaches only admins until it is
// added here on purpose: no absolute paths (originals, helper programs,
// the errors naming folders), no upstream error texts (their URLs may hold
// keys), and for viewers no count that includes private photos.
func (s *Server) statusFor(ctx context.Context, v web.StatusView) any {
	full := s.status(ctx).(map[string]any)
	if v.Admin {
		return full
	}
	out := map[string]any{}
	for _, k := range []string{"status", "version", "uptime_s", "demo", "online_paused"} {
		if val, ok := full[k]; ok {
			out[k] = val
		}
	}
	if v.HidePrivate {
		if c, err := s.DB.CountVisible(ctx); err == nil {
			out["counts"] = c
		} else {
			out["status"] = "degraded"
		}
	} else {
		out["counts"] = full["counts"]
	}
	out["index"] = limitedIndex(s.indexStatus(), v)
	out["watcher"] = limitedWatcher(s.Watcher.State())
	helpers := map[string]bool{}
	for name, path := range s.helpers() {
		helpers[name] = path != ""
	}
	out["helpers"] = helpers
	out["thumbs"] = full["thumbs"]
	if m, ok := full["places"].(map[string]any); ok {
		keep := []string{"mode", "service", "dataset_version", "hit_rate"}
		if !v.HidePrivate {
			keep = append(keep, "resolved", "pending")
		}
		out["places"] = pick(m, keep...)
	}
	mp := s.Tiles.Stats()
	mp.LastError, mp.LastErrorAt = "", nil
	out["maps"] = mp
	return out
}

// limitedIndex is the index part for non-admins: progress and the last
// scan's times; the file being read only for those who may see every
// file, and the root problem (it names the originals) as a plain sentence.
func limitedIndex(st map[string]any, v web.StatusView) map[string]any {
	out := map[string]any{}
	if p, ok := st["progress"].(index.Progress); ok {
		if v.HidePrivate {
			p.Current = ""
		}
		out["progress"] = p
	}
	if l, ok := st["last_scan"].(*index.Summary); ok && l != nil {
		if v.HidePrivate { // its counts include private photos' files
			out["last_scan"] = map[string]any{"started": l.Started, "duration_ns": l.Duration, "full": l.Full}
		} else {
			c := *l
			c.Warning = ""
			out["last_scan"] = c
		}
	}
	if p, _ := st["root_problem"].(string); p != "" {
		out["root_problem"] = "The photo folder is not available right now; an admin can see why in Settings."
	}
	if w, ok := st["watcher"].(watch.State); ok {
		out["watcher"] = limitedWatcher(w)
	}
	return out
}

// limitedWatcher leaves out the reason, which may name the originals.
func limitedWatcher(w watch.State) watch.State {
	w.Reason = ""
	return w
}

// pick copies the named keys that are present.
func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
