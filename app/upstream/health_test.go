package upstream

import (
	"errors"
	"testing"
	"time"
)

func TestBackoffDoublesToMaxAndResets(t *testing.T) {
	h := NewHealth(10*time.Second, time.Minute)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []time.Duration
	for i := 0; i < 5; i++ {
		b, first := h.Fail(now, errors.New("connection refused"))
		if first != (i == 0) {
			t.Fatalf("failure %d: first = %v", i, first)
		}
		got = append(got, b)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoffs %v, want %v", got, want)
		}
	}
	r := h.Report()
	if r.LastError != "connection refused" || r.NextRetry == nil || !r.NextRetry.Equal(now.Add(time.Minute)) {
		t.Fatalf("report %+v", r)
	}
	if !h.OK() || h.OK() {
		t.Fatal("OK should report recovery once")
	}
	if !h.RetryAt().IsZero() {
		t.Fatal("retry time kept after recovery")
	}
}
