package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"pinhole/app/testkit"
	"pinhole/db"
)

// run runs the pinhole binary and returns its combined output.
func run(t *testing.T, wantOK bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if wantOK && err != nil {
		t.Fatalf("pinhole %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !wantOK && err == nil {
		t.Fatalf("pinhole %s succeeded, want failure\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

func TestHelpDocumentsCommandsAndOptions(t *testing.T) {
	out := run(t, true, "--help")
	cmds := []string{"serve", "index", "inspect", "places", "backup", "restore", "doctor", "service", "config", "version"}
	for _, c := range cmds {
		if !strings.Contains(out, "  "+c+" ") {
			t.Errorf("--help does not list %s", c)
		}
	}
	for _, c := range cmds {
		sub := run(t, true, c, "--help")
		for _, opt := range []string{"-originals", "-data", "-listen", "-log-level", "-read-only"} {
			if !strings.Contains(sub, opt) {
				t.Errorf("pinhole %s --help lacks %s", c, opt)
			}
		}
	}
	if out := run(t, false, "frobnicate"); !strings.Contains(out, "unknown command") {
		t.Errorf("unknown command: %s", out)
	}
	if out := run(t, true, "version"); !strings.HasPrefix(out, "pinhole ") {
		t.Errorf("version: %q", out)
	}
}

func TestIndexDemoLibraryWithPlaces(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib")
	data := t.TempDir()
	run(t, true, "demo", "--out", lib, "--count", "24", "--megapixels", "0.3-0.5")
	out := run(t, true, "index", "--originals", lib, "--data", data)
	if !strings.Contains(out, "indexed 24") || !strings.Contains(out, "photos 24") {
		t.Fatalf("index summary: %s", out)
	}
	// A second run reads nothing.
	if out := run(t, true, "index", "--originals", lib, "--data", data); !strings.Contains(out, "indexed 0, skipped 24") {
		t.Fatalf("second index: %s", out)
	}
	d, err := db.Open(context.Background(), filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	resolved, pending, err := d.PlaceCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Counts(context.Background())
	if c.Geotagged == 0 || resolved != c.Geotagged || pending != 0 {
		t.Fatalf("geotagged %d, places resolved %d, pending %d", c.Geotagged, resolved, pending)
	}
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	lib := filepath.Join(t.TempDir(), "lib")
	data := t.TempDir()
	run(t, true, "demo", "--out", lib, "--count", "6", "--megapixels", "0.2-0.3")
	run(t, true, "index", "--originals", lib, "--data", data)
	d, _ := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	d.SetFlag(ctx, 1, "favorite", true)
	d.Close()
	backup := filepath.Join(t.TempDir(), "b.db")
	run(t, true, "backup", "--data", data, "--out", backup)

	d, _ = db.Open(ctx, filepath.Join(data, "pinhole.db"))
	d.SetFlag(ctx, 1, "favorite", false)
	d.Close()
	out := run(t, true, "restore", "--data", data, backup)
	if !strings.Contains(out, "restored") || !strings.Contains(out, "6 photos") {
		t.Fatalf("restore: %s", out)
	}
	d, _ = db.Open(ctx, filepath.Join(data, "pinhole.db"))
	p, err := d.PhotoByID(ctx, 1)
	d.Close()
	if err != nil || !p.Favorite {
		t.Fatalf("restored photo: %+v %v", p, err)
	}
	// A damaged backup is refused and the database is left alone.
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte("SQLite format 3\x00 but not really"), 0o644)
	if out := run(t, false, "restore", "--data", data, bad); !strings.Contains(out, "not a usable backup") {
		t.Fatalf("bad backup: %s", out)
	}
}

func TestDoctor(t *testing.T) {
	lib := t.TempDir()
	os.WriteFile(filepath.Join(lib, "a.jpg"), []byte("x"), 0o644)
	out := run(t, true, "doctor", "--originals", lib, "--data", t.TempDir())
	for _, want := range []string{"OK   originals folder", "OK   data folder", "inotify"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	out = run(t, false, "doctor", "--originals", filepath.Join(lib, "gone"), "--data", t.TempDir())
	if !strings.Contains(out, "FAIL originals folder") || !strings.Contains(out, "fix:") {
		t.Errorf("doctor with a missing folder:\n%s", out)
	}
}

// TestUpgradeBacksUpFirst opens a database left at schema 1 by an older
// Pinhole: it is backed up to DATA/backups before migrating, the backup
// still holds schema 1, and the upgraded database works.
func TestUpgradeBacksUpFirst(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	core, err := os.ReadFile(filepath.Join("..", "db", "migrations", "001_core.sql"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite3", filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(string(core) + "; PRAGMA user_version = 1;"); err != nil {
		t.Fatal(err)
	}
	old.Exec(`INSERT INTO settings (key, value) VALUES ('kept', 'yes')`)
	old.Close()

	lib := t.TempDir()
	os.WriteFile(filepath.Join(lib, "a.jpg"), testkit.JPEG(testkit.Photo{W: 32, H: 24, Seed: 1}), 0o644)
	run(t, true, "index", "--originals", lib, "--data", data)

	backups, _ := filepath.Glob(filepath.Join(data, "backups", "pinhole-schema1-*.db"))
	if len(backups) != 1 {
		t.Fatalf("backups before upgrade: %v", backups)
	}
	b, err := sql.Open("sqlite3", "file:"+backups[0]+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var v int
	b.QueryRow("PRAGMA user_version").Scan(&v)
	b.Close()
	if v != 1 {
		t.Fatalf("backup is at schema %d, want the old schema 1", v)
	}
	d, err := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got, _ := d.Version(ctx); got != db.SchemaVersion() {
		t.Fatalf("upgraded to schema %d, want %d", got, db.SchemaVersion())
	}
	if s, _ := d.Setting(ctx, "kept"); s != "yes" {
		t.Fatalf("upgrade lost a setting: %q", s)
	}
	if c, _ := d.Counts(ctx); c.Photos != 1 {
		t.Fatalf("upgraded database indexes: %+v", c)
	}
}

// TestNegativeNumbersOnTheCommandLine: half the world has a negative
// latitude or longitude. `places lookup` takes them as they are, after
// `--`, and mixed with flags; a file whose name starts with a dash is read
// after `--`.
func TestNegativeNumbersOnTheCommandLine(t *testing.T) {
	type place struct{ Input, City, CountryCode, Error string }
	for _, args := range [][]string{
		{"places", "lookup", "-33.87,151.21", "-22.91,-43.17"},
		{"places", "lookup", "--", "-33.87,151.21", "-22.91,-43.17"},
		{"places", "--log-level", "warn", "lookup", "-33.87,151.21", "--geocoder-radius-km", "30", "-22.91,-43.17"},
	} {
		var got []place
		out := run(t, true, args...)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("pinhole %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		want := []place{{Input: "-33.87,151.21", City: "Sydney", CountryCode: "AU"}, {Input: "-22.91,-43.17", City: "Rio de Janeiro", CountryCode: "BR"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pinhole %s:\n got %+v\nwant %+v", strings.Join(args, " "), got, want)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "-1.jpg"), testkit.JPEG(testkit.Photo{W: 40, H: 30, Seed: 1}), 0o644)
	cmd := exec.Command(binary, "inspect", "--", "-1.jpg")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var got []map[string]any
	if err != nil || json.Unmarshal(out, &got) != nil || len(got) != 1 || got[0]["ImageWidth"] != 40.0 || got[0]["Error"] != nil {
		t.Errorf("pinhole inspect -- -1.jpg: %v\n%s", err, out)
	}
	// Without `--` a dash-name that is not a number is an unknown flag, said so.
	if out := run(t, false, "inspect", "-x.jpg"); !strings.Contains(out, "flag provided but not defined: -x.jpg") {
		t.Errorf("pinhole inspect -x.jpg: %s", out)
	}
}
