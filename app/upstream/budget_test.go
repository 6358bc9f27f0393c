package upstream

import (
	"context"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	b := NewBudget(Rate{N: 5, Per: time.Hour}, Rate{N: 8, Per: time.Hour}, clock)
	take := func(client string, n int) int {
		got := 0
		for i := 0; i < n; i++ {
			if b.Allow(client) {
				got++
			}
		}
		return got
	}
	if got := take("user:1", 50); got != 5 {
		t.Errorf("one client asking 50 times got %d, want its 5", got)
	}
	if got := take("user:2", 50); got != 3 {
		t.Errorf("a second client got %d, want the 3 left of everyone's 8", got)
	}
	if got := take("", 5); got != 0 {
		t.Errorf("background work got %d with everyone's bucket empty", got)
	}
	if d := b.GlobalFullIn(); d != time.Hour {
		t.Errorf("global bucket full in %v, want 1h", d)
	}
	if b.Denied() != 97 {
		t.Errorf("denied %d, want 97", b.Denied())
	}
	// Refills steadily: a quarter of an hour brings back two of the
	// global 8 and one of the client's 5.
	now = now.Add(15 * time.Minute)
	if got := take("user:1", 10); got != 1 {
		t.Errorf("after 15 min user:1 got %d, want 1", got)
	}
	if got := take("", 10); got != 1 {
		t.Errorf("after 15 min background got %d, want the 1 global left", got)
	}
	now = now.Add(2 * time.Hour)
	if got := take("user:3", 10); got != 5 {
		t.Errorf("after a quiet 2 h a new client got %d, want 5 (buckets cap at one period)", got)
	}
	var none *Budget
	if !none.Allow("x") || none.GlobalFullIn() != 0 {
		t.Error("a nil budget must allow everything")
	}
	if ClientOf(WithClient(context.Background(), "user:7")) != "user:7" || ClientOf(context.Background()) != "" {
		t.Error("client names do not round-trip through the context")
	}
}
