package thumbs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// RendererVersion is part of every cache file name: bump it whenever the
// output of the pipeline changes, and old files are removed on the next
// start instead of being served.
const RendererVersion = 1

const (
	tempPrefix = ".tmp-"
	// touchEvery limits how often a hit rewrites a file's mtime, which
	// carries the LRU order across restarts without a write per request.
	touchEvery = 24 * time.Hour
	// retryWrites is how long a cache that failed to write (disk full,
	// read-only) is left alone before writing is tried again.
	retryWrites = time.Minute
)

// CacheStats describes the disk cache for the settings page (the status
// document's "thumbs" block).
type CacheStats struct {
	Bytes     int64 `json:"bytes"` // bytes of cached thumbnails
	Files     int64 `json:"files"`
	MaxBytes  int64 `json:"max_bytes"`
	Hits      int64 `json:"hits"`      // requests served from the cache
	Misses    int64 `json:"misses"`    // requests that needed a render (or joined one)
	Renders   int64 `json:"renders"`   // decodes actually run
	Evictions int64 `json:"evictions"` // files removed to stay under MaxBytes
	Writable  bool  `json:"writable"`  // false while the cache is full or read-only
}

type cacheEntry struct {
	size  int64
	atime time.Time
}

// diskCache keeps rendered thumbnails as files, with an in-memory index of
// sizes and last-access times for least-recently-used eviction.
type diskCache struct {
	dir   string
	max   int64
	log   *slog.Logger
	start time.Time

	mu      sync.Mutex
	entries map[string]*cacheEntry // by file name
	total   int64

	hits, misses, renders, evictions atomic.Int64

	writeMu     sync.Mutex
	failedUntil time.Time // writing is off until then
	failing     bool      // logged once per failure period

	kick chan struct{}
}

func newDiskCache(dir string, max int64, log *slog.Logger) *diskCache {
	return &diskCache{dir: dir, max: max, log: log, start: time.Now(),
		entries: map[string]*cacheEntry{}, kick: make(chan struct{}, 1)}
}

func cacheName(hash string, s Size) string {
	return fmt.Sprintf("%s_%s_v%d.jpg", hash, s.Name, RendererVersion)
}

func (c *diskCache) path(name string) string {
	return filepath.Join(c.dir, name[0:2], name[2:4], name)
}

// lookup returns the cached file for name if there is one.
func (c *diskCache) lookup(name string) (string, int64, bool) {
	p := c.path(name)
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return "", 0, false
	}
	now := time.Now()
	c.mu.Lock()
	e := c.entries[name]
	if e == nil {
		e = &cacheEntry{size: st.Size()}
		c.entries[name] = e
		c.total += e.size
	}
	e.atime = now
	c.mu.Unlock()
	if now.Sub(st.ModTime()) > touchEvery {
		_ = os.Chtimes(p, now, now)
	}
	return p, st.Size(), true
}

// store writes data under name atomically. It returns the path, or "" when
// the cache cannot be written (disk full, read-only): the caller then serves
// the bytes directly.
func (c *diskCache) store(name string, data []byte) string {
	c.writeMu.Lock()
	off := time.Now().Before(c.failedUntil)
	c.writeMu.Unlock()
	if off {
		return ""
	}
	p := c.path(name)
	err := os.MkdirAll(filepath.Dir(p), 0o755)
	if err == nil {
		err = writeFileAtomic(p, bytes.NewReader(data))
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err != nil {
		c.failedUntil = time.Now().Add(retryWrites)
		if !c.failing {
			c.failing = true
			c.log.Warn("thumbnail cache not writable; serving thumbnails without caching",
				"dir", c.dir, "disk_full", errors.Is(err, syscall.ENOSPC), "err", err)
		}
		return ""
	}
	if c.failing {
		c.failing = false
		c.log.Info("thumbnail cache writable again", "dir", c.dir)
	}
	c.add(name, int64(len(data)), time.Now())
	return p
}

func (c *diskCache) add(name string, size int64, atime time.Time) {
	c.mu.Lock()
	if old := c.entries[name]; old != nil {
		c.total -= old.size
	}
	c.entries[name] = &cacheEntry{size: size, atime: atime}
	c.total += size
	over := c.total > c.max
	c.mu.Unlock()
	if over {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// scan indexes the files already in the cache, removing temporary files
// left by a crash and files of older renderer versions.
func (c *diskCache) scan() {
	suffix := fmt.Sprintf("_v%d.jpg", RendererVersion)
	_ = filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name := d.Name()
		info, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case strings.HasPrefix(name, tempPrefix):
			// Temp files of this process are newer than its start.
			if info.ModTime().Before(c.start) {
				_ = os.Remove(p)
			}
		case strings.HasSuffix(name, ".jpg") && !strings.HasSuffix(name, suffix):
			_ = os.Remove(p) // rendered by an older version
		case strings.HasSuffix(name, suffix):
			c.mu.Lock()
			if c.entries[name] == nil {
				c.entries[name] = &cacheEntry{size: info.Size(), atime: info.ModTime()}
				c.total += info.Size()
			}
			c.mu.Unlock()
		}
		return nil
	})
}

// evict removes least recently used files until the cache is at 90% of its
// cap, so that eviction does not run again on the very next write.
func (c *diskCache) evict() {
	c.mu.Lock()
	if c.total <= c.max {
		c.mu.Unlock()
		return
	}
	type item struct {
		name string
		cacheEntry
	}
	items := make([]item, 0, len(c.entries))
	for n, e := range c.entries {
		items = append(items, item{n, *e})
	}
	target := c.max / 10 * 9
	c.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].atime.Before(items[j].atime) })
	for _, it := range items {
		c.mu.Lock()
		e := c.entries[it.name]
		done := c.total <= target
		stale := e == nil || e.atime.After(it.atime) // used since the snapshot
		if !done && !stale {
			delete(c.entries, it.name)
			c.total -= e.size
		}
		c.mu.Unlock()
		if done {
			return
		}
		if stale {
			continue
		}
		if err := os.Remove(c.path(it.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("evict thumbnail", "file", it.name, "err", err)
			continue
		}
		c.evictions.Add(1)
	}
}

// clear removes every cached thumbnail and reports how many files and
// bytes went. Renders finishing meanwhile are stored and indexed as usual.
func (c *diskCache) clear() (files int, bytes int64) {
	c.mu.Lock()
	names := make([]string, 0, len(c.entries))
	for n := range c.entries {
		names = append(names, n)
	}
	files, bytes = len(names), c.total
	c.entries, c.total = map[string]*cacheEntry{}, 0
	c.mu.Unlock()
	for _, n := range names {
		if err := os.Remove(c.path(n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("clear thumbnail", "file", n, "err", err)
		}
	}
	return files, bytes
}

func (c *diskCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return CacheStats{
		Bytes: c.total, Files: int64(len(c.entries)), MaxBytes: c.max,
		Hits: c.hits.Load(), Misses: c.misses.Load(), Renders: c.renders.Load(),
		Evictions: c.evictions.Load(), Writable: !c.failing,
	}
}

// writeFileAtomic writes r to path through a temporary file in the same
// folder that is synced and then renamed, so a reader sees either nothing
// or the whole file, even if the process dies mid-write.
func writeFileAtomic(path string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		return fmt.Errorf("write thumbnail: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync thumbnail: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close thumbnail: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod thumbnail: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename thumbnail: %w", err)
	}
	ok = true
	return nil
}
