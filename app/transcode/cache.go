package transcode

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// The cache keeps finished conversions as DIR/ab/<hash>-v<Version>-<height>p.mp4
// (sharded by the hash's first two characters), written under DIR/tmp and
// renamed into place when ffmpeg succeeds, so a file in the cache is
// always complete. Least recently used files go first when the total
// passes the cap; a file's mtime carries its last use across restarts.

// touchEvery limits how often a hit rewrites a file's mtime.
const touchEvery = time.Hour

type cacheEntry struct {
	size int64
	used time.Time
}

type cache struct {
	dir string
	max int64
	log *slog.Logger

	mu        sync.Mutex
	entries   map[string]*cacheEntry // by key
	total     int64
	evictions int64
}

// openCache creates the folders, removes leftovers (temporary files of a
// conversion cut short, files of another Version) and indexes the rest.
func openCache(dir string, max int64, log *slog.Logger) (*cache, error) {
	c := &cache{dir: dir, max: max, log: log, entries: map[string]*cacheEntry{}}
	if err := os.MkdirAll(c.tmpDir(), 0o750); err != nil {
		return nil, fmt.Errorf("video cache: %w", err)
	}
	tmps, _ := os.ReadDir(c.tmpDir())
	for _, e := range tmps {
		os.Remove(filepath.Join(c.tmpDir(), e.Name()))
	}
	suffix := fmt.Sprintf("-v%d-", Version)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && p == c.tmpDir() {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".mp4") || !strings.Contains(name, suffix) {
			os.Remove(p)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		c.entries[strings.TrimSuffix(name, ".mp4")] = &cacheEntry{size: info.Size(), used: info.ModTime()}
		c.total += info.Size()
		return nil
	})
	c.mu.Lock()
	c.evictLocked("")
	c.mu.Unlock()
	return c, nil
}

func (c *cache) tmpDir() string { return filepath.Join(c.dir, "tmp") }

func (c *cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key+".mp4")
}

// lookup returns the finished file for key and marks it used.
func (c *cache) lookup(key string) (string, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	var touch bool
	now := time.Now()
	if ok {
		touch = now.Sub(e.used) > touchEvery
		e.used = now
	}
	c.mu.Unlock()
	if !ok {
		return "", false
	}
	p := c.path(key)
	if touch {
		if err := os.Chtimes(p, now, now); err != nil && os.IsNotExist(err) {
			// Removed behind our back (the owner cleaned the folder).
			c.forget(key)
			return "", false
		}
	}
	return p, true
}

func (c *cache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.total -= e.size
		delete(c.entries, key)
	}
}

// temp creates the file a conversion writes into.
func (c *cache) temp() (*os.File, error) {
	f, err := os.CreateTemp(c.tmpDir(), "job-*.part")
	if err != nil {
		return nil, fmt.Errorf("video cache: %w", err)
	}
	return f, nil
}

// commit moves a finished conversion into place and evicts what the cap
// no longer allows, never the file just added.
func (c *cache) commit(tmp, key string) (string, error) {
	st, err := os.Stat(tmp)
	if err != nil {
		return "", fmt.Errorf("video cache: %w", err)
	}
	dst := c.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", fmt.Errorf("video cache: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("video cache: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.total -= old.size
	}
	c.entries[key] = &cacheEntry{size: st.Size(), used: time.Now()}
	c.total += st.Size()
	c.evictLocked(key)
	return dst, nil
}

// evictLocked removes least recently used files until the total fits the
// cap. A file being streamed stays readable: its reader holds it open.
func (c *cache) evictLocked(keep string) {
	if c.total <= c.max {
		return
	}
	keys := make([]string, 0, len(c.entries))
	for k := range c.entries {
		if k != keep {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return c.entries[keys[i]].used.Before(c.entries[keys[j]].used) })
	for _, k := range keys {
		if c.total <= c.max {
			break
		}
		if err := os.Remove(c.path(k)); err != nil && !os.IsNotExist(err) {
			c.log.Warn("evict converted video", "key", k, "err", err)
			continue
		}
		c.total -= c.entries[k].size
		delete(c.entries, k)
		c.evictions++
	}
}

// CacheStats describes the converted-video cache.
type CacheStats struct {
	Bytes, MaxBytes  int64
	Files, Evictions int64
}

func (c *cache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Bytes: c.total, MaxBytes: c.max, Files: int64(len(c.entries)), Evictions: c.evictions}
}
