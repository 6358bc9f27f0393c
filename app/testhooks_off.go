//go:build !testhooks

package app

// testMaxWatches is 0 (no cap) in real builds: the environment variable the
// tests use to cap inotify watches is read only with the testhooks tag.
func testMaxWatches() int { return 0 }
