//go:build linux

package thumbs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// Helpers (heif-convert, ffmpeg) run under resource limits set in their
// own process before they execute a single instruction: they are started
// as this very program (/proc/self/exe, which stays valid even when the
// binary is replaced by an upgrade) with limitsEnv set, and the package's
// init sees it, sets the limits on itself and executes the helper in its
// place. No shell and no prlimit program are involved, and the limits
// cannot be raced. Where the program cannot be started again (under a
// user-mode emulator) the helper is started directly and limited with
// prlimit(2) right after it starts.

const limitsEnv = "PINHOLE_HELPER_LIMITS"

// launcherPath is the program relaunched to apply limits.
var launcherPath = "/proc/self/exe"

func init() {
	if v, ok := os.LookupEnv(limitsEnv); ok {
		launchLimited(v, os.Args[1:])
	}
}

func (l helperLimits) encode() string {
	io := 0
	if l.idleIO {
		io = 1
	}
	return fmt.Sprintf("as=%d,cpu=%d,fsize=%d,nice=%d,idleio=%d", l.as, int64(l.cpu.Seconds()), l.fsize, l.nice, io)
}

// rlimit64 is struct rlimit64 of prlimit64(2) on every architecture.
type rlimit64 struct{ cur, max uint64 }

// rlimits returns the (resource, limit) pairs for l. CPU time gets a soft
// limit (SIGXCPU) with a hard one a few seconds later (SIGKILL); core
// dumps are off, a helper's crash is no one's to debug.
func (l helperLimits) rlimits() [][2]any {
	out := [][2]any{{syscall.RLIMIT_CORE, rlimit64{0, 0}}}
	if l.as > 0 {
		out = append(out, [2]any{syscall.RLIMIT_AS, rlimit64{uint64(l.as), uint64(l.as)}})
	}
	if s := uint64(l.cpu.Seconds()); s > 0 {
		out = append(out, [2]any{syscall.RLIMIT_CPU, rlimit64{s, s + 5}})
	}
	if l.fsize > 0 {
		out = append(out, [2]any{syscall.RLIMIT_FSIZE, rlimit64{uint64(l.fsize), uint64(l.fsize)}})
	}
	return out
}

func prlimit(pid int, l helperLimits) error {
	for _, r := range l.rlimits() {
		lim := r[1].(rlimit64)
		_, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(r[0].(int)), uintptr(unsafe.Pointer(&lim)), 0, 0, 0)
		if e != 0 {
			return fmt.Errorf("prlimit: %w", e)
		}
	}
	return nil
}

// I/O priority (ioprio_set(2)): the idle class, for a process (here a
// thread: Linux keeps the I/O context per thread until execve).
const (
	ioprioWhoProcess = 1
	ioprioClassIdle  = 3
	ioprioClassShift = 13
)

// lower applies l's CPU and I/O priority to the thread tid (0: the
// calling one). Both only ever lower a priority, which needs no
// privilege; a kernel without I/O classes (or a sandbox refusing
// ioprio_set) leaves the helper at its CPU priority alone.
func lower(tid int, l helperLimits) error {
	if l.nice > 0 {
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(l.nice, 19)); err != nil {
			return fmt.Errorf("setpriority: %w", err)
		}
	}
	if l.idleIO {
		syscall.RawSyscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioClassIdle<<ioprioClassShift)
	}
	return nil
}

// launchLimited is the relaunched program: it sets the limits encoded in
// spec and executes args[0] with args. It never returns.
func launchLimited(spec string, args []string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "pinhole helper launcher:", err)
		os.Exit(127)
	}
	if len(args) == 0 {
		fail(fmt.Errorf("no program"))
	}
	var l helperLimits
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fail(fmt.Errorf("bad limit %q", kv))
		}
		switch k {
		case "as":
			l.as = n
		case "cpu":
			l.cpu = time.Duration(n) * time.Second
		case "fsize":
			l.fsize = n
		case "nice":
			l.nice = int(min(n, 19))
		case "idleio":
			l.idleIO = n != 0
		}
	}
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, limitsEnv+"=") {
			env = append(env, e)
		}
	}
	// Everything execve needs is allocated before the limits are set: a
	// Go runtime already reserves more address space than a helper may
	// have, and must not need more after.
	path, err := syscall.BytePtrFromString(args[0])
	if err != nil {
		fail(err)
	}
	argv, err := syscall.SlicePtrFromStrings(args)
	if err != nil {
		fail(err)
	}
	envv, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		fail(err)
	}
	if err := prlimit(0, l); err != nil {
		fail(err)
	}
	// Priorities belong to the thread, which execve keeps: set them on the
	// one that calls it.
	runtime.LockOSThread()
	if err := lower(0, l); err != nil {
		fail(err)
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(path)),
		uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))
	fail(fmt.Errorf("exec %s: %w", args[0], e))
}

// limitStarted limits a helper that was started directly.
func limitStarted(pid int, lim helperLimits) error {
	if err := prlimit(pid, lim); err != nil {
		return err
	}
	return lower(pid, lim)
}

// killedByLimit reports whether a helper ended on a signal its limits
// send: SIGXCPU or SIGKILL for CPU time, SIGXFSZ for output, and SIGABRT
// or SIGSEGV for a failed allocation under the address-space limit.
func killedByLimit(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return false
	}
	switch ws.Signal() {
	case syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGKILL, syscall.SIGABRT, syscall.SIGSEGV, syscall.SIGBUS:
		return true
	}
	return false
}
