package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Options says what library Generate writes.
type Options struct {
	Count        int     // number of photos
	MinMP, MaxMP float64 // pixel count range in megapixels
	Seed         int64   // same seed and options, same bytes
	Quality      int     // JPEG quality 1–100; 0 means 90
	Workers      int     // parallel encoders; 0 means GOMAXPROCS
}

// DefaultOptions is the demo library of a first start: enough photos to fill
// a grid, a map and a timeline, small enough to be written in seconds on a
// Raspberry Pi.
func DefaultOptions() Options {
	return Options{Count: 120, MinMP: 1, MaxMP: 2, Seed: 1, Quality: 90}
}

// Validate reports options Generate cannot honour.
func (o Options) Validate() error {
	switch {
	case o.Count <= 0:
		return fmt.Errorf("demo: count %d must be positive", o.Count)
	case o.MinMP <= 0 || o.MaxMP < o.MinMP || o.MaxMP > 200:
		return fmt.Errorf("demo: megapixel range %g–%g is not within 0–200", o.MinMP, o.MaxMP)
	case o.Quality < 0 || o.Quality > 100:
		return fmt.Errorf("demo: quality %d is not within 1–100", o.Quality)
	case o.Workers < 0:
		return fmt.Errorf("demo: workers %d is negative", o.Workers)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Quality == 0 {
		o.Quality = 90
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// generatorVersion changes whenever the same options would give different
// files, so an old library is not mistaken for a current one.
const generatorVersion = 1

// hash identifies the library opt describes; Workers does not change it.
func (o Options) hash() string {
	s := fmt.Sprintf("pinhole-demo v%d count=%d mp=%g-%g seed=%d quality=%d",
		generatorVersion, o.Count, o.MinMP, o.MaxMP, o.Seed, o.Quality)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MarkerName is the file Generate writes last, listing the finished set.
// Its sibling PartialName marks a set still being written, so an interrupted
// run resumes instead of starting over.
const (
	MarkerName  = ".pinhole-demo"
	PartialName = ".pinhole-demo.partial"
)

type marker struct {
	Hash    string       `json:"hash"`
	Options Options      `json:"options"`
	Files   []markerFile `json:"files,omitempty"`
}

type markerFile struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Generate writes the library opt describes into dir, creating it if
// needed. When dir already holds that library complete, it does nothing.
// Each file is written to a temporary name, given the taken time as its
// modification time and renamed into place, so a watcher never sees half a
// file and a cancelled run leaves none behind; a later call with the same
// options picks up where it stopped. Files of other libraries in dir are
// left alone. progress, if not nil, is called after each file from one
// goroutine at a time.
func Generate(ctx context.Context, dir string, opt Options, progress func(done, total int)) error {
	if err := opt.Validate(); err != nil {
		return err
	}
	opt = opt.withDefaults()
	hash := opt.hash()
	photos := Plan(opt)
	if complete(dir, hash) {
		if progress != nil {
			progress(len(photos), len(photos))
		}
		return nil
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Only files finished under the same options may be kept on resume.
	resume := false
	if b, err := os.ReadFile(filepath.Join(dir, PartialName)); err == nil && string(b) == hash {
		resume = true
	} else if err := os.WriteFile(filepath.Join(dir, PartialName), []byte(hash), 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	sizes := make([]int64, len(photos))
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opt.Workers)
	for i := range photos {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			p := &photos[i]
			full := filepath.Join(dir, filepath.FromSlash(p.Path))
			size := int64(-1)
			if resume {
				if fi, err := os.Stat(full); err == nil && fi.Mode().IsRegular() {
					size = fi.Size()
				}
			}
			if size < 0 {
				var err error
				if size, err = writePhoto(gctx, full, p, opt.Quality); err != nil {
					return err
				}
			}
			sizes[i] = size
			mu.Lock()
			defer mu.Unlock()
			done++
			if progress != nil {
				progress(done, len(photos))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	m := marker{Hash: hash, Options: opt, Files: make([]markerFile, len(photos))}
	m.Options.Workers = 0 // not part of what was written
	for i, p := range photos {
		m.Files[i] = markerFile{Path: p.Path, Size: sizes[i]}
	}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, MarkerName), b); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, PartialName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// complete reports whether dir holds the finished library with this hash:
// the marker names it and every file it lists is there at its size.
func complete(dir, hash string) bool {
	b, err := os.ReadFile(filepath.Join(dir, MarkerName))
	if err != nil {
		return false
	}
	var m marker
	if json.Unmarshal(b, &m) != nil || m.Hash != hash || len(m.Files) == 0 {
		return false
	}
	for _, f := range m.Files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || fi.Size() != f.Size {
			return false
		}
	}
	return true
}

// writePhoto renders, encodes and writes one photo, returning its size.
func writePhoto(ctx context.Context, full string, p *Photo, quality int) (int64, error) {
	img := render(p.scene())
	if o := p.Exif.Orientation; o == 6 || o == 8 {
		img = rotate(img, o)
	}
	var enc bytes.Buffer
	enc.Grow(img.Rect.Dx() * img.Rect.Dy() / 2)
	if err := jpeg.Encode(ctxWriter{ctx, &enc}, img, &jpeg.Options{Quality: quality}); err != nil {
		return 0, fmt.Errorf("encode %s: %w", p.Path, err)
	}
	segs := make([][]byte, 0, 2)
	seg, err := p.Exif.Segment()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p.Path, err)
	}
	segs = append(segs, seg)
	if p.XMP != nil {
		seg, err := p.XMP.Segment()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.Path, err)
		}
		segs = append(segs, seg)
	}
	jpg := enc.Bytes()
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return 0, fmt.Errorf("encode %s: no SOI marker", p.Path)
	}
	// The segments go right after SOI, written in pieces rather than
	// spliced into a copy: a 24 MP file is 7 MB.
	parts := append([][]byte{jpg[:2]}, segs...)
	parts = append(parts, jpg[2:])
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), "."+filepath.Base(full)+".*.tmp")
	if err != nil {
		return 0, err
	}
	var size int64
	for _, part := range parts {
		n, werr := tmp.Write(part)
		size += int64(n)
		if werr != nil {
			err = werr
			break
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The file's time is the taken time, as a camera import leaves it.
		err = os.Chtimes(tmp.Name(), p.Exif.Taken, p.Exif.Taken)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), full)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, err
	}
	return size, nil
}

// writeAtomic writes b to name through a synced temporary file, so the
// marker either is whole or is not there.
func writeAtomic(name string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// ctxWriter fails writes once ctx is done, which stops image/jpeg in the
// middle of a 24 MP encode instead of a second later.
type ctxWriter struct {
	ctx context.Context
	buf *bytes.Buffer
}

func (w ctxWriter) Write(b []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.buf.Write(b)
}

// scene lays out the picture of p upright, as it is shown.
func (p *Photo) scene() *scene {
	w, h := p.DisplaySize()
	return newScene(p.seed, p.look, p.sky, w, h)
}
