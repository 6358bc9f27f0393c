package index_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"pinhole/app/index"
	"pinhole/app/testkit"
	"pinhole/db"
)

// childEnv names the folder the unprivileged child works in.
const childEnv = "PINHOLE_TEST_UNREADABLE_DIR"

// TestUnreadableFolderIsSkipped: a folder the server may not read (mode
// 000, another owner) is skipped and reported, and the files indexed from
// it before are not marked missing. Root reads everything, and CI runs as
// root, so there the second scan runs in a child process of this test
// binary as the user nobody; otherwise it runs here.
func TestUnreadableFolderIsSkipped(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		secondScan(t, filepath.Join(dir, "lib"), filepath.Join(dir, "data", "pinhole.db"))
		return
	}
	base, err := os.MkdirTemp("", "pinhole-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(filepath.Join(base, "lib", "locked"), 0o755)
		os.RemoveAll(base)
	})
	lib, data := filepath.Join(base, "lib"), filepath.Join(base, "data")
	for _, d := range []string{base, lib, data, filepath.Join(lib, "a"), filepath.Join(lib, "locked")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(d, 0o755) // MkdirTemp makes 0700
	}
	os.WriteFile(filepath.Join(lib, "a", "IMG_1.jpg"), testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: 1}), 0o644)
	os.WriteFile(filepath.Join(lib, "locked", "IMG_2.jpg"), testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: 2}), 0o644)
	dbPath := filepath.Join(data, "pinhole.db")
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := index.New(d, index.Options{Root: lib, Workers: 1}).Scan(context.Background(), false)
	d.Close()
	if err != nil || s.Photos != 2 {
		t.Fatalf("first scan: %+v %v", s, err)
	}
	if err := os.Chmod(filepath.Join(lib, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		secondScan(t, lib, dbPath)
		return
	}

	// As root: the folder stays root's with mode 000; the scan runs as
	// nobody, from a copy of this test binary nobody may execute.
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody to run the unprivileged scan as: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	if err := filepath.WalkDir(data, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "index.test")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestUnreadableFolderIsSkipped$", "-test.v", "-test.timeout=2m")
	cmd.Dir = base
	cmd.Env = append(os.Environ(), childEnv+"="+base, "HOME="+base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUnreadableFolderIsSkipped") {
		t.Fatalf("the scan as nobody failed (%v):\n%s", err, out)
	}
	t.Logf("second scan ran as nobody (uid %d)", uid)
}

// secondScan rescans with the folder "locked" unreadable to this process.
func secondScan(t *testing.T, lib, dbPath string) {
	t.Helper()
	ctx := context.Background()
	// The test means nothing if the folder can be read.
	if _, err := os.ReadDir(filepath.Join(lib, "locked")); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("folder locked is readable to uid %d (err %v): the test would prove nothing", os.Geteuid(), err)
	}
	d, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := index.New(d, index.Options{Root: lib, Workers: 1}).Scan(ctx, false)
	if err != nil {
		t.Fatalf("scan with an unreadable folder: %v", err)
	}
	if s.Missing != 0 || s.Photos != 2 {
		t.Fatalf("unreadable folder's files marked missing: %+v", s)
	}
	if f, err := d.FileByPath(ctx, "locked/IMG_2.jpg"); err != nil || f.Missing {
		t.Fatalf("locked/IMG_2.jpg after the scan: %+v %v", f, err)
	}
	errs, err := d.IndexErrors(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	reported := false
	for _, e := range errs {
		reported = reported || (e.Path == "locked" && strings.Contains(e.Error, "permission denied"))
	}
	if !reported {
		t.Fatalf("the unreadable folder is not reported to the owner: %+v", errs)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
