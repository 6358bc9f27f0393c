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
