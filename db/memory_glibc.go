//go:build linux && cgo

package db

/*
#include <malloc.h>
*/
import "C"

// trimCHeap returns the C heap's free pages to the system (glibc's
// malloc_trim, which also releases free pages inside every arena).
func trimCHeap() { C.malloc_trim(0) }
