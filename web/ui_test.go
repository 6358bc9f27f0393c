package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestUIHandlerCachingAndFallback(t *testing.T) {
	dist := fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><script src="/assets/index-abc123.js"></script>`)},
		"assets/index-abc123.js": {Data: []byte(`console.log("hi")`)},
	}
	srv := httptest.NewServer(newUIHandler(dist))
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	cases := []struct {
		path, cache, body string
		status            int
	}{
		{"/", "no-cache", "index-abc123.js", 200},
		{"/albums/3", "no-cache", "index-abc123.js", 200},     // client-side route
		{"/s/sharetoken", "no-cache", "index-abc123.js", 200}, // share visitor deep link
		{"/assets/index-abc123.js", "public, max-age=31536000, immutable", `console.log`, 200},
		{"/assets/index-old999.js", "", "", 404}, // a stale hash must not get HTML
		{"/api/v1/nothing", "", "", 404},
	}
	for _, c := range cases {
		resp, body := get(c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
		}
		if got := resp.Header.Get("Cache-Control"); c.cache != "" && got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if c.body != "" && !strings.Contains(body, c.body) {
			t.Errorf("%s: body %q lacks %q", c.path, body, c.body)
		}
	}
	if resp, _ := get("/assets/index-abc123.js"); !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("asset Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

func TestUIHandlerNotBuilt(t *testing.T) {
	srv := httptest.NewServer(newUIHandler(fstest.MapFS{".gitkeep": {}}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "the web app was not built") && !strings.Contains(string(b), "The web app was not built") {
		t.Errorf("page does not say the UI is missing: %s", b)
	}
	if !strings.Contains(string(b), "make build") {
		t.Errorf("page does not say how to build: %s", b)
	}
}
