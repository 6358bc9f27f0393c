package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/db"
	"pinhole/web"
)

var (
	benchOnce sync.Once
	benchSrv  *httptest.Server
	benchTok  string
	benchDeep string // cursor of the page after ~90k photos
	benchErr  error
)

// benchLibrary serves a generated 100k-photo database once per process.
func benchLibrary(b *testing.B) (*httptest.Server, string, string) {
	benchOnce.Do(func() {
		ctx := context.Background()
		dir, err := osMkdirTemp()
		if err != nil {
			benchErr = err
			return
		}
		d, err := db.Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			benchErr = err
			return
		}
		if benchErr = d.InsertSynthetic(ctx, 100_000, 1); benchErr != nil {
			return
		}
		s := web.New(web.Deps{DB: d, SessionTTL: time.Hour})
		if _, benchErr = auth.AddUser(ctx, d, "bench", testPassword, "admin"); benchErr != nil {
			return
		}
		l, err := s.Auth().Login(ctx, "bench", testPassword, "127.0.0.1", "bench")
		if err != nil {
			benchErr = err
			return
		}
		benchTok = l.Token
		// Walk to ~90k by keyset pages of 500 to get the deep cursor.
		cur := ""
		for i := 0; i < 180; i++ {
			p, err := d.SearchPhotos(ctx, db.PhotoQuery{Reader: db.Reader{Kind: db.Owner}, Limit: 500, Cursor: cur})
			if err != nil {
				benchErr = err
				return
			}
			cur = p.Next
		}
		benchDeep = cur
		benchSrv = httptest.NewServer(s.Handler())
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSrv, benchTok, benchDeep
}

func benchGet(b *testing.B, path string) {
	srv, tok, _ := benchLibrary(b)
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct{ Photos []json.RawMessage }
		if resp.StatusCode != 200 {
			body, _ := io.ReadAll(resp.Body)
			b.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Photos) == 0 {
			b.Fatalf("%s: %v, %d photos", path, err, len(out.Photos))
		}
		resp.Body.Close()
	}
}

// The four searches of the acceptance: go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench Search ./web/
func BenchmarkSearchFirstPage(b *testing.B) { benchGet(b, "/api/v1/photos?limit=100") }
func BenchmarkSearchDeepPage(b *testing.B) {
	_, _, deep := benchLibrary(b)
	benchGet(b, "/api/v1/photos?limit=100&cursor="+url.QueryEscape(deep))
}
func BenchmarkSearchText(b *testing.B) { benchGet(b, "/api/v1/photos?limit=100&q=sunset") }
func BenchmarkSearchPlace(b *testing.B) {
	benchGet(b, "/api/v1/photos?limit=100&country=PT&state=Lisbon&city=Lisbon")
}
func BenchmarkMonthCounts(b *testing.B) {
	srv, tok, _ := benchLibrary(b)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/photos/months", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// The problems list on 100k photos, a few thousand of them videos without
// ffmpeg (every one a problem): go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench Problems ./web/
func BenchmarkProblems(b *testing.B) {
	srv, tok, _ := benchLibrary(b)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/problems", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		var out struct{ Total int }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Total == 0 {
			b.Fatalf("decode: %v, %d problems", err, out.Total)
		}
		resp.Body.Close()
		b.ReportMetric(float64(out.Total), "problems")
	}
}
