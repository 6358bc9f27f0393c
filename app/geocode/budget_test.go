package geocode

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pinhole/app/upstream"
)

// TestBudget: beyond the budget the offline geocoder answers at once and
// the service hears nothing; a client named in the context is held to its
// own share; once everyone's budget is full again the places answered
// offline are asked about (OnRecover), scheduled once however many were
// refused.
func TestBudget(t *testing.T) {
	f := newNominatim(t)
	d := openDB(t, filepath.Join(t.TempDir(), "pinhole.db"))
	defer d.Close()
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	recovered := 0
	g := New(Options{URL: f.URL, Cache: d, Offline: offline, Interval: time.Millisecond, Now: clock,
		Budget:    upstream.NewBudget(upstream.Rate{N: 3, Per: time.Hour}, upstream.Rate{N: 5, Per: time.Hour}, clock),
		OnRecover: func() { recovered++ }})
	var scheduled []time.Duration
	var later []func()
	g.afterFunc = func(d time.Duration, f func()) { scheduled = append(scheduled, d); later = append(later, f) }

	resolve := func(ctx context.Context, from, n int) map[string]int {
		src := map[string]int{}
		for i := from; i < from+n; i++ {
			pl, ok := g.Resolve(ctx, 38.70+float64(i)*0.01, -9.14)
			if !ok {
				t.Fatalf("position %d: no place at all", i)
			}
			src[pl.Source]++
		}
		return src
	}
	got := resolve(context.Background(), 0, 20) // the background placer: no client
	if n := f.requests.Load(); n != 5 || got[SourceOnline] != 5 || got["offline"] != 15 {
		t.Errorf("20 new cells: %d requests, sources %v; want 5 online (the budget), 15 offline", n, got)
	}
	if len(scheduled) != 1 || scheduled[0] != time.Hour {
		t.Errorf("re-resolve scheduled %v, want once, in 1h (when the budget is full again)", scheduled)
	}
	// Cached cells are free even now.
	if got := resolve(context.Background(), 0, 5); got[SourceOnline] != 5 || f.requests.Load() != 5 {
		t.Errorf("cached cells: sources %v, %d requests", got, f.requests.Load())
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	later[0]()
	if recovered != 1 {
		t.Errorf("OnRecover ran %d times after the refill, want 1", recovered)
	}
	user := upstream.WithClient(context.Background(), "user:3")
	if got := resolve(user, 100, 10); got[SourceOnline] != 3 || f.requests.Load() != 8 {
		t.Errorf("a user's 10 lookups: sources %v, %d requests in all; want their 3", got, f.requests.Load())
	}
	if st := g.Stats(); st.BudgetLimited != 15+7 || st.Fallbacks != 0 {
		t.Errorf("stats: budget_limited %d, offline_fallbacks %d; want 22 and 0", st.BudgetLimited, st.Fallbacks)
	}
}
