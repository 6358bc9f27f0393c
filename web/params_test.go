package web_test

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
)

// TestNumericParametersRefused sends NaN, ±Inf, overflowing and
// out-of-range numbers to every route that takes a number: each answers
// 400 with a sentence naming the parameter, never a 500 (which is what a
// NaN reaching SQL text did).
func TestNumericParametersRefused(t *testing.T) {
	e := newEnv(t, nil)
	type tc struct{ path, name string }
	var cases []tc

	// Every route with an :id in its path, from the router itself.
	bad := []string{"NaN", "Inf", "-Inf", "-1", "0", "1e3", "1.5", "99999999999999999999", "0x10"}
	seen := map[string]bool{}
	for _, r := range e.srv.Echo().Routes() {
		if !strings.Contains(r.Path, ":id") || seen[r.Method+r.Path] || r.Method == "HEAD" { // HEAD has no body to read
			continue
		}
		seen[r.Method+r.Path] = true
		for _, v := range bad {
			p := strings.ReplaceAll(r.Path, ":token", e.share.Token)
			cases = append(cases, tc{r.Method + " " + strings.Replace(p, ":id", url.PathEscape(v), 1), "id"})
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d routes with :id found", len(seen))
	}

	query := []tc{
		{"year=NaN", "year"}, {"year=0", "year"}, {"year=10000", "year"}, {"year=99999999999999999999", "year"},
		{"year=2019&month=13", "month"}, {"year=2019&month=NaN", "month"}, {"year=2019&month=-1", "month"},
		{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=NaN", "limit"}, {"limit=-5", "limit"}, {"limit=1e2", "limit"},
		{"album=NaN", "album"}, {"album=0", "album"}, {"album=1e400", "album"},
		{"lat=NaN&lng=0", "lat"}, {"lat=91&lng=0", "lat"}, {"lat=0&lng=Inf", "lng"}, {"lat=0&lng=-Inf", "lng"},
		{"lat=1e400&lng=0", "lat"}, {"lat=0&lng=180.5", "lng"}, {"lat=0&lng=0&radius=NaN", "radius"},
		{"lat=0&lng=0&radius=0", "radius"}, {"lat=0&lng=0&radius=1e9", "radius"}, {"lat=0&lng=0&radius=-Inf", "radius"},
		{"radius=5", "radius"},
		{"bbox=NaN,0,1,1", "bbox longitude"}, {"bbox=0,NaN,1,1", "bbox latitude"}, {"bbox=0,0,Inf,1", "bbox longitude"},
		{"bbox=0,0,1,-Inf", "bbox latitude"}, {"bbox=0,95,1,96", "bbox latitude"}, {"bbox=0,10,1,5", "bbox"},
		{"bbox=1,2,3", "bbox"}, {"bbox=-181,0,0,1", "bbox longitude"},
	}
	for _, route := range []string{"/api/v1/photos", "/api/v1/photos/months", "/api/v1/geo"} {
		for _, q := range query {
			cases = append(cases, tc{"GET " + route + "?" + q.path, q.name})
		}
	}
	for _, z := range []string{"NaN", "-1", "23", "1e3", "Inf", "99999999999999999999"} {
		cases = append(cases, tc{"GET /api/v1/geo?zoom=" + z, "zoom"})
	}
	for _, tile := range []tc{
		{"NaN/0/0", "tile z"}, {"20/0/0", "tile z"}, {"-1/0/0", "tile z"}, {"99999999999999999999/0/0", "tile z"},
		{"1/2/0", "tile x"}, {"1/NaN/0", "tile x"}, {"1/0/-1", "tile y"}, {"1/0/Inf.png", "tile y"}, {"19/0/524288", "tile y"},
	} {
		cases = append(cases, tc{"GET /api/v1/tiles/dark/" + tile.path, tile.name})
	}
	cases = append(cases, tc{"GET /api/v1/tiles/blue/0/0/0", "style"})
	for _, v := range []string{"NaN", "0", "-3", "1e400"} {
		cases = append(cases, tc{"GET /api/v1/shares?album=" + v, "album"})
	}
	for _, v := range []string{"NaN", "0", "501", "Inf"} {
		cases = append(cases, tc{"GET /api/v1/s/" + e.share.Token + "/photos?limit=" + v, "limit"})
	}

	for _, c := range cases {
		method, path, _ := strings.Cut(c.path, " ")
		var body any
		if method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE" {
			body = map[string]any{}
		}
		resp := e.request(e.admin, method, path, body, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &out)
		if resp.StatusCode != 400 || !strings.Contains(out.Error, c.name) {
			t.Errorf("%s: %d %s; want 400 naming %q", c.path, resp.StatusCode, b, c.name)
		}
	}
	t.Logf("%d requests", len(cases))
}
