//go:build unix

package thumbs

import "syscall"

// defaultCacheBytes is a tenth of the free space where the cache lives,
// between 512 MB and 50 GB: thumbnails are rendered lazily, so the cache
// only needs to hold what people actually look at.
func defaultCacheBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 2 << 30
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	return min(max(free/10, 512<<20), 50<<30)
}
