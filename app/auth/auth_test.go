package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/db"
)

func TestPasswordHash(t *testing.T) {
	start := time.Now()
	h, err := auth.HashPassword("correct horse battery")
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("argon2id hash took %s", took)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, _ := auth.CheckPassword(h, "correct horse battery"); !ok {
		t.Error("right password refused")
	}
	if ok, _ := auth.CheckPassword(h, "correct horse batterz"); ok {
		t.Error("wrong password accepted")
	}
	// A tampered hash asking for 4 GiB is refused, not computed.
	bomb := strings.Replace(h, "m=19456", "m=4194304", 1)
	if _, err := auth.CheckPassword(bomb, "x"); !errors.Is(err, auth.ErrBadHash) {
		t.Errorf("tampered hash: %v", err)
	}
}

func TestLimiterWindow(t *testing.T) {
	l := auth.NewLimiter(3, 50*time.Millisecond)
	for i := 0; i < 3; i++ {
		l.Fail("ip:1")
	}
	if blocked, wait := l.Blocked("ip:2", "ip:1"); !blocked || wait <= 0 {
		t.Fatal("three failures did not block")
	}
	time.Sleep(60 * time.Millisecond)
	if blocked, _ := l.Blocked("ip:1"); blocked {
		t.Fatal("still blocked after the window")
	}
}

func TestUsersCLIFunctions(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := auth.AddUser(ctx, d, "ana", "long enough", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.AddUser(ctx, d, "Ana", "long enough", "user"); !errors.Is(err, db.ErrConflict) {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := auth.AddUser(ctx, d, "bo b", "long enough", "user"); !errors.Is(err, db.ErrInvalid) {
		t.Errorf("name with a space: %v", err)
	}
	s := auth.NewService(d, time.Hour, nil)
	l, err := s.Login(ctx, "ANA", "long enough", "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.Passwd(ctx, d, "ana", "another one!"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, l.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("session survived a password change: %v", err)
	}
	if err := auth.Remove(ctx, d, "ana"); !errors.Is(err, db.ErrConflict) {
		t.Errorf("removing the last admin: %v", err)
	}
	us, err := auth.List(ctx, d)
	if err != nil || len(us) != 1 {
		t.Fatalf("list %v %v", us, err)
	}
}
