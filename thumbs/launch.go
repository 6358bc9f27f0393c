package thumbs

import (
	"context"
	"os/exec"
	"time"
)

// HelperLimits are the limits a program started by StartHelper runs under:
// the ones the thumbnail helpers get, for other packages that run ffmpeg
// (video transcoding).
type HelperLimits struct {
	AddressSpace int64         // bytes of address space (RLIMIT_AS); 0: none
	CPU          time.Duration // CPU time of all its threads together (RLIMIT_CPU); 0: none
	FileSize     int64         // largest file it may write (RLIMIT_FSIZE); 0: none
	Nice         int           // CPU niceness 1–19 (higher yields more); 0: unchanged
	IdleIO       bool          // the idle I/O class: the disk only when no one else wants it
}

// StartHelper starts name with args under lim, set in the helper's own
// process before it runs (see limit_linux.go): no shell, no prlimit or
// ionice program, no race. setup configures the command (its pipes)
// before it starts; ctx kills it. The caller waits for it.
func StartHelper(ctx context.Context, lim HelperLimits, setup func(*exec.Cmd), name string, args ...string) (*exec.Cmd, error) {
	return startHelper(ctx, helperLimits{as: lim.AddressSpace, cpu: lim.CPU, fsize: lim.FileSize, nice: lim.Nice, idleIO: lim.IdleIO},
		setup, name, args...)
}

// KilledByLimit reports whether a helper's exit error is the signal one of
// its limits sends (CPU time, file size, or a failed allocation under the
// address-space limit).
func KilledByLimit(err error) bool { return killedByLimit(err) }
