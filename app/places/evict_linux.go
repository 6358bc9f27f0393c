package places

import (
	"os"
	"syscall"
	"unsafe"
)

// evictBlob drops the embedded blob's pages from memory. They are part of
// the binary's read-only mapping, read once by a decode; the kernel reads
// them back from the file if a later decode needs them, so nothing is lost
// and an idle server does not keep 2.5 MB it has no use for.
func evictBlob() {
	if len(blob) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(blob)))
	first := (start + page - 1) &^ (page - 1)
	last := (start + uintptr(len(blob))) &^ (page - 1)
	if last <= first {
		return
	}
	_ = syscall.Madvise(blob[first-start:last-start], syscall.MADV_DONTNEED)
}
