package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"pinhole/db"
)

// backupName is the file name of a backup taken at t.
func backupName(t time.Time) string {
	return "pinhole-" + t.UTC().Format("20060102-150405") + ".db"
}

// runBackup is `pinhole backup [--out FILE]`: a consistent online snapshot
// of the database (settings, users, albums and edits live in it), safe
// while the server runs.
func runBackup(ctx context.Context, e *env) error {
	dst := e.opts.out
	if dst == "" {
		dst = filepath.Join(e.cfg.BackupDir(), backupName(time.Now()))
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; choose another --out", dst)
	}
	// A snapshot (VACUUM INTO) is safe beside a server, not during a restore.
	lock, err := lockShared(e.cfg.Data)
	if err != nil {
		return fmt.Errorf("%w; try again when it is done", err)
	}
	defer lock.release()
	d, _, err := openDatabase(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, dst); err != nil {
		return err
	}
	st, _ := os.Stat(dst)
	fmt.Fprintf(e.stdout, "backup written: %s (%d KB)\n", dst, st.Size()/1024)
	return nil
}

// runRestore is `pinhole restore FILE`: checks the backup (integrity,
// schema not newer than this program), keeps the current database aside,
// and puts the backup in its place. The server must be stopped.
func runRestore(ctx context.Context, e *env) error {
	if len(e.args) != 1 {
		return errUsage
	}
	src := e.args[0]
	if err := checkBackup(ctx, src); err != nil {
		return fmt.Errorf("%s is not a usable backup: %w", src, err)
	}
	dbPath := e.cfg.DBPath()
	// Nothing else may have the database open: the file is swapped and its
	// -wal/-shm removed, and a connection still open would write into the
	// old file or mix its journal into the new one.
	lock, err := lockExclusive(e.cfg.Data, "restore")
	if err != nil {
		return fmt.Errorf("%w: stop it before restoring (systemctl stop pinhole)", err)
	}
	defer lock.release()
	if _, err := os.Stat(dbPath); err == nil {
		aside := filepath.Join(e.cfg.BackupDir(), "before-restore-"+backupName(time.Now()))
		if err := db.BackupFile(ctx, dbPath, aside); err != nil {
			return fmt.Errorf("keep current database: %w", err)
		}
		fmt.Fprintf(e.stdout, "current database kept as %s\n", aside)
	}
	if err := secureData(e.cfg); err != nil {
		return err
	}
	tmp := dbPath + ".restore"
	if err := db.BackupFile(ctx, src, tmp); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(dbPath + suffix)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return err
	}
	d, _, err := openDatabase(ctx, e.cfg) // migrates an older backup forward
	if err != nil {
		return err
	}
	defer d.Close()
	c, _ := d.Counts(ctx)
	fmt.Fprintf(e.stdout, "restored %s: %d photos, %d files, %d albums\n", src, c.Photos, c.Files, c.Albums)
	return nil
}

// checkBackup opens a backup read-only and verifies it.
func checkBackup(ctx context.Context, p string) error {
	if _, err := os.Stat(p); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "pinhole-restore-check")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Work on a copy: opening migrates, and the backup must stay as it is.
	cp := filepath.Join(tmp, "check.db")
	if err := db.BackupFile(ctx, p, cp); err != nil {
		return err
	}
	d, err := db.Open(ctx, cp)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.IntegrityCheck(ctx)
	if err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// pruneBackups keeps the newest keep scheduled backups.
func pruneBackups(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "pinhole-2") && strings.HasSuffix(n, ".db") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return err
		}
		names = names[1:]
	}
	return nil
}
