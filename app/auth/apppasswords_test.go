package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/db"
)

// App passwords: shown once, stored only as a keyed hash, typed any way a
// person types them, useless with another server key, gone with a new
// account password or the viewer role.
func TestAppPasswords(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "p.db")
	d, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := auth.AddUser(ctx, d, "ana", "long enough", "user")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := auth.NewKeys(auth.GenerateKey())
	s := auth.NewService(d, time.Hour, keys)

	if _, _, err := s.CreateAppPassword(ctx, u.ID, db.RoleViewer, "phone"); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("a viewer's app password: %v", err)
	}
	if _, _, err := s.CreateAppPassword(ctx, u.ID, db.RoleUser, " \t"); !errors.Is(err, db.ErrInvalid) {
		t.Fatalf("a blank name: %v", err)
	}
	p, secret, err := s.CreateAppPassword(ctx, u.ID, db.RoleUser, "  Ana's iPhone ")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Ana's iPhone" {
		t.Errorf("name %q, want it trimmed", p.Name)
	}
	// 28 characters, 5 bits each (140 bits), in groups of four, without
	// the look-alikes l, o, 0 and 1.
	if !regexp.MustCompile(`^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){6}$`).MatchString(secret) {
		t.Fatalf("app password %q", secret)
	}
	_, other, _ := s.CreateAppPassword(ctx, u.ID, db.RoleUser, "tablet")
	if other == secret {
		t.Fatal("two app passwords alike")
	}
	d.Close()
	raw, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	norm := strings.ReplaceAll(secret, "-", "")
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), norm) {
		t.Fatal("the database holds the app password in clear")
	}
	if d, err = db.Open(ctx, dbPath); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s = auth.NewService(d, time.Hour, keys)

	for _, typed := range []string{secret, norm, strings.ToUpper(secret), strings.ReplaceAll(secret, "-", " ")} {
		got, ap, err := s.CheckAppPassword(ctx, "ANA", typed, "10.0.0.2")
		if err != nil || got.ID != u.ID || ap.ID != p.ID {
			t.Fatalf("app password typed as %q: %v", typed, err)
		}
	}
	if _, _, err := s.CheckAppPassword(ctx, "ana", "long enough", "10.0.0.2"); !errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("the account password: %v", err)
	}
	// Another server key (DATA/secret.key replaced) opens nothing.
	otherKeys, _ := auth.NewKeys(auth.GenerateKey())
	if _, _, err := auth.NewService(d, time.Hour, otherKeys).CheckAppPassword(ctx, "ana", secret, "10.0.0.3"); !errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("with another server key: %v", err)
	}
	// The last use and the address are noted, and the address becomes
	// one the user signs in from.
	list, err := d.AppPasswords(ctx, u.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %v %v", list, err)
	}
	if list[1].LastUsedAt == nil || list[1].LastUsedIP != "10.0.0.2" {
		t.Errorf("last use %+v", list[1])
	}
	if known, _ := d.KnownLoginClient(ctx, u.ID, "10.0.0.2", time.Now().Add(-time.Hour)); !known {
		t.Error("a WebDAV sign-in did not make its address known")
	}

	// A new account password revokes every app password.
	if err := auth.Passwd(ctx, d, "ana", "another one!"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckAppPassword(ctx, "ana", secret, "10.0.0.2"); !errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("after a password change: %v", err)
	}
	// So does becoming a viewer; an unchanged role keeps them.
	_, secret, _ = s.CreateAppPassword(ctx, u.ID, db.RoleUser, "phone")
	if err := s.SetRole(ctx, u.ID, db.RoleUser); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckAppPassword(ctx, "ana", secret, "10.0.0.2"); err != nil {
		t.Fatalf("after the same role again: %v", err)
	}
	if err := s.SetRole(ctx, u.ID, db.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckAppPassword(ctx, "ana", secret, "10.0.0.2"); !errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("after becoming a viewer: %v", err)
	}
	if list, _ := d.AppPasswords(ctx, u.ID); len(list) != 0 {
		t.Fatalf("a viewer keeps %d app passwords", len(list))
	}
}

// An account holds at most MaxAppPasswords.
func TestAppPasswordsCapped(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, _ := auth.AddUser(ctx, d, "ana", "long enough", "user")
	s := auth.NewService(d, time.Hour, nil)
	for i := 0; i < auth.MaxAppPasswords; i++ {
		if _, _, err := s.CreateAppPassword(ctx, u.ID, db.RoleUser, "phone"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.CreateAppPassword(ctx, u.ID, db.RoleUser, "one more"); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("app password %d: %v", auth.MaxAppPasswords+1, err)
	}
}
