//go:build !linux

package web

// writable cannot be checked ahead of time here; an upload says so if the
// write fails.
func writable(string) error { return nil }
