package app_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/testkit"
)

// oldDatabase writes a database at the schema before migration 011 (share
// links stored in clear) with an admin, an album and two share links, one
// with a password, and leaves it and DATA readable to everyone as an
// older version under a 022 umask would.
func oldDatabase(t *testing.T, data string) (links, access [2]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(data, "backups"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(data, 0o755)
	p := filepath.Join(data, "pinhole.db")
	old, err := sql.Open("sqlite3", p)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	files, _ := filepath.Glob(filepath.Join("..", "db", "migrations", "*.sql"))
	sort.Strings(files)
	last := 0
	for _, f := range files {
		n, _ := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if n >= 11 {
			break
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		last = n
	}
	if _, err := old.Exec("PRAGMA user_version = " + strconv.Itoa(last)); err != nil {
		t.Fatal(err)
	}
	h, err := auth.HashPassword("admin password")
	if err != nil {
		t.Fatal(err)
	}
	pw, err := auth.HashPassword("open sesame")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`INSERT INTO users (id, username, password, role, created_at, updated_at) VALUES (1, 'admin', ?, 'admin', ?, ?)`, h, now, now)
	mustExec(`INSERT INTO albums (id, uid, title, created_at, updated_at) VALUES (1, 'aholiday', 'Holiday', ?, ?)`, now, now)
	for i, pwHash := range []string{"", pw} {
		links[i], access[i] = auth.NewToken(), auth.NewToken()
		mustExec(`INSERT INTO shares (album_id, token, token_hash, access, access_hash, password, created_by, created_at)
			VALUES (1, ?, ?, ?, ?, ?, 1, ?)`, links[i], auth.HashToken(links[i]), access[i], auth.HashToken(access[i]), pwHash, now)
	}
	old.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	os.Chmod(p, 0o644)
	b, _ := os.ReadFile(p)
	if !bytes.Contains(b, []byte(links[0])) {
		t.Fatal("the old database does not hold the link in clear: the test proves nothing")
	}
	if err := os.WriteFile(filepath.Join(data, "backups", "pinhole-20240101-000000.db"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return links, access
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// Upgrading a library whose share links sit in clear: after `pinhole
// serve` starts, DATA is 0700 and the database, its WAL, the key and
// every backup 0600; the links keep working (their owner still sees
// them, visitors still get in, with the same access secrets); and neither
// the database files nor a backup taken now hold a link, an access secret
// or a thumbnail secret in clear.
func TestSecretsAtRestAfterUpgrade(t *testing.T) {
	data := t.TempDir()
	links, access := oldDatabase(t, data)
	orig := t.TempDir()
	os.WriteFile(filepath.Join(orig, "a.jpg"), testkit.JPEG(testkit.Photo{W: 32, H: 24, Seed: 1}), 0o644)
	s := startServerData(t, orig, data)
	base := "http://" + s.addr

	// The links work as before.
	var visit struct {
		ThumbToken string `json:"thumb_token"`
	}
	anon := &testkit.Client{T: t, Base: base}
	anon.Get("/api/v1/s/"+links[0], 200, &visit)
	if visit.ThumbToken != access[0] {
		t.Errorf("the open link's access secret changed: %q", visit.ThumbToken)
	}
	code, body := anon.Send("POST", "/api/v1/s/"+links[1]+"/unlock", `{"password":"open sesame"}`)
	var un struct{ Access string }
	json.Unmarshal(body, &un)
	if code != 200 || un.Access != access[1] {
		t.Errorf("unlocking the password link: %d %q", code, un.Access)
	}
	// Its owner still sees both links.
	login := testkit.Login(t, base, "admin", "admin password")
	var list struct {
		Shares []struct{ URL string }
	}
	login.Get("/api/v1/shares", 200, &list)
	got := map[string]bool{}
	for _, sh := range list.Shares {
		got[sh.URL] = true
	}
	if !got["/s/"+links[0]] || !got["/s/"+links[1]] {
		t.Errorf("the owner's links after the upgrade: %+v", list.Shares)
	}

	// Modes after start.
	for p, want := range map[string]os.FileMode{
		data:                                  0o700,
		filepath.Join(data, "pinhole.db"):     0o600,
		filepath.Join(data, "pinhole.db-wal"): 0o600,
		filepath.Join(data, "pinhole.db-shm"): 0o600,
		filepath.Join(data, "secret.key"):     0o600,
		filepath.Join(data, "backups"):        0o700,
		filepath.Join(data, "backups", "pinhole-20240101-000000.db"): 0o600,
	} {
		if m := mode(t, p); m != want {
			t.Errorf("%s: mode %o, want %o", p, m, want)
		}
	}
	pre, _ := filepath.Glob(filepath.Join(data, "backups", "pinhole-schema*.db"))
	if len(pre) != 1 || mode(t, pre[0]) != 0o600 {
		t.Errorf("the backup taken before the upgrade: %v", pre)
	}

	// A backup taken now, while serving.
	out := filepath.Join(data, "backups", "now.db")
	run(t, true, "backup", "--data", data, "--out", out)
	if m := mode(t, out); m != 0o600 {
		t.Errorf("new backup: mode %o, want 600", m)
	}
	secrets := map[string]string{"link": links[0], "password link": links[1], "access": access[0],
		"password access": access[1], "admin thumbnail secret": login.ThumbToken}
	for _, f := range []string{filepath.Join(data, "pinhole.db"), filepath.Join(data, "pinhole.db-wal"), out} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range secrets {
			if len(v) < 40 {
				t.Fatalf("%s %q is not a secret", name, v)
			}
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds the %s in clear", filepath.Base(f), name)
			}
		}
	}
}
