package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"pinhole/app/index"
	"pinhole/db"
)

// check is one doctor finding.
type check struct {
	level string // ok, warn, fail
	what  string
	fix   string
}

// runDoctor is `pinhole doctor`: checks the setup and says what to fix.
// It exits non-zero only for problems that stop Pinhole from working.
func runDoctor(ctx context.Context, e *env) error {
	var out []check
	add := func(level, what, fix string) { out = append(out, check{level, what, fix}) }

	// Originals.
	switch {
	case e.cfg.Originals == "":
		add("ok", "no originals folder configured: the demo library will be used", "set originals = /path/to/photos in the config file")
	default:
		if st, err := os.Stat(e.cfg.Originals); err != nil || !st.IsDir() {
			add("fail", fmt.Sprintf("originals folder %s is not readable: %v", e.cfg.Originals, err), "check the path and that the drive is mounted")
		} else if f, err := os.Open(e.cfg.Originals); err != nil {
			add("fail", "cannot open originals folder: "+err.Error(), "give the pinhole user read access (e.g. add it to the folder's group)")
		} else {
			_, rerr := f.Readdirnames(1)
			f.Close()
			if rerr != nil && !errors.Is(rerr, io.EOF) {
				add("fail", "cannot list originals folder: "+rerr.Error(), "give the pinhole user read and execute permission on the folder")
			} else {
				add("ok", "originals folder "+e.cfg.Originals+" is readable", "")
			}
		}
	}

	// Data folder writable.
	if err := os.MkdirAll(e.cfg.Data, 0o750); err != nil {
		add("fail", "cannot create data folder: "+err.Error(), "create "+e.cfg.Data+" and make it writable by the pinhole user")
	} else if f, err := os.CreateTemp(e.cfg.Data, ".doctor-*"); err != nil {
		add("fail", "data folder "+e.cfg.Data+" is not writable: "+err.Error(), "make it writable by the pinhole user")
	} else {
		_, werr := f.WriteString("pinhole")
		serr := f.Sync()
		f.Close()
		os.Remove(f.Name())
		if werr != nil || serr != nil {
			add("fail", fmt.Sprintf("writing to the data folder failed: %v %v", werr, serr), "check the disk")
		} else {
			add("ok", "data folder "+e.cfg.Data+" is writable", "")
		}
	}

	// Free disk.
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(e.cfg.Data, &sfs); err == nil {
		free := sfs.Bavail * uint64(sfs.Bsize)
		total := sfs.Blocks * uint64(sfs.Bsize)
		switch {
		case free < 200<<20:
			add("fail", fmt.Sprintf("only %d MB free on the data disk", free>>20), "free some space: the database and thumbnail cache need room")
		case free < 2<<30 || free*20 < total:
			add("warn", fmt.Sprintf("%d MB free on the data disk", free>>20), "thumbnails will be rendered without caching when the disk fills")
		default:
			add("ok", fmt.Sprintf("%.1f GB free on the data disk", float64(free)/(1<<30)), "")
		}
	}

	// Database.
	if _, err := os.Stat(e.cfg.DBPath()); err == nil {
		pending, from, err := db.PendingMigrations(ctx, e.cfg.DBPath())
		switch {
		case err != nil:
			add("fail", "cannot read the database: "+err.Error(), "restore a backup with pinhole restore")
		case from > db.SchemaVersion():
			add("fail", fmt.Sprintf("the database (schema %d) is newer than this Pinhole (schema %d)", from, db.SchemaVersion()), "install the newer Pinhole again, or restore a backup")
		case pending:
			add("ok", fmt.Sprintf("database at schema %d will be upgraded to %d on start (a backup is taken first)", from, db.SchemaVersion()), "")
		default:
			add("ok", "database "+e.cfg.DBPath()+" is current", "")
		}
	} else {
		add("ok", "no database yet: it is created on first start", "")
	}

	// inotify.
	if b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_watches"); err == nil {
		limit, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		dirs := countDirs(e.cfg.Originals, limit+1)
		switch {
		case e.cfg.Originals == "":
		case dirs > limit*8/10:
			add("warn", fmt.Sprintf("%d folders to watch but fs.inotify.max_user_watches is %d", dirs, limit),
				"echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-pinhole.conf && sudo sysctl --system (otherwise Pinhole falls back to periodic rescans)")
		default:
			add("ok", fmt.Sprintf("inotify: %d folders to watch, limit %d", dirs, limit), "")
		}
	}

	// Clock: a Pi without a real-time clock starts in the past until NTP syncs.
	if time.Now().Year() < 2025 {
		add("warn", "the system clock says "+time.Now().Format(time.RFC3339), "enable time sync (timedatectl set-ntp true): sessions and caches depend on the clock")
	} else {
		add("ok", "system clock looks right ("+time.Now().UTC().Format("2006-01-02 15:04 UTC")+")", "")
	}

	// Optional helpers.
	for _, h := range []struct{ bin, pkg, why string }{
		{"ffmpeg", "ffmpeg", "video poster frames"},
		{"heif-convert", "libheif-examples", "full-quality HEIC/AVIF thumbnails"},
	} {
		if p, err := exec.LookPath(h.bin); err == nil {
			add("ok", fmt.Sprintf("%s found (%s) for %s", h.bin, p, h.why), "")
		} else {
			add("warn", fmt.Sprintf("%s not found: no %s", h.bin, h.why), "sudo apt install "+h.pkg)
		}
	}

	failed := 0
	for _, c := range out {
		fmt.Fprintf(e.stdout, "%-4s %s\n", strings.ToUpper(c.level), c.what)
		if c.level != "ok" && c.fix != "" {
			fmt.Fprintf(e.stdout, "     fix: %s\n", c.fix)
		}
		if c.level == "fail" {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d problem(s) stop Pinhole from working", failed)
	}
	return nil
}

// countDirs counts folders Pinhole would watch, stopping at limit.
func countDirs(root string, limit int) int {
	if root == "" {
		return 0
	}
	n := 0
	errStop := errors.New("stop")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != root && index.SkipDir(d.Name()) {
				return filepath.SkipDir
			}
			n++
			if n >= limit {
				return errStop
			}
		}
		return nil
	})
	return n
}
