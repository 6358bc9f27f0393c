//go:build testhooks

package app

import (
	"os"
	"strconv"
	"time"
)

// testMaxWatches reads PINHOLE_TEST_MAX_WATCHES, a cap on inotify watches
// that lets the end-to-end tests exhaust them without changing the
// machine's sysctl; 0 (no cap) when unset. Only binaries built with the
// testhooks tag (the end-to-end tests' own build) read it.
func testMaxWatches() int {
	n, _ := strconv.Atoi(os.Getenv("PINHOLE_TEST_MAX_WATCHES"))
	return max(n, 0)
}

// testTrashPause reads PINHOLE_TEST_TRASH_PAUSE, a pause between the
// Trash's deletion batches, so the end-to-end test can stop the server in
// the middle of emptying a big Trash.
func testTrashPause() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("PINHOLE_TEST_TRASH_PAUSE"))
	return max(d, 0)
}
