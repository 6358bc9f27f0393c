//go:build unix

package app

import "syscall"

// restrictUmask makes every file Pinhole creates unreadable to other
// users unless a mode says otherwise (the packaged unit sets the same
// UMask). Secrets get explicit 0600 modes on top (app/secrets.go).
func restrictUmask() { syscall.Umask(0o027) }
