package places

import (
	"runtime"
	"testing"
	"time"
	"weak"
)

// An idle server gives the decoded dataset back: once no lookup has used it
// for the release delay it is dropped (and nothing else keeps it alive), and
// the next lookup decodes it again and answers as before. While lookups keep
// coming it stays. The clock is moved by hand; the timer, an hour away,
// never fires during the test.
func TestReleaseAfterIdle(t *testing.T) {
	clock := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	now = func() time.Time { return clock }
	t.Cleanup(func() { now = time.Now; ReleaseAfter(0) })
	Release()
	ReleaseAfter(time.Hour)

	g := load(t)
	if !Loaded() {
		t.Fatal("Loaded() = false right after Load")
	}
	clock = clock.Add(59 * time.Minute)
	releaseIfIdle()
	if !Loaded() {
		t.Fatal("released after 59 minutes unused with a delay of an hour")
	}
	if load(t) != g { // a lookup: the hour starts again
		t.Fatal("the dataset was decoded again while held")
	}
	clock = clock.Add(59 * time.Minute)
	releaseIfIdle()
	if !Loaded() {
		t.Fatal("released although a lookup used it 59 minutes ago")
	}

	clock = clock.Add(time.Minute)
	releaseIfIdle()
	if Loaded() {
		t.Fatal("still held an hour after its last lookup")
	}
	// Nothing else keeps it alive: its memory can go back to the system.
	gone := weak.Make(g)
	g = nil
	waitFor(t, "the released dataset to be collected", func() bool { runtime.GC(); return gone.Value() == nil })

	// The next lookup brings it back.
	p, ok := load(t).Lookup(53.3828, -1.4566)
	if !ok || p.City != "Sheffield" || p.CountryCode != "GB" {
		t.Fatalf("lookup after release = %+v, %v; want Sheffield, GB", p, ok)
	}
	if !Loaded() {
		t.Fatal("Loaded() = false after a lookup reloaded the dataset")
	}
}

// The release timer runs by itself: with a short delay and no lookups the
// dataset goes without anyone calling in.
func TestReleaseTimerFires(t *testing.T) {
	Release()
	ReleaseAfter(50 * time.Millisecond)
	t.Cleanup(func() { ReleaseAfter(0) })
	load(t)
	waitFor(t, "the dataset to be released 50 ms after its last lookup", func() bool { return !Loaded() })
}

// Without a release delay (the default, and `pinhole places lookup`) the
// dataset stays once loaded.
func TestNoReleaseByDefault(t *testing.T) {
	ReleaseAfter(0)
	load(t)
	time.Sleep(100 * time.Millisecond)
	if !Loaded() {
		t.Fatal("the dataset was released with no release delay set")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
