// Command loadgen drives a running `pinhole serve` with many concurrent
// clients mixing what people do: timeline pages (with cursors), searches,
// thumbnails of photos nobody has looked at yet, and map requests (geo
// clusters and tiles). It then checks the bounds the server promises: no
// 5xx (nor any other failure), no "database is locked" in the server's log,
// and a peak RSS under the memory budget. scripts/load.sh starts the server
// and runs it.
//
//	loadgen -url http://127.0.0.1:8099 -user load -pass-file F -c 200 -d 60s \
//	        -pid PID -log serve.log -budget-mb 224 -expect 60
//
// It prints one line per request kind (requests, failures, p50, p99, max,
// requests/s) and exits 1 when a bound is broken.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// config is the command line.
type config struct {
	base        string
	user, pass  string
	clients     int
	duration    time.Duration
	pid         int
	logPath     string
	budgetMB    int64
	expect      int
	indexWait   time.Duration
	weights     map[string]int
	thumbSizes  []string
	httpTimeout time.Duration
}

func main() {
	var cfg config
	var passFile, mix, sizes string
	flag.StringVar(&cfg.base, "url", "http://127.0.0.1:8099", "server base URL")
	flag.StringVar(&cfg.user, "user", "load", "user name to log in as")
	flag.StringVar(&passFile, "pass-file", "", "file holding the password (default: $LOADGEN_PASSWORD)")
	flag.IntVar(&cfg.clients, "c", 200, "concurrent clients")
	flag.DurationVar(&cfg.duration, "d", 60*time.Second, "how long to drive the server")
	flag.IntVar(&cfg.pid, "pid", 0, "server process id, for its peak RSS (VmHWM)")
	flag.StringVar(&cfg.logPath, "log", "", "server log file to check for \"database is locked\"")
	flag.Int64Var(&cfg.budgetMB, "budget-mb", 224, "peak RSS the server must stay under, in MB")
	flag.IntVar(&cfg.expect, "expect", 1, "wait until the index holds at least this many photos")
	flag.DurationVar(&cfg.indexWait, "index-wait", 15*time.Minute, "how long to wait for indexing")
	flag.StringVar(&mix, "mix", "timeline=30,search=25,thumb=25,geo=10,tile=10", "request kinds and their weights")
	flag.StringVar(&sizes, "thumb-sizes", "fit_720,fit_1280,tile_500,tile_224,fit_1920,tile_100", "thumbnail sizes, asked in this order so each request is for one not rendered yet")
	flag.DurationVar(&cfg.httpTimeout, "timeout", 2*time.Minute, "per-request timeout (a timeout counts as a failure)")
	flag.Parse()
	cfg.pass = os.Getenv("LOADGEN_PASSWORD")
	if passFile != "" {
		b, err := os.ReadFile(passFile)
		if err != nil {
			fatal(err)
		}
		cfg.pass = strings.TrimSpace(string(b))
	}
	var err error
	if cfg.weights, err = parseMix(mix); err != nil {
		fatal(err)
	}
	cfg.thumbSizes = strings.Split(sizes, ",")
	ok, err := run(cfg)
	if err != nil {
		fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}

func parseMix(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("-mix %q: want kind=weight,…", s)
		}
		switch k {
		case "timeline", "search", "thumb", "geo", "tile":
		default:
			return nil, fmt.Errorf("-mix: unknown kind %q", k)
		}
		out[k] = n
	}
	return out, nil
}

// photo is the part of a listed photo the requests need.
type photo struct {
	Hash    string   `json:"hash"`
	Title   string   `json:"title"`
	Make    string   `json:"make"`
	Model   string   `json:"model"`
	City    string   `json:"city"`
	Country string   `json:"country"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
}

// library is what the setup learned from the server.
type library struct {
	token      string
	thumbToken string
	photos     []photo
	cursors    []string // "" (first page) and every next cursor
	words      []string // search terms
	geo        []photo  // photos with a position
}

// stats collects one request kind's results.
type stats struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  int
	status5xx int
	samples   []string // the first few failures, for the report
}

func (s *stats) add(d time.Duration, code int, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, d)
	if code >= 500 {
		s.status5xx++
	}
	if failure != "" {
		s.failures++
		if len(s.samples) < 3 {
			s.samples = append(s.samples, failure)
		}
	}
}

type loadgen struct {
	cfg    config
	http   *http.Client
	lib    library
	stats  map[string]*stats
	kinds  []string // one entry per weight unit
	thumbQ []string // thumbnail paths, each asked once while uncached
	thumbN atomic.Int64
}

func run(cfg config) (bool, error) {
	tr := &http.Transport{MaxIdleConns: cfg.clients * 2, MaxIdleConnsPerHost: cfg.clients * 2, IdleConnTimeout: time.Minute}
	g := &loadgen{cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.httpTimeout}, stats: map[string]*stats{}}
	if err := g.setup(); err != nil {
		return false, err
	}
	for _, k := range []string{"timeline", "search", "thumb_uncached", "thumb_cached", "geo", "tile"} {
		g.stats[k] = &stats{}
	}
	// Kinds the server does not have (404 on a first probe) are left out
	// and said so, rather than counted as failures.
	var skipped []string
	for _, k := range []string{"timeline", "search", "thumb", "geo", "tile"} {
		w := cfg.weights[k]
		if w == 0 {
			continue
		}
		if code := g.probe(k); code == http.StatusNotFound {
			skipped = append(skipped, k)
			continue
		} else if code != http.StatusOK {
			return false, fmt.Errorf("probe of %s answered %d", k, code)
		}
		for range w {
			g.kinds = append(g.kinds, k)
		}
	}
	if len(g.kinds) == 0 {
		return false, errors.New("no request kind left to run")
	}
	fmt.Printf("library: %d photos (%d with a position), %d timeline cursors, %d search terms, %d uncached thumbnails available\n",
		len(g.lib.photos), len(g.lib.geo), len(g.lib.cursors), len(g.lib.words), len(g.thumbQ))
	if len(skipped) > 0 {
		fmt.Printf("skipped (the server answers 404): %s\n", strings.Join(skipped, ", "))
	}
	if cfg.pid > 0 {
		// What the server holds before the load: indexing and start-up.
		if hwm, err := procStatus(cfg.pid, "VmHWM:"); err == nil {
			rss, _ := procStatus(cfg.pid, "VmRSS:")
			fmt.Printf("server before the load: RSS %.1f MB, peak so far %.1f MB\n", float64(rss)/(1<<20), float64(hwm)/(1<<20))
		}
	}
	fmt.Printf("driving %s with %d clients for %v\n", cfg.base, cfg.clients, cfg.duration)

	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for i := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 77))
			for time.Now().Before(deadline) {
				g.one(r)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return g.report(elapsed), nil
}

// get sends an authorised GET and reads the whole body.
func (g *loadgen) get(path string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, g.cfg.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	if g.lib.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.lib.token)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (g *loadgen) getJSON(path string, out any) error {
	code, b, err := g.get(path)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, code, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}

// setup logs in, waits for the index and learns the library.
func (g *loadgen) setup() error {
	body, _ := json.Marshal(map[string]any{"username": g.cfg.user, "password": g.cfg.pass, "bearer": true})
	resp, err := g.http.Post(g.cfg.base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	var login struct {
		Token      string `json:"token"`
		ThumbToken string `json:"thumb_token"`
		Error      string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || login.Token == "" {
		return fmt.Errorf("log in as %s: %d %s %v", g.cfg.user, resp.StatusCode, login.Error, err)
	}
	g.lib.token, g.lib.thumbToken = login.Token, login.ThumbToken

	waitUntil := time.Now().Add(g.cfg.indexWait)
	for {
		var st struct {
			Counts struct {
				Photos int `json:"photos"`
			} `json:"counts"`
			Index struct {
				Progress struct {
					Running bool `json:"running"`
				} `json:"progress"`
			} `json:"index"`
		}
		if err := g.getJSON("/api/v1/status", &st); err != nil {
			return err
		}
		if st.Counts.Photos >= g.cfg.expect && !st.Index.Progress.Running {
			break
		}
		if time.Now().After(waitUntil) {
			return fmt.Errorf("index holds %d photos after %v, want %d", st.Counts.Photos, g.cfg.indexWait, g.cfg.expect)
		}
		time.Sleep(time.Second)
	}

	cursor := ""
	g.lib.cursors = []string{""}
	for {
		var page struct {
			Photos []photo `json:"photos"`
			Next   string  `json:"next"`
		}
		p := "/api/v1/photos?limit=20"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := g.getJSON(p, &page); err != nil {
			return err
		}
		g.lib.photos = append(g.lib.photos, page.Photos...)
		if page.Next == "" || len(page.Photos) == 0 {
			break
		}
		cursor = page.Next
		g.lib.cursors = append(g.lib.cursors, cursor)
	}
	if len(g.lib.photos) == 0 {
		return errors.New("the library is empty")
	}
	words := map[string]bool{"beach": true, "2021": true, "sunset": true}
	for _, p := range g.lib.photos {
		for _, s := range []string{p.City, p.Country, p.Make, p.Model} {
			if s != "" {
				words[strings.ToLower(strings.Fields(s)[0])] = true
			}
		}
		for _, w := range strings.Fields(p.Title) {
			if len(w) > 3 {
				words[strings.ToLower(w)] = true
			}
		}
		if p.Lat != nil && p.Lng != nil {
			g.lib.geo = append(g.lib.geo, p)
		}
	}
	for w := range words {
		g.lib.words = append(g.lib.words, w)
	}
	slices.Sort(g.lib.words)
	// Every photo at the first size, then every photo at the next one: the
	// most thumbnails of distinct originals first.
	for _, sz := range g.cfg.thumbSizes {
		for _, p := range g.lib.photos {
			g.thumbQ = append(g.thumbQ, "/api/v1/t/"+p.Hash+"/"+g.lib.thumbToken+"/"+sz)
		}
	}
	return nil
}

// probe sends one request of a kind and returns its status. The
// thumbnail probe uses the last queue entry (rendered early, so the
// "uncached" requests are one fewer, never a cached one).
func (g *loadgen) probe(kind string) int {
	var p string
	switch kind {
	case "thumb":
		p = g.thumbQ[len(g.thumbQ)-1]
		g.thumbQ = g.thumbQ[:len(g.thumbQ)-1]
	default:
		p, _ = g.path(kind, rand.New(rand.NewPCG(1, 1)))
	}
	code, _, err := g.get(p)
	if err != nil {
		return 0
	}
	return code
}

// path builds one request of a kind and names the stats it counts in.
func (g *loadgen) path(kind string, r *rand.Rand) (string, string) {
	lib := &g.lib
	switch kind {
	case "timeline":
		c := lib.cursors[r.IntN(len(lib.cursors))]
		p := "/api/v1/photos?limit=20"
		if c != "" {
			p += "&cursor=" + url.QueryEscape(c)
		}
		return p, kind
	case "search":
		q := lib.words[r.IntN(len(lib.words))]
		p := "/api/v1/photos?limit=50&q=" + url.QueryEscape(q)
		if r.IntN(3) == 0 {
			p += "&type=photo"
		}
		return p, kind
	case "thumb":
		if i := g.thumbN.Add(1) - 1; i < int64(len(g.thumbQ)) {
			return g.thumbQ[i], "thumb_uncached"
		}
		return g.thumbQ[r.IntN(len(g.thumbQ))], "thumb_cached"
	case "geo":
		zoom := r.IntN(13)
		lat, lng := 0.0, 0.0
		if len(lib.geo) > 0 {
			p := lib.geo[r.IntN(len(lib.geo))]
			lat, lng = *p.Lat, *p.Lng
		}
		half := 180 / float64(int(1)<<zoom)
		bbox := fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", max(lng-half, -180), max(lat-half/2, -85), min(lng+half, 180), min(lat+half/2, 85))
		return "/api/v1/geo?zoom=" + strconv.Itoa(zoom) + "&bbox=" + bbox, kind
	default: // tile
		z := r.IntN(8) // the offline base map's detailed zooms
		n := 1 << z
		style := []string{"dark", "light"}[r.IntN(2)]
		return fmt.Sprintf("/api/v1/tiles/%s/%d/%d/%d.png", style, z, r.IntN(n), r.IntN(n)), "tile"
	}
}

// one sends one request of a randomly chosen kind and records it.
func (g *loadgen) one(r *rand.Rand) {
	p, name := g.path(g.kinds[r.IntN(len(g.kinds))], r)
	start := time.Now()
	code, body, err := g.get(p)
	d := time.Since(start)
	failure := ""
	switch {
	case err != nil:
		failure = err.Error()
	case code != http.StatusOK:
		failure = fmt.Sprintf("%d %s: %.120s", code, p, bytes.TrimSpace(body))
	}
	g.stats[name].add(d, code, failure)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// report prints the table and checks the bounds.
func (g *loadgen) report(elapsed time.Duration) bool {
	ok := true
	fmt.Printf("\n%-15s %9s %8s %5s %9s %9s %9s %8s\n", "kind", "requests", "failures", "5xx", "p50 ms", "p99 ms", "max ms", "req/s")
	var total, failures, fivexx int
	var all []time.Duration
	for _, k := range []string{"timeline", "search", "thumb_uncached", "thumb_cached", "geo", "tile"} {
		s := g.stats[k]
		if len(s.latencies) == 0 {
			continue
		}
		slices.Sort(s.latencies)
		all = append(all, s.latencies...)
		n := len(s.latencies)
		total, failures, fivexx = total+n, failures+s.failures, fivexx+s.status5xx
		fmt.Printf("%-15s %9d %8d %5d %9s %9s %9s %8.1f\n", k, n, s.failures, s.status5xx,
			ms(percentile(s.latencies, 0.5)), ms(percentile(s.latencies, 0.99)), ms(s.latencies[n-1]), float64(n)/elapsed.Seconds())
		for _, f := range s.samples {
			fmt.Printf("    e.g. %s\n", f)
		}
	}
	slices.Sort(all)
	fmt.Printf("%-15s %9d %8d %5d %9s %9s %9s %8.1f\n", "all", total, failures, fivexx,
		ms(percentile(all, 0.5)), ms(percentile(all, 0.99)), ms(all[len(all)-1]), float64(total)/elapsed.Seconds())
	fmt.Printf("uncached thumbnails left unasked: %d of %d\n", max(0, int64(len(g.thumbQ))-g.thumbN.Load()), len(g.thumbQ))
	if failures > 0 || fivexx > 0 {
		fmt.Printf("FAIL: %d failed requests (%d with 5xx)\n", failures, fivexx)
		ok = false
	}
	if g.cfg.pid > 0 {
		hwm, err := peakRSS(g.cfg.pid)
		switch {
		case err != nil:
			fmt.Printf("FAIL: cannot read the server's peak RSS: %v\n", err)
			ok = false
		case hwm > g.cfg.budgetMB<<20:
			fmt.Printf("FAIL: server peak RSS (VmHWM) %.1f MB, over the %d MB budget\n", float64(hwm)/(1<<20), g.cfg.budgetMB)
			ok = false
		default:
			fmt.Printf("server peak RSS (VmHWM): %.1f MB, budget %d MB\n", float64(hwm)/(1<<20), g.cfg.budgetMB)
		}
	}
	if g.cfg.logPath != "" {
		locked, lines, err := scanLog(g.cfg.logPath)
		switch {
		case err != nil:
			fmt.Printf("FAIL: cannot read the server log: %v\n", err)
			ok = false
		case locked > 0:
			fmt.Printf("FAIL: %d \"database is locked\" lines in the server log (%d lines)\n", locked, lines)
			ok = false
		default:
			fmt.Printf("server log: %d lines, none says \"database is locked\"\n", lines)
		}
	}
	if ok {
		fmt.Println("PASS")
	}
	return ok
}

// peakRSS reads VmHWM, the process's resident-set high-water mark.
func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

// procStatus reads one kB figure of /proc/PID/status, in bytes.
func procStatus(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s line", key)
}

// scanLog counts the log lines reporting a locked database (SQLITE_BUSY).
func scanLog(path string) (locked, lines int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
		l := strings.ToLower(sc.Text())
		if strings.Contains(l, "database is locked") || strings.Contains(l, "sqlite_busy") {
			locked++
		}
	}
	return locked, lines, sc.Err()
}
