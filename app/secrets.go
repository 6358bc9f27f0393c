package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/db"
)

// Modes of what DATA holds: the folder and the secrets in it are
// Pinhole's user's alone, whatever the umask of whoever started it.
const (
	dataDirMode = 0o700
	secretMode  = 0o600
)

// keyFile is the server key's file inside DATA. It is never part of a
// database backup, so a copied backup holds no working share link or
// thumbnail URL.
func keyFile(cfg *config.Config) string { return filepath.Join(cfg.Data, "secret.key") }

// secureData creates DATA as 0700 and corrects the modes of what an older
// version (or a umask of 022) left readable to others: DATA itself, the
// database with its -wal and -shm, the key file, and backups.
func secureData(cfg *config.Config) error {
	if err := os.MkdirAll(cfg.Data, dataDirMode); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if err := os.Chmod(cfg.Data, dataDirMode); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	files := []string{keyFile(cfg)}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		files = append(files, cfg.DBPath()+suffix)
	}
	if err := chmodIfExists(cfg.BackupDir(), dataDirMode); err != nil {
		return err
	}
	entries, err := os.ReadDir(cfg.BackupDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup folder: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && (strings.HasSuffix(e.Name(), ".db") || strings.HasSuffix(e.Name(), ".partial")) {
			files = append(files, filepath.Join(cfg.BackupDir(), e.Name()))
		}
	}
	for _, f := range files {
		if err := chmodIfExists(f, secretMode); err != nil {
			return err
		}
	}
	return nil
}

func chmodIfExists(p string, mode os.FileMode) error {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if st.Mode()&os.ModeSymlink != 0 || st.Mode().Perm() == mode {
		return nil
	}
	if err := os.Chmod(p, mode); err != nil {
		return fmt.Errorf("make %s private: %w", p, err)
	}
	return nil
}

// loadKeys reads the server key from DATA, creating it (0600) on first
// start. A key file that exists but cannot be read is an error, never
// replaced: a new key would make every share link unreadable to owners.
func loadKeys(cfg *config.Config) (*auth.Keys, error) {
	p := keyFile(cfg)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, secretMode)
		if errors.Is(err, fs.ErrExist) {
			return loadKeys(cfg) // another pinhole command made it meanwhile
		} else if err != nil {
			return nil, fmt.Errorf("create server key: %w", err)
		}
		key := auth.GenerateKey()
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			_ = os.Remove(p)
			return nil, fmt.Errorf("write server key %s: %w", p, err)
		}
		return auth.NewKeys(key)
	} else if err != nil {
		return nil, fmt.Errorf("read server key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != auth.KeySize {
		return nil, fmt.Errorf("server key %s is damaged (want %d hex-encoded bytes); restore it from where you keep it, or move it away to make a new one (share links must then be re-created to be shown again)",
			p, auth.KeySize)
	}
	return auth.NewKeys(key)
}

// openDatabase prepares DATA (modes, server key), opens and migrates the
// database, and seals share links an older version stored in clear.
// Every command that opens the database goes through here.
func openDatabase(ctx context.Context, cfg *config.Config) (*db.DB, *auth.Keys, error) {
	if err := secureData(cfg); err != nil {
		return nil, nil, err
	}
	keys, err := loadKeys(cfg)
	if err != nil {
		return nil, nil, err
	}
	d, err := db.Open(ctx, cfg.DBPath())
	if err != nil {
		return nil, nil, err
	}
	// A new database file was created with the umask's mode; its -wal
	// and -shm copy the mode of the database file.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := chmodIfExists(cfg.DBPath()+suffix, secretMode); err != nil {
			d.Close()
			return nil, nil, err
		}
	}
	if _, err := auth.SealLegacyShares(ctx, d, keys); err != nil {
		d.Close()
		return nil, nil, fmt.Errorf("seal share links: %w", err)
	}
	return d, keys, nil
}
