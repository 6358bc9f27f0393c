package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"pinhole/app/config"
	"pinhole/app/places"
)

// The idle watch calls for a release only after the whole delay without
// activity, once, and again only after new activity; bytes read from a
// client connection are activity, an open connection the server only
// writes to (a browser's event stream) is not.
func TestIdleWatch(t *testing.T) {
	clock := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	w := &idleWatch{delay: 5 * time.Minute, now: func() time.Time { return clock }}
	w.touch()
	clock = clock.Add(4*time.Minute + 59*time.Second)
	if w.due() {
		t.Fatal("release due before the idle delay passed")
	}
	clock = clock.Add(time.Second)
	if !w.due() {
		t.Fatal("release not due after the idle delay")
	}
	w.released.Store(true) // what run does when it releases
	clock = clock.Add(time.Hour)
	if w.due() {
		t.Fatal("release due again with no activity since the last one")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	wl := w.listener(ln)
	defer wl.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := wl.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	defer server.Close()
	// The server writes to the client for an hour: not activity.
	clock = clock.Add(time.Hour)
	if _, err := server.Write([]byte("event: progress\n\n")); err != nil {
		t.Fatal(err)
	}
	if !w.due() {
		t.Fatal("the server writing to an idle client counted as activity")
	}
	// The client sends a request: activity; the delay starts again.
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	if w.due() {
		t.Fatal("a request did not count as activity")
	}
	clock = clock.Add(5 * time.Minute)
	if !w.due() {
		t.Fatal("release not due 5 minutes after the request")
	}
}

// A server left alone gives the places dataset back after --idle-release,
// and decodes it again when new photos need places.
func TestServerReleasesPlacesWhenIdle(t *testing.T) {
	cfg := &config.Config{}
	fs := config.FlagSet("serve", cfg)
	data := t.TempDir()
	if err := fs.Parse([]string{"--data", data, "--originals", t.TempDir(), "--idle-release", "1s",
		"--backup-interval", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := config.Resolve(fs, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DB.InsertSynthetic(ctx, 300, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.ResetPlaces(ctx, "offline"); err != nil { // the placer resolves them
		t.Fatal(err)
	}
	s, err := NewServer(a)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Thumbs.Close()
	t.Cleanup(func() { places.ReleaseAfter(0) })
	places.Release()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	defer func() { cancel(); <-done }()

	pending := func() int {
		_, n, err := a.DB.PlaceCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitUntil(t, "the placer to resolve the photos", func() bool { return pending() == 0 })
	waitUntil(t, "the places dataset to be released after a second idle", func() bool { return !places.Loaded() })
	waitUntil(t, "the idle release to run", func() bool { return s.idle.released.Load() })

	// A request wakes the server; new photos bring the dataset back.
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if s.idle.released.Load() {
		t.Fatal("a request did not wake the idle watch")
	}
	if _, err := a.DB.ResetPlaces(ctx, "offline"); err != nil {
		t.Fatal(err)
	}
	s.Places.poke()
	waitUntil(t, "the placer to resolve the photos again", func() bool { return pending() == 0 })
	if resolved, _, err := a.DB.PlaceCounts(ctx); err != nil || resolved < 100 {
		t.Fatalf("%d photos placed after the dataset was released (%v)", resolved, err)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
