// Command benchthumbs is the Pinhole side of scripts/bench-thumbs.sh: it
// generates the photo-like test JPEGs and renders a batch of files in one
// process, like vipsthumbnail does, so the two can be timed alike.
//
//	benchthumbs gen -dir D -w 6000 -h 4000 -n 6 -seed 100
//	benchthumbs render -size fit_720 -out D [-j N] FILE…
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"

	"pinhole/app/testkit"
	"pinhole/thumbs"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchthumbs gen|render …")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "render":
		err = render(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchthumbs:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dir := fs.String("dir", ".bench", "output folder")
	w := fs.Int("w", 6000, "width")
	h := fs.Int("h", 4000, "height")
	n := fs.Int("n", 6, "number of files")
	seed := fs.Uint64("seed", 100, "first seed")
	fs.Parse(args)
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < *n; i++ {
		p := filepath.Join(*dir, fmt.Sprintf("photo_%dmp_%02d.jpg", *w**h/1_000_000, i))
		if _, err := os.Stat(p); err == nil {
			continue
		}
		// Quality 90 baseline 4:2:0, as cameras write.
		jpg := testkit.JPEG(testkit.Photo{W: *w, H: *h, Seed: *seed + uint64(i)})
		if err := os.WriteFile(p, jpg, 0o644); err != nil {
			return err
		}
		fmt.Println(p)
	}
	return nil
}

func render(args []string) error {
	fs := flag.NewFlagSet("render", flag.ExitOnError)
	sizeName := fs.String("size", "fit_720", "thumbnail size")
	out := fs.String("out", ".", "output folder")
	jobs := fs.Int("j", 1, "files rendered at the same time")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
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
	size, ok := thumbs.ParseSize(*sizeName)
	if !ok {
		return fmt.Errorf("unknown size %q", *sizeName)
	}
	files := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := 0; i < *jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				if _, err := thumbs.RenderFile(context.Background(), f, size, *out, thumbs.Options{}); err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("%s: %w", f, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range fs.Args() {
		files <- f
	}
	close(files)
	wg.Wait()
	return firstErr
}
