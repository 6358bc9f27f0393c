//go:build !linux

package places

// evictBlob does nothing outside Linux.
func evictBlob() {}
