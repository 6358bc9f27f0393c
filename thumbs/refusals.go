package thumbs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
	"unicode/utf8"
)

// Refusal is a file the thumbnailer would not or could not decode: too
// large for the limits, or broken (a decoder or helper failed). It is
// remembered by content hash and renderer version, across restarts, so
// asking again costs a map lookup instead of another attempt.
type Refusal struct {
	Hash   string    `json:"hash"`
	Reason string    `json:"reason"` // the sentence on the placeholder
	Kind   string    `json:"kind"`   // "too_large" or "broken"
	At     time.Time `json:"at"`
}

// refusalRecord is a Refusal as stored: with the renderer version and the
// limits it was refused under, since raising them should give a file too
// large before its chance again.
type refusalRecord struct {
	Refusal
	Version   int   `json:"v"`
	Budget    int64 `json:"budget,omitempty"`
	MaxPixels int64 `json:"max_pixels,omitempty"`
	// Detail is the error as first logged (a helper's own words), kept
	// for the log of later requests; it may name paths, so it never
	// leaves the server.
	Detail string `json:"detail,omitempty"`
}

const (
	refusalsFile = "refused.jsonl"
	// maxRefusals bounds the remembered refusals (about 200 bytes each on
	// disk); the oldest go first.
	maxRefusals = 10_000
)

// refusals is the remembered refusals: a map in memory and an
// append-only file of JSON lines in the cache folder, rewritten when it
// holds much more than the map.
type refusals struct {
	path string
	log  *slog.Logger

	mu    sync.Mutex
	byKey map[string]refusalRecord
	lines int // records in the file
}

func loadRefusals(dir string, log *slog.Logger) *refusals {
	r := &refusals{path: filepath.Join(dir, refusalsFile), log: log, byKey: map[string]refusalRecord{}}
	f, err := os.Open(r.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			log.Warn("read remembered thumbnail refusals", "err", err)
		}
		return r
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() && r.lines < 4*maxRefusals {
		r.lines++
		var rec refusalRecord
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Version != RendererVersion || !validHash(rec.Hash) {
			continue
		}
		r.byKey[rec.Hash] = rec
	}
	if r.lines > len(r.byKey)+len(r.byKey)/2+16 || len(r.byKey) > maxRefusals {
		r.mu.Lock()
		r.compact()
		r.mu.Unlock()
	}
	return r
}

// lookup returns the refusal of hash still valid under opts' limits.
func (r *refusals) lookup(hash string, opts Options) (refusalRecord, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.byKey[hash]
	if !ok {
		return refusalRecord{}, false
	}
	if rec.Kind == "too_large" && (opts.DecodeBudget > rec.Budget || opts.MaxPixels > rec.MaxPixels) {
		delete(r.byKey, hash) // the limits grew: worth another try
		return refusalRecord{}, false
	}
	return rec, true
}

// truncate cuts s to at most n bytes at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// remember records that hash was refused with err, if err is a refusal
// worth remembering: a size refusal or a broken file. Unsupported formats
// are cheap to recognise again and change when a helper is installed.
func (r *refusals) remember(hash string, err error, opts Options) (Refusal, bool) {
	kind := ""
	switch {
	case errors.Is(err, ErrTooLarge):
		kind = "too_large"
	case errors.Is(err, ErrBroken):
		kind = "broken"
	default:
		return Refusal{}, false
	}
	rec := refusalRecord{
		Refusal: Refusal{Hash: hash, Reason: Reason(err), Kind: kind, At: time.Now().UTC().Truncate(time.Second)},
		Version: RendererVersion, Budget: opts.DecodeBudget, MaxPixels: opts.MaxPixels,
		Detail: truncate(err.Error(), 1024),
	}
	line, jerr := json.Marshal(rec)
	if jerr != nil {
		return Refusal{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byKey[hash] = rec
	if len(r.byKey) > maxRefusals {
		r.dropOldest(len(r.byKey) - maxRefusals)
	}
	if r.lines >= 2*maxRefusals {
		r.compact()
		return rec.Refusal, true
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		// Still remembered until the next start.
		r.log.Warn("store thumbnail refusal", "err", err)
	} else {
		r.lines++
	}
	return rec.Refusal, true
}

// dropOldest forgets the n oldest refusals; called with mu held.
func (r *refusals) dropOldest(n int) {
	all := make([]refusalRecord, 0, len(r.byKey))
	for _, rec := range r.byKey {
		all = append(all, rec)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
	for _, rec := range all[:n] {
		delete(r.byKey, rec.Hash)
	}
}

// compact rewrites the file with the records in memory; called with mu
// held.
func (r *refusals) compact() {
	var buf bytes.Buffer
	for _, rec := range r.byKey {
		line, err := json.Marshal(rec)
		if err != nil {
			continue
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := writeFileAtomic(r.path, &buf); err != nil {
		r.log.Warn("rewrite thumbnail refusals", "err", err)
		return
	}
	r.lines = len(r.byKey)
}

// clear forgets every refusal, as clearing the cache does: the owner may
// have raised a limit or installed a helper.
func (r *refusals) clear() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.byKey)
	r.byKey = map[string]refusalRecord{}
	r.lines = 0
	if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("clear thumbnail refusals", "err", err)
	}
	return n
}

// latest returns the n most recent refusals, newest first, and how many
// there are.
func (r *refusals) latest(n int) ([]Refusal, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Refusal, 0, len(r.byKey))
	for _, rec := range r.byKey {
		out = append(out, rec.Refusal)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].Hash < out[j].Hash
	})
	return out[:min(n, len(out))], len(out)
}

// refusedError is the error a remembered refusal answers with: the same
// kind, reason and detail as the first time.
func refusedError(r refusalRecord) error {
	kind := ErrBroken
	if r.Kind == "too_large" {
		kind = ErrTooLarge
	}
	return &reasonError{kind: kind, reason: r.Reason,
		err: fmt.Errorf("refused at %s: %s", r.At.Format(time.RFC3339), r.Detail)}
}
