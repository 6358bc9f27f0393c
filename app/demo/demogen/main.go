// Command demogen writes a demo library and says how long it took. It is the
// tool for building benchmark libraries once (say 2,000 photos of 8–24 MP)
// and for timing the first-start library:
//
//	go run ./app/demo/demogen -dir /tmp/demo
//	go run ./app/demo/demogen -dir /data/bench -count 2000 -min 8 -max 24
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"pinhole/app/demo"
)

func main() {
	def := demo.DefaultOptions()
	dir := flag.String("dir", "", "folder to write the library into (required)")
	count := flag.Int("count", def.Count, "number of photos")
	minMP := flag.Float64("min", def.MinMP, "smallest pixel count, megapixels")
	maxMP := flag.Float64("max", def.MaxMP, "largest pixel count, megapixels")
	seed := flag.Int64("seed", def.Seed, "seed; the same seed and options give the same files")
	quality := flag.Int("quality", def.Quality, "JPEG quality")
	workers := flag.Int("workers", 0, "parallel encoders (0: GOMAXPROCS)")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	opt := demo.Options{Count: *count, MinMP: *minMP, MaxMP: *maxMP, Seed: *seed, Quality: *quality, Workers: *workers}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	last := time.Now()
	err := demo.Generate(ctx, *dir, opt, func(done, total int) {
		if time.Since(last) > time.Second || done == total {
			fmt.Fprintf(os.Stderr, "\r%d/%d", done, total)
			last = time.Now()
		}
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demogen:", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)

	var files int
	var bytes int64
	filepath.WalkDir(*dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name()[0] != '.' {
			if fi, err := d.Info(); err == nil {
				files++
				bytes += fi.Size()
			}
		}
		return nil
	})
	fmt.Printf("%d photos, %.1f MB in %v (%v per photo)\n", files, float64(bytes)/1e6,
		elapsed.Round(time.Millisecond), (elapsed / time.Duration(opt.Count)).Round(time.Millisecond))
}
