package app

import (
	"context"
	"fmt"
	"testing"

	"pinhole/app/auth"
)

// TestViewerCannotExhaustTheTileUpstream: through the real server, a
// viewer panning wildly over hundreds of uncached tiles makes at most
// their hourly budget of requests to the tile server (fake, on 127.0.0.1,
// counting) and still gets a map (the offline base map); another user
// still gets upstream tiles from what is left of everyone's budget.
func TestViewerCannotExhaustTheTileUpstream(t *testing.T) {
	f := newFakeOnline(t)
	p := openPauseServer(t, f, t.TempDir(), t.TempDir(), "--tile-budget-user", "25", "--tile-budget", "40")
	defer p.close()
	if _, err := auth.AddUser(context.Background(), p.s.DB, "vera", "a long passphrase", "viewer"); err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token string `json:"token"`
	}
	p.call("", "POST", "/api/v1/session", `{"username":"vera","password":"a long passphrase","bearer":true}`, 200, &login)

	pan := func(tok string, from, n int) map[string]int {
		src := map[string]int{}
		for i := from; i < from+n; i++ {
			resp := p.call(tok, "GET", fmt.Sprintf("/api/v1/tiles/dark/10/%d/%d", i%1024, i/1024), "", 200, nil)
			if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
				t.Fatalf("tile %d: %q", i, ct)
			}
			src[resp.Header.Get("X-Tile-Source")]++
		}
		return src
	}
	got := pan(login.Token, 0, 300)
	if n := f.tileReq.Load(); n != 25 || got["upstream"] != 25 || got["base"] != 275 {
		t.Errorf("a viewer's 300 new tiles: %d upstream requests, sources %v; want 25 (their budget), the rest offline", n, got)
	}
	got = pan(p.user, 5000, 30)
	if n := f.tileReq.Load(); got["upstream"] != 15 || n != 40 {
		t.Errorf("another user: sources %v, %d upstream requests in all; want 15 more (everyone's 40)", got, n)
	}
	var st struct {
		Maps struct {
			BudgetLimited int64 `json:"budget_limited"`
		} `json:"maps"`
	}
	p.call(p.admin, "GET", "/api/v1/status", "", 200, &st)
	if st.Maps.BudgetLimited != 275+15 {
		t.Errorf("status maps.budget_limited %d, want 290", st.Maps.BudgetLimited)
	}
}
