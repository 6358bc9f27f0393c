package web

import "syscall"

// writable reports whether this process may create files in dir. access(2)
// also answers EROFS for a folder systemd's ProtectSystem= made read-only,
// which the permission bits alone do not show.
func writable(dir string) error {
	const wOK = 2
	return syscall.Access(dir, wOK)
}
