package web_test

import (
	"image/png"
	"net/http"
	"testing"

	"pinhole/app/maps"
	"pinhole/db"
	"pinhole/web"
)

func TestGeoClustersAndOfflineTiles(t *testing.T) {
	tiles := maps.New(maps.Options{Dir: t.TempDir()})
	e := newEnv(t, func(d *web.Deps) { d.Tiles = tiles })

	var got struct {
		Clusters      []db.GeoCluster `json:"clusters"`
		ThumbToken    string          `json:"thumb_token"`
		TileURL       string          `json:"tile_url"`
		Attribution   string          `json:"attribution"`
		MaxNativeZoom int             `json:"max_native_zoom"`
	}
	e.do(e.viewer, "GET", "/api/v1/geo?zoom=4&bbox=-30,20,30,60", nil, 200, &got)
	if len(got.Clusters) != 1 || got.Clusters[0].Count != 1 || got.Clusters[0].Hash == "" || got.Clusters[0].PhotoID != e.pub.ID {
		t.Fatalf("clusters over Europe: %+v", got.Clusters)
	}
	if got.TileURL != "/api/v1/tiles/dark/{z}/{x}/{y}" || got.ThumbToken == "" || got.Attribution != "Natural Earth · GeoNames" || got.MaxNativeZoom != maps.BaseDetailZoom {
		t.Errorf("tile layer: %+v", got)
	}
	// Filters apply: no favourites, no clusters; nothing over the Pacific.
	e.do(e.viewer, "GET", "/api/v1/geo?zoom=4&favorite=true", nil, 200, &got)
	if len(got.Clusters) != 0 {
		t.Errorf("favourites: %+v", got.Clusters)
	}
	e.do(e.viewer, "GET", "/api/v1/geo?zoom=4&bbox=-170,-20,-120,20", nil, 200, &got)
	if len(got.Clusters) != 0 {
		t.Errorf("Pacific: %+v", got.Clusters)
	}
	e.do(e.viewer, "GET", "/api/v1/geo?zoom=99", nil, 400, nil)

	resp := e.request(e.viewer, "GET", "/api/v1/tiles/light/1/0/0.png", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("tile: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(resp.Body); err != nil {
		t.Fatalf("tile is not a PNG: %v", err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	again := e.request(e.viewer, "GET", "/api/v1/tiles/light/1/0/0", nil, http.Header{"If-None-Match": {etag}})
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.StatusCode)
	}
	for _, bad := range []string{"/api/v1/tiles/light/1/2/0", "/api/v1/tiles/light/20/0/0", "/api/v1/tiles/neon/1/0/0", "/api/v1/tiles/light/a/0/0"} {
		e.do(e.viewer, "GET", bad, nil, 400, nil)
	}
	if st := tiles.Stats(); st.UpstreamRequests != 0 || st.Rendered != 1 {
		t.Errorf("offline tile stats: %+v", st)
	}
}
