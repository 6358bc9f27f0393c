//go:build cgo && !noturbojpeg && synthetic

package turbo

// What only tests use, built with the synthetic tag that every test build
// has: the binary people run does not carry it.

/*
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// EncodeCMYK compresses CMYK pixels (4 bytes each, Adobe-inverted as
// Photoshop writes them). The pipeline never writes CMYK; tests use it to
// make CMYK/YCCK files, which no corpus file is.
func EncodeCMYK(pix []byte, w, h int, quality int) ([]byte, error) {
	if w <= 0 || h <= 0 || len(pix) < w*h*4 {
		return nil, errors.New("turbojpeg encode: bad image size")
	}
	hnd := C.tjInitCompress()
	if hnd == nil {
		return nil, errors.New("turbojpeg: init compressor failed")
	}
	defer C.tjDestroy(hnd)
	var out *C.uchar
	var outLen C.ulong
	rc := C.tjCompress2(hnd, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(w*4), C.int(h), C.TJPF_CMYK,
		&out, &outLen, C.TJSAMP_420, C.int(quality), 0)
	if out != nil {
		defer C.tjFree(out)
	}
	if rc != 0 {
		return nil, fmt.Errorf("turbojpeg encode: %s", C.GoString(C.tjGetErrorStr2(hnd)))
	}
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}
