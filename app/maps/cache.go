package maps

import (
	"container/list"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// diskCache keeps tiles as files under dir, one folder level per zoom and
// column (dir/source/style/z/x/y.tile), which shards them the way tile
// servers do: no folder holds more than 2^z files. Each file starts with a
// small header holding when the tile goes stale and the upstream's ETag.
//
// The least-recently-used order lives in memory; after a restart it starts
// from the files' modification times (the last write or revalidation).
type diskCache struct {
	dir string
	cap int64

	mu    sync.Mutex
	index map[string]*list.Element // key → element holding *cacheEntry
	lru   *list.List               // front: most recently used
	bytes int64
	load  sync.Once
	now   func() time.Time
}

type cacheEntry struct {
	key  string
	size int64
}

// cached is a tile read from the cache.
type cached struct {
	body    []byte
	expires time.Time
	etag    string
}

const cacheMagic = "PHT1"

func newDiskCache(dir string, capBytes int64, now func() time.Time) *diskCache {
	return &diskCache{dir: dir, cap: capBytes, index: map[string]*list.Element{}, lru: list.New(), now: now}
}

func (c *diskCache) path(key string) string {
	return filepath.Join(c.dir, filepath.FromSlash(key)+".tile")
}

// scan builds the index from the files on disk, oldest first, once.
func (c *diskCache) scan() {
	c.load.Do(func() {
		type found struct {
			key  string
			size int64
			mod  time.Time
		}
		var all []found
		_ = filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(c.dir, p)
			rel = filepath.ToSlash(rel)
			if strings.HasSuffix(rel, ".tmp") || strings.Contains(filepath.Base(rel), ".tmp-") {
				_ = os.Remove(p) // a write cut short by a crash
				return nil
			}
			key, ok := strings.CutSuffix(rel, ".tile")
			if !ok {
				return nil
			}
			if info, err := d.Info(); err == nil {
				all = append(all, found{key, info.Size(), info.ModTime()})
			}
			return nil
		})
		sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
		c.mu.Lock()
		for _, f := range all {
			if _, ok := c.index[f.key]; !ok {
				c.index[f.key] = c.lru.PushFront(&cacheEntry{f.key, f.size})
				c.bytes += f.size
			}
		}
		c.mu.Unlock()
		c.evict()
	})
}

// get reads a tile; ok is false when it is not cached.
func (c *diskCache) get(key string) (cached, bool) {
	c.scan()
	c.mu.Lock()
	el, ok := c.index[key]
	if ok {
		c.lru.MoveToFront(el)
	}
	c.mu.Unlock()
	if !ok {
		return cached{}, false
	}
	b, err := os.ReadFile(c.path(key))
	if err == nil {
		if t, ok := decodeTile(b); ok {
			return t, true
		}
	}
	c.drop(key) // removed behind our back, or damaged: fetch again
	return cached{}, false
}

// put stores a tile atomically: a crash leaves the old tile or the new
// one, never half of one.
func (c *diskCache) put(key string, t cached) error {
	c.scan()
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("tile cache: %w", err)
	}
	data := encodeTile(t)
	f, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("tile cache: %w", err)
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), p)
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("tile cache write: %w", werr)
	}
	size := int64(len(data))
	c.mu.Lock()
	if el, ok := c.index[key]; ok {
		e := el.Value.(*cacheEntry)
		c.bytes += size - e.size
		e.size = size
		c.lru.MoveToFront(el)
	} else {
		c.index[key] = c.lru.PushFront(&cacheEntry{key, size})
		c.bytes += size
	}
	c.mu.Unlock()
	c.evict()
	return nil
}

func (c *diskCache) drop(key string) {
	c.mu.Lock()
	if el, ok := c.index[key]; ok {
		c.bytes -= el.Value.(*cacheEntry).size
		c.lru.Remove(el)
		delete(c.index, key)
	}
	c.mu.Unlock()
	_ = os.Remove(c.path(key))
}

// evict removes least recently used tiles until the cache is at 90% of its
// cap, so it is not trimmed again on every write.
func (c *diskCache) evict() {
	if c.cap <= 0 {
		return
	}
	c.mu.Lock()
	if c.bytes <= c.cap {
		c.mu.Unlock()
		return
	}
	var victims []string
	for c.bytes > c.cap*9/10 && c.lru.Len() > 0 {
		el := c.lru.Back()
		e := el.Value.(*cacheEntry)
		c.lru.Remove(el)
		delete(c.index, e.key)
		c.bytes -= e.size
		victims = append(victims, e.key)
	}
	c.mu.Unlock()
	for _, k := range victims {
		_ = os.Remove(c.path(k))
	}
}

// clear removes every cached tile and reports how many files and bytes
// went. A tile being written meanwhile may stay; it is indexed as usual.
func (c *diskCache) clear() (files int, bytes int64) {
	c.scan()
	c.mu.Lock()
	keys := make([]string, 0, len(c.index))
	for k := range c.index {
		keys = append(keys, k)
	}
	files, bytes = len(keys), c.bytes
	c.index, c.lru, c.bytes = map[string]*list.Element{}, list.New(), 0
	c.mu.Unlock()
	for _, k := range keys {
		_ = os.Remove(c.path(k))
	}
	return files, bytes
}

// usage reports the bytes and files the cache holds.
func (c *diskCache) usage() (bytes int64, files int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.lru.Len()
}

// encodeTile lays out magic, expiry (unix seconds), ETag length and ETag,
// then the image.
func encodeTile(t cached) []byte {
	etag := t.etag
	if len(etag) > 1024 {
		etag = ""
	}
	b := make([]byte, 0, len(cacheMagic)+10+len(etag)+len(t.body))
	b = append(b, cacheMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(t.expires.Unix()))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(etag)))
	b = append(b, etag...)
	return append(b, t.body...)
}

func decodeTile(b []byte) (cached, bool) {
	h := len(cacheMagic) + 10
	if len(b) < h || string(b[:len(cacheMagic)]) != cacheMagic {
		return cached{}, false
	}
	exp := int64(binary.LittleEndian.Uint64(b[len(cacheMagic):]))
	n := int(binary.LittleEndian.Uint16(b[len(cacheMagic)+8:]))
	if len(b) < h+n {
		return cached{}, false
	}
	return cached{body: b[h+n:], expires: time.Unix(exp, 0), etag: string(b[h : h+n])}, true
}
