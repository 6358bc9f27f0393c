//go:build !unix

package thumbs

// defaultCacheBytes is a fixed 2 GB where free space cannot be asked.
func defaultCacheBytes(string) int64 { return 2 << 30 }
