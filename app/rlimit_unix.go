//go:build unix

package app

import "syscall"

// raiseFileLimit lifts the soft limit on open files to the hard one (a
// systemd service starts at 1024 soft) and returns the soft limit now in
// force, 0 when it cannot be read. Go's runtime does the same at start on
// some platforms; doing it here as well makes the number the connection
// cap is sized from certain, and lets the log say it.
func raiseFileLimit() (soft, hard uint64, err error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, err
	}
	if rl.Cur < rl.Max {
		want := rl
		want.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return uint64(rl.Cur), uint64(rl.Max), err
		}
		rl = want
	}
	return uint64(rl.Cur), uint64(rl.Max), nil
}

// currentFileLimit returns the soft and hard limits on open files.
func currentFileLimit() (soft, hard uint64, err error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, err
	}
	return uint64(rl.Cur), uint64(rl.Max), nil
}
