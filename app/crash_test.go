package app_test

import (
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/db"
)

// TestKilledIndexLosesNothing kills `pinhole index --full` with SIGKILL at
// random moments, many times. After every kill the database must pass
// PRAGMA integrity_check; at the end a normal index completes, there is
// exactly one photo per picture, and the user's edits and favorites made
// before the kills are all still there.
func TestKilledIndexLosesNothing(t *testing.T) {
	ctx := context.Background()
	kills := 25
	if testing.Short() {
		kills = 6
	}
	lib := filepath.Join(t.TempDir(), "lib")
	data := t.TempDir()
	run(t, true, "demo", "--out", lib, "--count", "60", "--megapixels", "1-2")
	run(t, true, "index", "--originals", lib, "--data", data)
	dbPath := filepath.Join(data, "pinhole.db")

	d, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	c0, _ := d.Counts(ctx)
	title := "Kept through crashes"
	edited := map[int64]bool{}
	for id := int64(1); id <= int64(c0.Photos); id += 3 {
		fav := true
		if err := d.EditPhoto(ctx, id, db.PhotoEdit{Title: &title, Favorite: &fav}); err != nil {
			t.Fatal(err)
		}
		edited[id] = true
	}
	d.Close()

	// Kills land between start-up and the end of a full re-read, whose
	// length is measured here.
	start := time.Now()
	run(t, true, "index", "--full", "--originals", lib, "--data", data)
	full := time.Since(start)
	rng := rand.New(rand.NewSource(42))
	survived := 0
	// On a busy machine a run's length varies several-fold: a run that
	// finishes before its kill shortens the window to its own length, and
	// up to three times the planned runs are made to land the kills.
	for i := 0; i < 3*kills && survived < kills; i++ {
		cmd := exec.Command(binary, "index", "--full", "--originals", lib, "--data", data, "--log-level", "error")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err == nil {
			full = min(full, time.Since(started)) // finished before the kill
			continue
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d failed on its own, not by the kill: %v\n%s", i, err, out.String())
		}
		survived++
		d, err := db.Open(ctx, dbPath)
		if err != nil {
			t.Fatalf("kill %d: database does not open: %v", i, err)
		}
		res, err := d.IntegrityCheck(ctx)
		d.Close()
		if err != nil || res != "ok" {
			t.Fatalf("kill %d: integrity_check = %q, %v", i, res, err)
		}
	}
	if survived < kills/2 {
		t.Fatalf("only %d of %d runs were killed mid-way; the test proves little", survived, kills)
	}
	out := run(t, true, "index", "--originals", lib, "--data", data)
	if !strings.Contains(out, fmt.Sprintf("photos %d", c0.Photos)) {
		t.Fatalf("after %d kills: %s, want %d photos", survived, out, c0.Photos)
	}
	d, err = db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, _ := d.Counts(ctx)
	if c.Photos != c0.Photos || c.Files != c0.Files || c.MissingFiles != 0 {
		t.Fatalf("after kills: %+v, before: %+v", c, c0)
	}
	for id := range edited {
		p, err := d.PhotoByID(ctx, id)
		if err != nil || p.Title != title || !p.Favorite {
			t.Fatalf("photo %d lost its edit: %+v %v", id, p, err)
		}
	}
	t.Logf("%d SIGKILLs mid-index survived: integrity ok each time, %d photos, %d edits kept", survived, c.Photos, len(edited))
}
