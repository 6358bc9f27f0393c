package app

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Two advisory locks (flock) in the data folder keep commands that must not
// overlap apart. SQLite's own locking cannot: an idle server in WAL mode
// holds no lock a probe would see, and a restore that swaps the database
// file under an open connection loses whatever that connection writes next
// (or mixes its WAL frames into the new file).
//
//   - DATA/pinhole.lock is held shared by every process that has the
//     database open, and exclusively by `pinhole restore`, which therefore
//     runs only when nothing else uses the database.
//   - DATA/pinhole.pid is held exclusively by the one process that owns the
//     library — `pinhole serve`, `pinhole index`, `pinhole places update`
//     or `pinhole restore` — and holds its pid and command, so a refusal
//     can say who is running.
//
// Commands that can run beside a server (users, backup, thumbs) take only
// the shared lock. Locks are never waited for: a command that cannot have
// one says why and stops. They vanish with the process, so a crash leaves
// nothing stale behind.
const (
	dbLockName    = "pinhole.lock"
	ownerLockName = "pinhole.pid"
)

// dataLock is the set of locks one command holds.
type dataLock struct{ files []*os.File }

// release drops the locks (closing the files releases them).
func (l *dataLock) release() {
	for _, f := range l.files {
		f.Close()
	}
	l.files = nil
}

// lockShared is for commands that may run beside a server: it only keeps
// a restore from swapping the database under them.
func lockShared(data string) (*dataLock, error) {
	l := &dataLock{}
	if err := l.take(data, dbLockName, syscall.LOCK_SH); err != nil {
		return nil, err
	}
	return l, nil
}

// lockOwner is for commands that index or resolve the whole library: one
// at a time, never beside a server or a restore.
func lockOwner(data, command string) (*dataLock, error) {
	return lockOwnerMode(data, command, syscall.LOCK_SH)
}

// lockExclusive is for restore: nothing else may have the database open.
func lockExclusive(data, command string) (*dataLock, error) {
	return lockOwnerMode(data, command, syscall.LOCK_EX)
}

func lockOwnerMode(data, command string, dbMode int) (*dataLock, error) {
	l := &dataLock{}
	if err := l.take(data, ownerLockName, syscall.LOCK_EX); err != nil {
		return nil, err
	}
	// Written for the refusals of others; a file we may only read (made
	// by another user) still locks, the message just lacks the pid.
	if f := l.files[0]; f.Truncate(0) == nil {
		fmt.Fprintf(f, "%d %s\n", os.Getpid(), command)
	}
	if err := l.take(data, dbLockName, dbMode); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// take locks DATA/name in mode without waiting.
func (l *dataLock) take(data, name string, mode int) error {
	if err := os.MkdirAll(data, 0o750); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	p := filepath.Join(data, name)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, os.ErrPermission) {
		f, err = os.Open(p)
	}
	if err != nil {
		return fmt.Errorf("lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), mode|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err == nil {
		l.files = append(l.files, f)
		return nil
	}
	defer f.Close()
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("lock %s: %w", p, err)
	}
	return &busyError{data: data, holder: holderOf(data, f)}
}

// busyError is a refusal because another pinhole process uses the data
// folder.
type busyError struct {
	data   string
	holder string // "pinhole serve (pid 1234)", or what is known
}

func (e *busyError) Error() string {
	return fmt.Sprintf("%s is using %s", e.holder, e.data)
}

// holderOf names the processes holding a lock on f's file, from the
// kernel's lock table and their command lines; where those cannot be read
// (not Linux), the owner lock's file says who took it last.
func holderOf(data string, f *os.File) string {
	var names []string
	for _, pid := range lockHolders(f) {
		if pid != os.Getpid() {
			names = append(names, describeProcess(pid))
		}
	}
	if len(names) > 0 {
		return strings.Join(names, " and ")
	}
	if filepath.Base(f.Name()) == ownerLockName {
		if b, err := os.ReadFile(f.Name()); err == nil {
			if pid, cmd, ok := strings.Cut(strings.TrimSpace(string(b)), " "); ok {
				return fmt.Sprintf("pinhole %s (pid %s)", cmd, pid)
			}
		}
	}
	return "another pinhole process"
}

// describeProcess is "pinhole serve (pid 1234)": the program and its
// command, as started.
func describeProcess(pid int) string {
	name := "pinhole"
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		name = filepath.Base(args[0])
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			name += " " + args[1]
		} else {
			name += " serve"
		}
	}
	return fmt.Sprintf("%s (pid %d)", name, pid)
}

// procLocksID is how /proc/locks names a file: major:minor:inode, the
// device numbers in hex (Linux's encoding of st_dev).
func procLocksID(dev, ino uint64) string {
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	return fmt.Sprintf("%02x:%02x:%d", major, minor, ino)
}

// lockHolders lists the pids holding flock locks on f's file, from
// /proc/locks (Linux; empty elsewhere).
func lockHolders(f *os.File) []int {
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	pl, err := os.Open("/proc/locks")
	if err != nil {
		return nil
	}
	defer pl.Close()
	var pids []int
	sc := bufio.NewScanner(pl)
	for sc.Scan() {
		// 1: FLOCK  ADVISORY  WRITE 1234 fe:00:9985720 0 EOF
		// Waiters are listed with "->" after the number; skip them.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err == nil && fields[5] == procLocksID(uint64(sys.Dev), sys.Ino) {
			pids = append(pids, pid)
		}
	}
	return pids
}
