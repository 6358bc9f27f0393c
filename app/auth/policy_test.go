package auth

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pinhole/db"
)

// 200 simultaneous wrong passwords for one name from one address: the
// slots are reserved before the slow hash, so exactly PairLimit reach it
// and the rest are refused at once.
func TestConcurrentGuessesReserveBeforeHashing(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	defer d.Close()
	if _, err := AddUser(ctx, d, "ana", "long enough", db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, time.Hour, nil)
	before := PasswordChecks()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrong, limited := 0, 0
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Login(ctx, "ana", fmt.Sprintf("guess %d", i), "10.0.0.1", "test")
			var rl *RateLimitError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrUnauthorized):
				wrong++
			case errors.As(err, &rl) && rl.RetryAfter > 0:
				limited++
			default:
				t.Errorf("guess: %v", err)
			}
		}()
	}
	wg.Wait()
	if checks := PasswordChecks() - before; checks > PairLimit {
		t.Errorf("%d passwords verified, want at most %d", checks, PairLimit)
	}
	if wrong != PairLimit || limited != 200-PairLimit {
		t.Errorf("%d wrong-password answers and %d refusals, want %d and %d", wrong, limited, PairLimit, 200-PairLimit)
	}
}

// A name guessed from many addresses is slowed for every address it
// never signed in from, but not for the owner's usual one; and an
// address guessing many names is stopped by its own budget.
func TestNameSlowedButOwnerGetsIn(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	defer d.Close()
	if _, err := AddUser(ctx, d, "ana", "long enough", db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, time.Hour, nil)
	if _, err := s.Login(ctx, "ana", "long enough", "192.168.1.20", "phone"); err != nil {
		t.Fatal(err)
	}
	// NameLimit guesses from as many addresses, under every pair limit,
	// one a second.
	clock := time.Now()
	s.Limits.now = func() time.Time { return clock }
	for i := 0; i < NameLimit; i++ {
		if _, err := s.Login(ctx, "ana", "wrong password", fmt.Sprintf("203.0.113.%d", i), "bot"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
		clock = clock.Add(time.Second)
	}
	var rl *RateLimitError
	checks := PasswordChecks()
	if _, err := s.Login(ctx, "ana", "long enough", "198.51.100.1", "new laptop"); !errors.As(err, &rl) {
		t.Fatalf("a new address once the name's budget is spent: %v, want it slowed", err)
	}
	if PasswordChecks() != checks {
		t.Fatal("a slowed attempt had its password checked")
	}
	if _, err := s.Login(ctx, "ana", "long enough", "192.168.1.20", "phone"); err != nil {
		t.Fatalf("the owner's usual address: %v", err)
	}
	// The slowdown is a trickle, not a lock: as the oldest failure
	// leaves the window, one new try from anywhere is admitted, and the
	// next must wait for the next one to leave.
	clock = clock.Add(LimitWindow - NameLimit*time.Second + 500*time.Millisecond)
	if _, err := s.Login(ctx, "ana", "wrong password", "198.51.100.2", "bot"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("a try once the oldest failure expired: %v", err)
	}
	if _, err := s.Login(ctx, "ana", "long enough", "198.51.100.1", "new laptop"); !errors.As(err, &rl) || rl.RetryAfter > time.Second {
		t.Fatalf("the try right after: %v, want a refusal for under a second", err)
	}
	clock = clock.Add(time.Second)
	if _, err := s.Login(ctx, "ana", "long enough", "198.51.100.1", "new laptop"); err != nil {
		t.Fatalf("the new laptop a second later: %v", err)
	}

	// One address guessing many names.
	for i := 0; ; i++ {
		_, err := s.Login(ctx, fmt.Sprintf("name%d", i), "wrong password", "203.0.113.250", "bot")
		if errors.As(err, &rl) {
			if i != AddressLimit {
				t.Fatalf("the address was stopped after %d names, want %d", i, AddressLimit)
			}
			break
		}
		if i > 2*AddressLimit {
			t.Fatal("an address guessing many names was never stopped")
		}
	}
}

// A slot held by an attempt whose check could not finish (a database
// error) is given back without counting a failure.
func TestCancelledAttemptCountsNothing(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	for i := 0; i < 5; i++ {
		a, err := l.Reserve(Budget{Key: "k", Max: 2})
		if err != nil {
			t.Fatalf("reservation %d: %v", i+1, err)
		}
		a.Cancel()
	}
	a1, _ := l.Reserve(Budget{Key: "k", Max: 2})
	a2, _ := l.Reserve(Budget{Key: "k", Max: 2})
	if _, err := l.Reserve(Budget{Key: "k", Max: 2}); err == nil {
		t.Fatal("a third slot while two attempts are in progress")
	}
	a1.Failed()
	a2.Succeeded("k")
	// a2's success forgot a1's failure too (reset of the key).
	if a, err := l.Reserve(Budget{Key: "k", Max: 2}); err != nil {
		t.Fatalf("after a success: %v", err)
	} else {
		a.Cancel()
	}
}

// BenchmarkLinkOwner is the cost a thumbnail request pays to find whose
// secret its URL carries.
func BenchmarkLinkOwner(b *testing.B) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(b.TempDir(), "p.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	s := NewService(d, time.Hour, nil)
	var toks []string
	for i := 0; i < 10; i++ {
		u, err := d.CreateUser(ctx, fmt.Sprintf("u%d", i), "x", db.RoleUser)
		if err != nil {
			b.Fatal(err)
		}
		tok, err := s.ThumbToken(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		toks = append(toks, tok)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := s.LinkOwner(ctx, toks[i%len(toks)]); !ok || err != nil {
				b.Fatal("lookup failed", err)
			}
			i++
		}
	})
}

// A share sealed under a server key that is gone still opens for whoever
// has its link; that visit seals it again under the current key, so its
// owner sees the link again and visitors get a working access secret.
func TestSharesSurviveALostKey(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	defer d.Close()
	a, err := d.CreateAlbum(ctx, "Trip", "")
	if err != nil {
		t.Fatal(err)
	}
	before := NewService(d, time.Hour, nil)
	sh, err := before.CreateShare(ctx, a.ID, ShareOptions{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	after := NewService(d, time.Hour, EphemeralKeys()) // the key file was replaced
	list, err := after.Shares(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].Token != "" {
		t.Fatalf("list under a new key: %+v %v, want the share without its link", list, err)
	}
	opened, err := after.OpenShare(ctx, sh.Token)
	if err != nil {
		t.Fatalf("the link under a new key: %v", err)
	}
	if opened.Access == "" || opened.Access == sh.Access {
		t.Fatalf("access after resealing %q, want a new one", opened.Access)
	}
	if _, err := after.ShareByAccess(ctx, opened.Access); err != nil {
		t.Fatalf("the new access secret: %v", err)
	}
	if _, err := after.ShareByAccess(ctx, sh.Access); err == nil {
		t.Fatal("the unreadable old access secret still works")
	}
	if list, _ = after.Shares(ctx, a.ID); list[0].Token != sh.Token {
		t.Fatalf("the owner's list after the visit: %q", list[0].Token)
	}
}
