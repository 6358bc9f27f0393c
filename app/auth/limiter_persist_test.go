package auth

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/db"
)

func openTestDB(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// storedKeys counts the stored failures per key, expired ones included.
func storedKeys(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	fs, err := d.LoginFailuresSince(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range fs {
		n[f.Key]++
	}
	return n
}

// Ten wrong passwords for one name from one address, then a restart: that
// address is still refused for that name until the window has passed,
// while the owner signs in from another address at once.
func TestLoginLimitSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	d := openTestDB(t, path)
	if _, err := AddUser(ctx, d, "ana", "long enough", db.RoleUser); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, time.Hour, nil)
	names := []string{"ana", "Ana", "ANA"}
	for i := 0; i < 10; i++ {
		if _, err := s.Login(ctx, names[i%3], "wrong password", "10.0.0.1", "test"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	var rl *RateLimitError
	if _, err := s.Login(ctx, "ana", "long enough", "10.0.0.1", "test"); !errors.As(err, &rl) {
		t.Fatalf("11th attempt before the restart: %v", err)
	}
	keys := storedKeys(t, d)
	if keys["pair:ana|10.0.0.1"] != 10 || keys["user:ana"] != 10 || keys["ip:10.0.0.1"] != 10 || len(keys) != 3 {
		t.Fatalf("stored failures %v: want 10 each for the pair, the name (lower-cased) and the address", keys)
	}
	d.Close()

	d = openTestDB(t, path)
	defer d.Close()
	s = NewService(d, time.Hour, nil)
	_, err := s.Login(ctx, "Ana", "long enough", "10.0.0.1", "test")
	if !errors.As(err, &rl) {
		t.Fatalf("11th attempt after the restart: %v, want a rate-limit refusal", err)
	}
	if rl.RetryAfter <= 14*time.Minute || rl.RetryAfter > 15*time.Minute {
		t.Errorf("retry after %s, want just under 15 minutes", rl.RetryAfter)
	}
	if !strings.Contains(err.Error(), "try again in 15 minutes") {
		t.Errorf("message %q", err)
	}
	// No hard lock of the name: the owner, elsewhere, gets in.
	if _, err := s.Login(ctx, "ana", "long enough", "10.0.2.2", "test"); err != nil {
		t.Fatalf("the owner from another address after the restart: %v", err)
	}

	// Once the window has passed the first address works again.
	s.Limits.now = func() time.Time { return time.Now().Add(15*time.Minute + time.Second) }
	if _, err := s.Login(ctx, "ana", "long enough", "10.0.0.1", "test"); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
}

// A successful login forgets the failures of that name from that
// address, so a restart does not bring them back; the address's and the
// name's own counts stay. A login without failures writes nothing.
func TestLoginSuccessClearsStoredFailures(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	d := openTestDB(t, path)
	if _, err := AddUser(ctx, d, "bo", "long enough", db.RoleUser); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, time.Hour, nil)
	for i := 0; i < 9; i++ {
		s.Login(ctx, "BO", "wrong password", "10.0.0.9", "test")
	}
	if _, err := s.Login(ctx, "bo", "long enough", "10.0.0.9", "test"); err != nil {
		t.Fatal(err)
	}
	keys := storedKeys(t, d)
	if keys["pair:bo|10.0.0.9"] != 0 || keys["ip:10.0.0.9"] != 9 || keys["user:bo"] != 9 {
		t.Fatalf("stored failures after a successful login %v: want the pair gone, the address and name kept", keys)
	}
	d.Close()

	d = openTestDB(t, path)
	defer d.Close()
	s = NewService(d, time.Hour, nil)
	// Nine more failures from the same address are the pair's first nine,
	// not the tenth to eighteenth.
	for i := 0; i < 9; i++ {
		if _, err := s.Login(ctx, "bo", "wrong password", "10.0.0.9", "test"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("failure %d after the restart: %v", i+1, err)
		}
	}
	if _, err := s.Login(ctx, "bo", "long enough", "10.0.0.9", "test"); err != nil {
		t.Fatalf("login after a restart: %v", err)
	}
}

// Expired failures are deleted as new ones arrive, so a long stream of
// guesses keeps only about one window of rows.
func TestStoredFailuresArePruned(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	defer d.Close()
	clock := time.Now()
	l := newStoredLimiter(d, 10, 15*time.Minute, func() time.Time { return clock })
	const steps = 600 // five hours, a guess from a new address every 30 s
	for i := 0; i < steps; i++ {
		l.Fail(fmt.Sprintf("ip:192.0.2.%d", i), "user:carla")
		clock = clock.Add(30 * time.Second)
	}
	total := 0
	for _, n := range storedKeys(t, d) {
		total += n
	}
	// One window is 30 guesses of two keys; up to a minute more may wait
	// for the next prune.
	if total > 2*(30+2) {
		t.Fatalf("%d rows after %d guesses; want about one window (60)", total, steps)
	}
	if total < 2*30 {
		t.Fatalf("%d rows: failures inside the window were deleted", total)
	}

	// Under a flood of distinct keys the table keeps only the newest rows.
	for i := 0; i < 20; i++ {
		if err := d.RecordLoginFailures(ctx, clock, fmt.Sprintf("ip:198.51.100.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.PruneLoginFailures(ctx, clock.Add(-time.Hour), 5); err != nil {
		t.Fatal(err)
	}
	keys := storedKeys(t, d)
	if len(keys) != 5 || keys["ip:198.51.100.19"] != 1 || keys["ip:198.51.100.15"] != 1 {
		t.Fatalf("after capping at 5 rows: %v, want the 5 newest", keys)
	}
}

// Database trouble never lets guesses through: a failure that cannot be
// stored still counts, and unreadable stored failures refuse every login.
func TestLimiterDatabaseErrorsFailClosed(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	l := NewStoredLimiter(d, 3, time.Minute)
	d.Close()
	for i := 0; i < 3; i++ {
		l.Fail("user:dora")
	}
	if blocked, wait := l.Blocked("user:dora"); !blocked || wait <= 0 {
		t.Fatal("failures not counted while the database is closed")
	}

	// Started on a database it cannot read, the service refuses logins
	// without checking a password.
	checks := PasswordChecks()
	s := NewService(d, time.Hour, nil)
	if _, err := s.Login(ctx, "dora", "long enough", "10.0.0.1", "test"); err == nil || errors.Is(err, ErrUnauthorized) {
		t.Fatalf("login with an unreadable database: %v, want a refusal that is not a password check", err)
	}
	var rl *RateLimitError
	unloaded := newStoredLimiter(d, 3, time.Minute, time.Now)
	if _, err := unloaded.Reserve(Budget{Key: "user:erik", Max: 3}); !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Fatalf("reservation before the stored failures could be read: %v, want a one-minute refusal", err)
	}
	if PasswordChecks() != checks {
		t.Fatal("a password was checked while the limiter could not read its failures")
	}
}

// A huge user name is stored as a short hash, and still counts.
func TestLongKeysStoredHashed(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t, filepath.Join(t.TempDir(), "p.db"))
	defer d.Close()
	s := NewService(d, time.Hour, nil)
	name := strings.Repeat("x", 100000)
	for i := 0; i < 10; i++ {
		s.Login(ctx, name, "wrong password", "10.0.0.1", "test")
	}
	hashed := 0
	for k, n := range storedKeys(t, d) {
		if len(k) > 100 {
			t.Fatalf("stored a %d-byte key", len(k))
		}
		if strings.HasPrefix(k, "sha256:") {
			hashed++
			if n != 10 {
				t.Fatalf("hashed key %s has %d failures, want 10", k, n)
			}
		}
	}
	if hashed != 2 {
		t.Fatalf("%d hashed keys, want the name's and the (name, address) pair's", hashed)
	}
	var rl *RateLimitError
	if _, err := s.Login(ctx, name, "wrong password", "10.0.0.1", "test"); !errors.As(err, &rl) {
		t.Fatalf("11th guess with a huge name: %v", err)
	}
}
