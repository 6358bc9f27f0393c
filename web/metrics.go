package web

import (
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// httpMetrics counts requests by status class and their durations in a
// fixed histogram, without a Prometheus client library.
type httpMetrics struct {
	byClass [6]atomic.Int64 // index = status / 100
	mu      sync.Mutex
	buckets []float64 // upper bounds, seconds
	counts  []int64   // per bucket (not cumulative)
	sum     float64
	n       int64
}

func newHTTPMetrics() *httpMetrics {
	b := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}
	return &httpMetrics{buckets: b, counts: make([]int64, len(b)+1)}
}

func (m *httpMetrics) observe(status int, d time.Duration) {
	if c := status / 100; c >= 1 && c <= 5 {
		m.byClass[c].Add(1)
	}
	sec := d.Seconds()
	i := sort.SearchFloat64s(m.buckets, sec)
	m.mu.Lock()
	m.counts[i]++
	m.sum += sec
	m.n++
	m.mu.Unlock()
}

func (m *httpMetrics) write(w *strings.Builder) {
	fmt.Fprintln(w, "# HELP pinhole_http_requests_total HTTP requests answered, by status class.")
	fmt.Fprintln(w, "# TYPE pinhole_http_requests_total counter")
	for c := 1; c <= 5; c++ {
		fmt.Fprintf(w, "pinhole_http_requests_total{code=\"%dxx\"} %d\n", c, m.byClass[c].Load())
	}
	fmt.Fprintln(w, "# HELP pinhole_http_request_duration_seconds Time to answer HTTP requests.")
	fmt.Fprintln(w, "# TYPE pinhole_http_request_duration_seconds histogram")
	m.mu.Lock()
	var cum int64
	for i, b := range m.buckets {
		cum += m.counts[i]
		fmt.Fprintf(w, "pinhole_http_request_duration_seconds_bucket{le=\"%g\"} %d\n", b, cum)
	}
	cum += m.counts[len(m.buckets)]
	fmt.Fprintf(w, "pinhole_http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "pinhole_http_request_duration_seconds_sum %g\n", m.sum)
	fmt.Fprintf(w, "pinhole_http_request_duration_seconds_count %d\n", m.n)
	m.mu.Unlock()
}

// metricsAllowed: with MetricsPublic anyone; otherwise an admin session
// or a request from this machine.
func (s *Server) metricsAllowed(c echo.Context) bool {
	if s.deps.MetricsPublic || callerOf(c).role() == db.RoleAdmin {
		return true
	}
	ip := net.ParseIP(c.RealIP())
	return ip != nil && ip.IsLoopback()
}

func (s *Server) serveMetrics(c echo.Context) error {
	if !s.metricsAllowed(c) {
		if callerOf(c).session == nil {
			return echo.NewHTTPError(http.StatusUnauthorized, "metrics are for admins and localhost; log in as an admin")
		}
		return echo.NewHTTPError(http.StatusForbidden, "metrics are for admins and localhost")
	}
	var w strings.Builder
	gauge := func(name, help string, v any) {
		fmt.Fprintf(&w, "# HELP %s %s\n# TYPE %s gauge\n%s %v\n", name, help, name, name, v)
	}
	if counts, err := s.deps.DB.Counts(c.Request().Context()); err == nil {
		gauge("pinhole_photos", "Photos in the library (not missing).", counts.Photos)
		gauge("pinhole_videos", "Videos in the library.", counts.Videos)
		gauge("pinhole_files", "Files present on disk.", counts.Files)
		gauge("pinhole_files_missing", "Files marked missing.", counts.MissingFiles)
		gauge("pinhole_index_errors", "Files that could not be read.", counts.Errors)
		gauge("pinhole_albums", "Albums.", counts.Albums)
	}
	s.metrics.write(&w)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge("go_goroutines", "Goroutines.", runtime.NumGoroutine())
	gauge("go_memstats_heap_inuse_bytes", "Heap in use.", ms.HeapInuse)
	gauge("go_memstats_sys_bytes", "Memory obtained from the OS.", ms.Sys)
	gauge("process_uptime_seconds", "Seconds since the server started.", int64(time.Since(s.started).Seconds()))
	if s.deps.Metrics != nil {
		s.deps.Metrics(&w)
	}
	return c.Blob(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(w.String()))
}
