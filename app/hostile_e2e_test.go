package app_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/app/testkit"
	"pinhole/db"
)

// thumbRenders reads the server's count of thumbnail decodes from /metrics
// (open to requests from localhost).
func thumbRenders(t *testing.T, base string) int64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "pinhole_thumb_renders_total "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	t.Fatalf("no pinhole_thumb_renders_total in /metrics: %s", resp.Status)
	return 0
}

// treeRSS returns the resident memory of pid and all its descendants, in
// bytes, from /proc (children of every thread, recursively).
func treeRSS(pid int) int64 {
	var total int64
	seen := map[int]bool{}
	var walk func(pid int)
	walk = func(pid int) {
		if seen[pid] {
			return
		}
		seen[pid] = true
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					total += kb << 10
				}
			}
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, t := range tasks {
			b, _ := os.ReadFile(t)
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					walk(c)
				}
			}
		}
	}
	walk(pid)
	return total
}

// rssSampler samples a process tree's RSS every 20 ms until stopped and
// keeps the peak.
type rssSampler struct {
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if r := treeRSS(pid); r > s.peak.Load() {
				s.peak.Store(r)
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) Stop() int64 {
	close(s.stop)
	<-s.done
	return s.peak.Load()
}

// thumbAnswer is one thumbnail request's outcome.
type thumbAnswer struct {
	code    int
	jpeg    bool   // the body decodes as a JPEG
	reason  string // X-Pinhole-Error
	elapsed time.Duration
}

// thumbClient keeps its connections between rounds, so a round's
// latencies are the server's answers rather than new TCP connections on a
// busy machine (http.DefaultClient keeps two per host).
var thumbClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func getThumb(base, hash, token, size string) thumbAnswer {
	start := time.Now()
	resp, err := thumbClient.Get(fmt.Sprintf("%s/api/v1/t/%s/%s/%s", base, hash, token, size))
	if err != nil {
		return thumbAnswer{code: -1, reason: err.Error(), elapsed: time.Since(start)}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := thumbAnswer{code: resp.StatusCode, reason: resp.Header.Get("X-Pinhole-Error"), elapsed: time.Since(start)}
	_, err = jpeg.Decode(bytes.NewReader(b))
	a.jpeg = err == nil
	return a
}

// The hostile set through the real server: a logged-in viewer and a share
// visitor ask, all at once and then again, for several sizes of every
// hostile file while a normal photo is asked for too. The server's whole
// process tree (helpers included) stays within 300 MB, each hostile file
// is refused with its reason (the animated GIF and WebP render their
// first frame), the second round answers from memory within a second,
// the normal photo renders, and the refusals are listed in the status
// document, also after a restart. PINHOLE_HOSTILE_ROUNDS repeats the
// rounds (scripts/bench-hostile.sh).
func TestHostileFilesThroughTheServer(t *testing.T) {
	// bogus.heic is refused only once heif-convert has failed on it.
	if _, err := exec.LookPath("heif-convert"); err != nil {
		t.Fatal("heif-convert not on PATH: apt-get install libheif-examples")
	}
	orig := t.TempDir()
	set, err := testkit.Hostile(orig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(orig, "normal.jpg"), testkit.JPEG(testkit.Photo{W: 2400, H: 1600, Seed: 3}), 0o644); err != nil {
		t.Fatal(err)
	}
	set = append(set, testkit.HostileFile{Name: "normal.jpg", What: "a normal 2400×1600 photo"})
	hashes := map[string]string{}
	for _, f := range set {
		b, err := os.ReadFile(filepath.Join(orig, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		h := sha1.Sum(b)
		hashes[f.Name] = hex.EncodeToString(h[:])
	}
	data := t.TempDir()
	for _, u := range [][2]string{{"admin", "admin"}, {"vera", "viewer"}} {
		cmd := exec.Command(binary, "users", "add", u[0], "--role", u[1], "--data", data)
		cmd.Stdin = strings.NewReader("correct horse battery\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("users add %s: %v %s", u[0], err, out)
		}
	}
	// All 80 concurrent requests come from 127.0.0.1: let them in (a
	// browser holds at most six connections; the per-client cap is for
	// abusive clients, tested in web).
	s := startServerData(t, orig, data, "--backup-interval", "0", "--log-level", "info", "--max-conns-per-ip", "256")
	admin := login(t, s, "admin", "correct horse battery")
	viewer := login(t, s, "vera", "correct horse battery")
	var list photoList
	waitFor(t, "hostile files indexed", 30*time.Second, func() bool {
		_, b := admin.Send("GET", "/api/v1/photos?limit=100", nil)
		json.Unmarshal(b, &list)
		return len(list.Photos) == len(set)
	})
	// Everything goes into a shared album.
	var ids []int64
	for _, p := range list.Photos {
		ids = append(ids, p.ID)
	}
	var album struct {
		ID int64 `json:"id"`
	}
	code, b := admin.Send("POST", "/api/v1/albums", map[string]any{"title": "Hostile"})
	if code != 201 || json.Unmarshal(b, &album) != nil {
		t.Fatalf("create album: %d %s", code, b)
	}
	if code, b := admin.Send("POST", fmt.Sprintf("/api/v1/albums/%d/photos", album.ID), map[string]any{"photo_ids": ids}); code != 200 {
		t.Fatalf("add photos: %d %s", code, b)
	}
	var share struct {
		Token string `json:"token"`
	}
	code, b = admin.Send("POST", fmt.Sprintf("/api/v1/albums/%d/shares", album.ID), map[string]any{})
	if code != 201 || json.Unmarshal(b, &share) != nil {
		t.Fatalf("create share: %d %s", code, b)
	}
	var visitor struct {
		ThumbToken string `json:"thumb_token"`
	}
	(&testkit.Client{T: t, Base: admin.Base}).Get("/api/v1/s/"+share.Token, 200, &visitor)
	if visitor.ThumbToken == "" {
		t.Fatal("share visitor: no thumb_token")
	}

	sizes := []string{"tile_224", "tile_500", "fit_720", "fit_1920"}
	tokens := map[string]string{"viewer": viewer.ThumbToken, "visitor": visitor.ThumbToken}
	// round asks for every size of every file as both callers at once and
	// returns each file's answers.
	round := func() map[string][]thumbAnswer {
		var mu sync.Mutex
		var wg sync.WaitGroup
		out := map[string][]thumbAnswer{}
		for _, f := range set {
			for _, tok := range tokens {
				for _, sz := range sizes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						a := getThumb(admin.Base, hashes[f.Name], tok, sz)
						mu.Lock()
						out[f.Name] = append(out[f.Name], a)
						mu.Unlock()
					}()
				}
			}
		}
		wg.Wait()
		return out
	}
	slowest := func(as []thumbAnswer) time.Duration {
		var m time.Duration
		for _, a := range as {
			m = max(m, a.elapsed)
		}
		return m
	}
	rounds := 2
	if n, err := strconv.Atoi(os.Getenv("PINHOLE_HOSTILE_ROUNDS")); err == nil && n >= 2 {
		rounds = n
	}
	sampler := sampleRSS(s.cmd.Process.Pid)
	start := time.Now()
	results := make([]map[string][]thumbAnswer, rounds)
	results[0] = round()
	// From the second round on, nothing is decoded and no helper runs:
	// every answer is a cached thumbnail or a remembered refusal.
	renders := thumbRenders(t, admin.Base)
	for i := 1; i < rounds; i++ {
		results[i] = round()
	}
	if n := thumbRenders(t, admin.Base) - renders; n != 0 {
		t.Errorf("%d decodes after the first round, want none", n)
	}
	total := time.Since(start)
	peak := sampler.Stop()

	t.Logf("hostile: peak RSS of the server's process tree %.0f MB over %d rounds of %d requests (%v)",
		float64(peak)/(1<<20), rounds, len(set)*len(tokens)*len(sizes), total.Round(time.Millisecond))
	var cached time.Duration // the slowest cached thumbnail of the second round
	for _, f := range set {
		if !f.Refused {
			cached = max(cached, slowest(results[1][f.Name]))
		}
	}
	// One request at a time, after the rounds: what a repeat costs
	// without the rounds' own crowd (the median of three).
	alone := map[string]time.Duration{}
	for _, f := range set {
		var ds []time.Duration
		for range 3 {
			a := getThumb(admin.Base, hashes[f.Name], visitor.ThumbToken, "fit_720")
			ds = append(ds, a.elapsed)
		}
		slices.Sort(ds)
		alone[f.Name] = ds[1]
	}
	for _, f := range set {
		first, repeat := results[0][f.Name], results[1][f.Name]
		var later time.Duration
		for _, r := range results[1:] {
			later = max(later, slowest(r[f.Name]))
		}
		t.Logf("hostile: %-13s first %6.0f ms, repeat %6.1f ms (alone %5.1f ms), %d %q", f.Name,
			float64(slowest(first).Microseconds())/1000, float64(later.Microseconds())/1000,
			float64(alone[f.Name].Microseconds())/1000, first[0].code, first[0].reason)
		if f.Refused && alone[f.Name] > time.Second {
			t.Errorf("%s asked again on its own took %v, want the remembered refusal within 1 s", f.Name, alone[f.Name])
		}
		for i, as := range [][]thumbAnswer{first, repeat} {
			for _, a := range as {
				switch {
				case f.Refused && (a.code != http.StatusUnprocessableEntity || a.reason == "" || !a.jpeg):
					t.Errorf("%s (%s), round %d: %d %q, want 422 with a placeholder and its reason", f.Name, f.What, i+1, a.code, a.reason)
				case !f.Refused && (a.code != 200 || !a.jpeg):
					t.Errorf("%s (%s), round %d: %d %q, want a thumbnail", f.Name, f.What, i+1, a.code, a.reason)
				}
			}
		}
		// Within a second; on a machine so busy that cached thumbnails
		// of the same round take longer, no slower than twice those.
		if d := slowest(repeat); f.Refused && d > max(time.Second, 2*cached) {
			t.Errorf("%s asked again took %v, want the remembered refusal within 1 s (cached thumbnails took up to %v)", f.Name, d, cached)
		}
	}
	if peak > 300<<20 {
		t.Errorf("the server's process tree peaked at %.0f MB, want ≤ 300 MB", float64(peak)/(1<<20))
	}
	if code, _ := admin.Send("GET", "/healthz", nil); code != 200 {
		t.Fatalf("healthz after the hostile set: %d", code)
	}

	// The status document lists every refused file with its reason, and
	// still does after a restart, when asking again is answered at once.
	checkStatus := func(when string) {
		t.Helper()
		var st struct {
			Thumbnails struct {
				Refused []struct {
					Hash, Reason, Kind string
				} `json:"refused"`
				Count int `json:"refused_count"`
			} `json:"thumbnails"`
		}
		_, b := admin.Send("GET", "/api/v1/status", nil)
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("status %s: %v", when, err)
		}
		listed := map[string]string{}
		for _, r := range st.Thumbnails.Refused {
			listed[r.Hash] = r.Reason
		}
		for _, f := range set {
			if _, ok := listed[hashes[f.Name]]; ok != f.Refused {
				t.Errorf("status %s: %s listed as refused: %v, want %v (%+v)", when, f.Name, ok, f.Refused, st.Thumbnails)
			}
		}
		if st.Thumbnails.Count != len(listed) {
			t.Errorf("status %s: refused_count %d for %d listed", when, st.Thumbnails.Count, len(listed))
		}
	}
	checkStatus("after the rounds")
	checkProblems(t, admin, set, hashes)
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	s2 := startServerData(t, orig, data, "--backup-interval", "0")
	admin = login(t, s2, "admin", "correct horse battery")
	checkStatus("after a restart")
	for _, f := range set {
		if !f.Refused {
			continue
		}
		a := getThumb(admin.Base, hashes[f.Name], visitor.ThumbToken, "fit_1280")
		if a.code != http.StatusUnprocessableEntity || a.elapsed > time.Second {
			t.Errorf("%s after a restart: %d in %v, want the remembered 422 within 1 s", f.Name, a.code, a.elapsed)
		}
	}
}

// checkProblems: every refused file is in the Problems list with a reason
// and a fix, its photo in the library list carries the problem (the grid
// draws a tile), and the grid's ?ph=0 form of its thumbnail URL answers the
// reason as JSON instead of a placeholder picture.
func checkProblems(t *testing.T, admin *api, set []testkit.HostileFile, hashes map[string]string) {
	t.Helper()
	var probs struct {
		Problems []struct {
			Hash, Kind, Reason, Detail, Fix string
		} `json:"problems"`
	}
	_, b := admin.Send("GET", "/api/v1/problems", nil)
	if err := json.Unmarshal(b, &probs); err != nil {
		t.Fatalf("problems: %v", err)
	}
	listed := map[string]string{}
	for _, p := range probs.Problems {
		if p.Reason == "" || p.Detail == "" || p.Fix == "" {
			t.Errorf("problem %+v lacks words", p)
		}
		listed[p.Hash] = p.Kind
	}
	var page struct {
		Photos []struct {
			Hash    string `json:"hash"`
			Problem *struct {
				Kind    string `json:"kind"`
				Preview bool   `json:"preview"`
			} `json:"problem"`
		} `json:"photos"`
		Token string `json:"thumb_token"`
	}
	_, b = admin.Send("GET", "/api/v1/photos?limit=500", nil)
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("photos: %v", err)
	}
	tile := map[string]bool{}
	for _, p := range page.Photos {
		tile[p.Hash] = p.Problem != nil && !p.Problem.Preview
	}
	for _, f := range set {
		h := hashes[f.Name]
		if kind, ok := listed[h]; ok != f.Refused || (ok && kind != db.ProblemTooLarge && kind != db.ProblemNoPreview && kind != db.ProblemDamaged) {
			t.Errorf("%s in the problems list: %v (%q), want %v", f.Name, ok, kind, f.Refused)
		}
		if tile[h] != f.Refused {
			t.Errorf("%s: the library list marks it as a tile: %v, want %v", f.Name, tile[h], f.Refused)
		}
		if !f.Refused {
			continue
		}
		resp, err := http.Get(admin.Base + "/api/v1/t/" + h + "/" + page.Token + "/fit_384?ph=0")
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Error string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || err != nil || body.Error == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s with ?ph=0: %d %q (%v), want 422 with the reason as JSON", f.Name, resp.StatusCode, body.Error, err)
		}
	}
}
