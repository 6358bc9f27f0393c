//go:build !(linux && cgo)

package db

// trimCHeap does nothing where the C allocator is not glibc's.
func trimCHeap() {}
