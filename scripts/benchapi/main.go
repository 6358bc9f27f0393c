//go:build synthetic

// Command benchapi generates a large synthetic library, serves the API
// over it, and drives it with concurrent clients, reporting latency
// percentiles. scripts/bench-api.sh runs the three steps (built with the
// synthetic tag, which the generator needs).
//
//	benchapi gen   -db FILE -n 100000
//	benchapi serve -db FILE -addr 127.0.0.1:8078
//	benchapi load  -url URL -token T -c 16 -d 30s [-name NAME]
//	benchapi deep  -url URL -token T -pages 1800
//
// deep follows a list's keyset pages (of the limit in URL) over HTTP and
// prints the cursor of the page after the last one, for a deep-page load.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/db"
	"pinhole/web"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchapi gen|serve|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	case "deep":
		err = deep(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchapi:", err)
		os.Exit(1)
	}
}

// gen writes a database of n photos and an admin "bench" whose bearer
// token it prints.
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	path := fs.String("db", "bench.db", "database file to create")
	n := fs.Int("n", 100_000, "photos")
	fs.Parse(args)
	ctx := context.Background()
	os.Remove(*path)
	d, err := db.Open(ctx, *path)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	if err := d.InsertSynthetic(ctx, *n, 1); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generated %d photos in %s\n", *n, time.Since(start).Round(time.Millisecond))
	if _, err := auth.AddUser(ctx, d, "bench", "bench password", db.RoleAdmin); err != nil {
		return err
	}
	def := config.Defaults()
	l, err := auth.NewService(d, def.SessionTTL, nil).Login(ctx, "bench", "bench password", "127.0.0.1", "benchapi")
	if err != nil {
		return err
	}
	// The deep cursor: keyset pages of 500 down to photo 90 000.
	cur := ""
	for i := 0; i < 180; i++ {
		p, err := d.SearchPhotos(ctx, db.PhotoQuery{Reader: db.Reader{Kind: db.Owner}, Limit: 500, Cursor: cur})
		if err != nil {
			return err
		}
		cur = p.Next
	}
	fmt.Printf("TOKEN=%s\nDEEP=%s\n", l.Token, cur)
	return nil
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	path := fs.String("db", "bench.db", "database file")
	addr := fs.String("addr", "127.0.0.1:8078", "listen address")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.Parse(args)
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := db.Open(ctx, *path)
	if err != nil {
		return err
	}
	defer d.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	def := config.Defaults()
	return web.New(web.Deps{DB: d, Log: log, Version: "bench", SessionTTL: def.SessionTTL,
		Conns: web.ConnLimits{Max: def.MaxConns, PerIP: def.MaxConnsPerIP}}).Serve(ctx, ln, nil)
}

func deep(args []string) error {
	fs := flag.NewFlagSet("deep", flag.ExitOnError)
	url := fs.String("url", "", "list URL (with its limit)")
	token := fs.String("token", "", "bearer token")
	pages := fs.Int("pages", 1800, "pages to follow")
	fs.Parse(args)
	cur := ""
	for i := 0; i < *pages; i++ {
		u := *url
		if cur != "" {
			u += "&cursor=" + cur
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+*token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var page struct {
			Next string `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return fmt.Errorf("page %d: %s %v", i, resp.Status, err)
		}
		if page.Next == "" {
			return fmt.Errorf("the list ended after %d pages", i+1)
		}
		cur = page.Next
	}
	fmt.Println(cur)
	return nil
}

// load runs c clients for d against one URL and prints one result line.
func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "", "URL to GET")
	token := fs.String("token", "", "bearer token")
	conc := fs.Int("c", 16, "concurrent clients")
	dur := fs.Duration("d", 30*time.Second, "duration")
	name := fs.String("name", "", "label for the result line")
	fs.Parse(args)
	tr := &http.Transport{MaxIdleConnsPerHost: *conc, DisableCompression: false}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   atomic.Int64
		wg     sync.WaitGroup
		bytesN atomic.Int64
	)
	deadline := time.Now().Add(*dur)
	start := time.Now()
	for i := 0; i < *conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", *url, nil)
				req.Header.Set("Authorization", "Bearer "+*token)
				req.Header.Set("Accept-Encoding", "gzip")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				bytesN.Add(n)
				if resp.StatusCode != 200 {
					errs.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	fmt.Printf("%-12s requests=%d errors=%d req/s=%.0f p50=%s p99=%s max=%s avg_bytes=%d\n", *name, len(lat), errs.Load(),
		float64(len(lat))/el.Seconds(), ms(pct(0.50)), ms(pct(0.99)), ms(pct(1)), bytesN.Load()/int64(max(1, len(lat))))
	return nil
}
