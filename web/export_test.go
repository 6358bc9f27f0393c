package web

import "time"

// SetStreamCheckEvery shortens how often live-update streams look for
// changes made by another process, for tests; it returns the old value.
func SetStreamCheckEvery(d time.Duration) time.Duration {
	old := streamCheckEvery
	streamCheckEvery = d
	return old
}
