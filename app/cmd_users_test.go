package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/db"
)

func TestUsersCommandReadsPasswordFromPipe(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out bytes.Buffer
	if err := UsersCommand(ctx, d, []string{"add", "ana"}, "admin", strings.NewReader("a long password\n"), &out, &out); err != nil {
		t.Fatal(err)
	}
	if err := UsersCommand(ctx, d, []string{"add", "bo"}, "viewer", strings.NewReader("short\n"), &out, &out); err == nil {
		t.Fatal("a short password was accepted")
	}
	out.Reset()
	if err := UsersCommand(ctx, d, []string{"ls"}, "", nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ana") || !strings.Contains(out.String(), "admin") || strings.Contains(out.String(), "bo") {
		t.Fatalf("ls:\n%s", out.String())
	}
	if err := UsersCommand(ctx, d, []string{"passwd", "ana"}, "", strings.NewReader("another long one"), &out, &out); err != nil {
		t.Fatal(err)
	}
	if err := UsersCommand(ctx, d, []string{"rm", "ana"}, "", nil, &out, &out); err == nil {
		t.Fatal("removed the last admin")
	}
}

// The way back in for an admin who lost their phone and recovery codes:
// totp-off turns their two-factor sign-in off from the command line.
func TestUsersTOTPOff(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out bytes.Buffer
	if err := UsersCommand(ctx, d, []string{"add", "ana"}, "admin", strings.NewReader("a long password\n"), &out, &out); err != nil {
		t.Fatal(err)
	}
	u, _ := d.UserByName(ctx, "ana")
	if err := d.SetTOTPPending(ctx, u.ID, "sealed"); err != nil {
		t.Fatal(err)
	}
	if err := d.ActivateTOTP(ctx, u.ID, "sealed", "sealed", 1, []string{"h"}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	UsersCommand(ctx, d, []string{"ls"}, "", nil, &out, &out)
	if !strings.Contains(out.String(), "password+totp") {
		t.Errorf("ls:\n%s", out.String())
	}
	if err := UsersCommand(ctx, d, []string{"totp-off", "ana"}, "", nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.TOTPOf(ctx, u.ID); st.Secret != "" || st.RecoveryLeft != 0 {
		t.Errorf("after totp-off: %+v", st)
	}
	if err := UsersCommand(ctx, d, []string{"totp-off", "nobody"}, "", nil, &out, &out); err == nil {
		t.Error("totp-off of an unknown user")
	}
}
