//go:build !testhooks

package app

import "time"

// testMaxWatches is 0 (no cap) in real builds: the environment variable the
// tests use to cap inotify watches is read only with the testhooks tag.
func testMaxWatches() int { return 0 }

// testTrashPause is 0 in real builds: only the end-to-end tests slow the
// Trash's deletions down.
func testTrashPause() time.Duration { return 0 }
