package maps

import (
	"context"
	"testing"
	"time"

	"pinhole/app/upstream"
)

// TestUpstreamBudget: a user panning wildly over hundreds of uncached
// tiles makes at most their budget of upstream requests and gets the
// offline base map beyond it; another user still gets upstream tiles from
// what is left of everyone's budget; tiles already cached cost nothing;
// the budget comes back with time.
func TestUpstreamBudget(t *testing.T) {
	u := newUpstream(t)
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	o := Options{Dir: t.TempDir(), UpstreamURL: u.URL + "/{z}/{x}/{y}.png", Now: clk.now,
		Budget: upstream.NewBudget(upstream.Rate{N: 40, Per: time.Hour}, upstream.Rate{N: 60, Per: time.Hour}, clk.now)}
	tl := New(o)
	pan := func(user string, z, from, n int) map[string]int {
		t.Helper()
		ctx := upstream.WithClient(context.Background(), user)
		src := map[string]int{}
		for i := from; i < from+n; i++ {
			b, m, err := tl.Tile(ctx, "dark", z, i%(1<<z), i/(1<<z))
			if err != nil || len(b) == 0 {
				t.Fatalf("%s tile %d: %v", user, i, err)
			}
			src[m.Source]++
		}
		return src
	}
	got := pan("user:viewer", 9, 0, 300)
	if n := u.requests.Load(); n != 40 || got["upstream"] != 40 || got["base"] != 260 {
		t.Errorf("300 new tiles for one viewer: %d upstream requests, sources %v; want 40 upstream, 260 base", n, got)
	}
	got = pan("user:ana", 9, 1000, 50)
	if n := u.requests.Load(); n != 60 || got["upstream"] != 20 {
		t.Errorf("another user: %d upstream requests in all, sources %v; want 20 more (everyone's 60)", n, got)
	}
	// The viewer's first tiles are cached: free, however empty the budget.
	got = pan("user:viewer", 9, 0, 40)
	if n := u.requests.Load(); n != 60 || got["cache"] != 40 {
		t.Errorf("cached tiles again: %d upstream requests, sources %v; want none, 40 from the cache", n, got)
	}
	if st := tl.Stats(); st.BudgetLimited != 260+30 {
		t.Errorf("budget_limited %d, want 290", st.BudgetLimited)
	}
	// Half an hour later half the budget is back.
	clk.add(30 * time.Minute)
	pan("user:viewer", 9, 2000, 100)
	if n := u.requests.Load(); n != 80 {
		t.Errorf("after 30 min: %d upstream requests in all, want 80 (20 more for the viewer)", n)
	}
}
