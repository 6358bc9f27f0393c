package thumbs

import (
	"context"
	"os"
	"os/exec"
	"time"
)

// helperLimits are the resource limits a helper process runs under, on
// top of its wall-clock timeout.
type helperLimits struct {
	as    int64         // address space (RLIMIT_AS) in bytes; 0: none
	cpu   time.Duration // CPU time (RLIMIT_CPU), all threads together; 0: none
	fsize int64         // largest file it may write (RLIMIT_FSIZE); 0: none
	// nice lowers its CPU priority (1–19); idleIO gives it the disk only
	// when nothing else wants it (the idle I/O class). For long jobs
	// such as video transcodes, which must not slow the server down.
	nice   int
	idleIO bool
}

// startHelper starts name with args under lim; setup configures each
// command (its output) before it starts.
func startHelper(ctx context.Context, lim helperLimits, setup func(*exec.Cmd), name string, args ...string) (*exec.Cmd, error) {
	cmd := newHelperCmd(ctx, lim, true, name, args...)
	setup(cmd)
	err := cmd.Start()
	if err == nil || launcherPath == "" {
		return cmd, err
	}
	// The launcher could not start (an emulator runs this program):
	// start the helper itself and limit it at once.
	direct := newHelperCmd(ctx, lim, false, name, args...)
	setup(direct)
	if err := direct.Start(); err != nil {
		return direct, err
	}
	if err := limitStarted(direct.Process.Pid, lim); err != nil {
		direct.Process.Kill()
		direct.Wait()
		return direct, err
	}
	return direct, nil
}

// helperEnv is the helpers' environment: ours, with at most two malloc
// arenas, as each extra one reserves 64 MB of address space per thread
// and would count against the address-space limit for nothing.
func helperEnv() []string { return append(os.Environ(), "MALLOC_ARENA_MAX=2") }

// newHelperCmd returns the command running name with args under lim: as
// this program relaunched (see launchLimited) where that works, else
// directly, to be limited right after it starts.
func newHelperCmd(ctx context.Context, lim helperLimits, launcher bool, name string, args ...string) *exec.Cmd {
	if launcher && launcherPath != "" {
		cmd := exec.CommandContext(ctx, launcherPath, append([]string{name}, args...)...)
		cmd.Env = append(helperEnv(), limitsEnv+"="+lim.encode())
		return cmd
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = helperEnv()
	return cmd
}
