//go:build !unix

package app

// raiseFileLimit is a no-op where there is no RLIMIT_NOFILE.
func raiseFileLimit() (soft, hard uint64, err error) { return 0, 0, nil }

// currentFileLimit is unknown here.
func currentFileLimit() (soft, hard uint64, err error) { return 0, 0, nil }
