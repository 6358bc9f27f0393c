//go:build !linux

package thumbs

// Without Linux's prlimit and /proc/self/exe, helpers run with their
// timeout and output cap only.

const limitsEnv = "PINHOLE_HELPER_LIMITS"

var launcherPath = ""

func (l helperLimits) encode() string { return "" }

func limitStarted(pid int, lim helperLimits) error { return nil }

func killedByLimit(err error) bool { return false }
