package web_test

import "testing"

// An admin empties a cache by name; other names and missing caches get
// clear errors, and only admins may do it.
func TestClearCaches(t *testing.T) {
	e := newEnv(t, nil)
	var out struct {
		Files int   `json:"removed_files"`
		Bytes int64 `json:"removed_bytes"`
	}
	e.do(e.admin, "DELETE", "/api/v1/caches/thumbs", nil, 200, &out)
	if out.Files != 3 || out.Bytes != 3000 || e.thumbs.cleared.Load() != 1 {
		t.Errorf("clearing thumbnails: %+v, %d calls", out, e.thumbs.cleared.Load())
	}
	e.do(e.user, "DELETE", "/api/v1/caches/thumbs", nil, 403, nil)
	e.do(e.admin, "DELETE", "/api/v1/caches/originals", nil, 404, nil)
	e.do(e.admin, "DELETE", "/api/v1/caches/tiles", nil, 503, nil) // this server has no tile service
	if n := e.thumbs.cleared.Load(); n != 1 {
		t.Errorf("the cache was cleared %d times", n)
	}
}
