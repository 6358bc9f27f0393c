//go:build cgo && !noturbojpeg

package turbo

/*
#include <stdlib.h>
#include <turbojpeg.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

// tune_malloc keeps glibc from raising its mmap threshold after a
// large block is freed. By default it does, up to 32 MB, so the next file
// buffers and decoded images come from the per-thread heaps, which keep
// freed memory: under 200 concurrent thumbnail requests the server stayed
// ~125 MB above its decode budget for good. With a fixed threshold every
// buffer over 128 kB is its own mapping and goes back to the system when
// freed.
static void tune_malloc(void) {
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	// Few malloc arenas: each thread's arena otherwise keeps its own
	// freed memory, which on many-core machines adds up to tens of MB.
	mallopt(M_ARENA_MAX, 2);
#endif
}

// cmyk_to_rgbx converts Adobe (inverted) CMYK pixels to RGBX in place:
// Photoshop stores 255 for "no ink", so R = C*K/255 on the stored values.
static void cmyk_to_rgbx(unsigned char *p, size_t n) {
	for (size_t i = 0; i < n; i++, p += 4) {
		unsigned int c = p[0], m = p[1], y = p[2], k = p[3];
		p[0] = (unsigned char)((c * k + 127) / 255);
		p[1] = (unsigned char)((m * k + 127) / 255);
		p[2] = (unsigned char)((y * k + 127) / 255);
		p[3] = 255;
	}
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Available reports that this build decodes with libjpeg-turbo.
const Available = true

func init() { C.tune_malloc() }

// Header is what the JPEG's frame header declares.
type Header struct {
	Width, Height int
	Gray          bool // single-component JPEG
	CMYK          bool // four components (CMYK or YCCK)
}

// ReadHeader reads the frame header of the JPEG in data.
func ReadHeader(data []byte) (Header, error) {
	if len(data) == 0 {
		return Header{}, errors.New("empty jpeg")
	}
	h := C.tjInitDecompress()
	if h == nil {
		return Header{}, errors.New("turbojpeg: init decompressor failed")
	}
	defer C.tjDestroy(h)
	var w, ht, sub, cs C.int
	if C.tjDecompressHeader3(h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), &w, &ht, &sub, &cs) != 0 {
		return Header{}, fmt.Errorf("turbojpeg header: %s", C.GoString(C.tjGetErrorStr2(h)))
	}
	return Header{
		Width: int(w), Height: int(ht),
		Gray: cs == C.TJCS_GRAY,
		CMYK: cs == C.TJCS_CMYK || cs == C.TJCS_YCCK,
	}, nil
}

// ScaledSize returns the size libjpeg-turbo produces at the smallest DCT
// scale M/8 (at most 1) whose output still covers minW×minH. Scale 1/8
// keeps only each block's average, a box filter that aliases fine detail,
// so it is used only when its output covers twice the target, as vips
// does; M ≥ 2 drops frequencies inside the DCT, a clean low-pass, and only
// has to cover the target itself.
func ScaledSize(w, h, minW, minH int) (sw, sh int) {
	var n C.int
	sfs := C.tjGetScalingFactors(&n)
	best := [2]int{w, h}
	if sfs == nil {
		return w, h
	}
	for _, sf := range unsafe.Slice(sfs, int(n)) {
		num, den := int(sf.num), int(sf.denom)
		if num > den {
			continue // never upscale in the decoder
		}
		// TJSCALED: ceil(dim * num / denom)
		cw := (w*num + den - 1) / den
		ch := (h*num + den - 1) / den
		need := 1
		if num*8 < den*2 { // scale 1/8
			need = 2
		}
		if cw >= need*minW && ch >= need*minH && cw*ch < best[0]*best[1] {
			best = [2]int{cw, ch}
		}
	}
	return best[0], best[1]
}

// Image is a decoded picture in C memory. Pix is RGBA (alpha 255) with 4
// bytes per pixel, or one byte per pixel when Gray is set.
type Image struct {
	Pix           []byte
	Width, Height int
	Gray          bool
	ptr           unsafe.Pointer
}

// Free releases the pixel memory; Pix must not be used afterwards.
func (im *Image) Free() {
	if im.ptr != nil {
		C.free(im.ptr)
		im.ptr = nil
		im.Pix = nil
	}
}

// Decode decodes data at the DCT scale that yields exactly w×h (a size from
// ScaledSize). Corrupt or truncated data that libjpeg-turbo can recover from
// (a warning) still yields the picture, as browsers show it.
func Decode(data []byte, w, h int) (*Image, error) {
	hd, err := ReadHeader(data)
	if err != nil {
		return nil, err
	}
	hnd := C.tjInitDecompress()
	if hnd == nil {
		return nil, errors.New("turbojpeg: init decompressor failed")
	}
	defer C.tjDestroy(hnd)
	pf, bpp := C.int(C.TJPF_RGBA), 4
	switch {
	case hd.Gray:
		pf, bpp = C.TJPF_GRAY, 1
	case hd.CMYK:
		pf = C.TJPF_CMYK
	}
	// Merged (non-fancy) chroma upsampling is faster; when decoding at
	// reduced scale the output is resized further anyway.
	var flags C.int
	if w < hd.Width {
		flags |= C.TJFLAG_FASTUPSAMPLE
	}
	size := C.size_t(w) * C.size_t(h) * C.size_t(bpp)
	ptr := C.malloc(size)
	if ptr == nil {
		return nil, errors.New("turbojpeg: out of memory")
	}
	rc := C.tjDecompress2(hnd, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
		(*C.uchar)(ptr), C.int(w), C.int(w*bpp), C.int(h), pf, flags)
	if rc != 0 && C.tjGetErrorCode(hnd) != C.TJERR_WARNING {
		msg := C.GoString(C.tjGetErrorStr2(hnd))
		C.free(ptr)
		return nil, fmt.Errorf("turbojpeg decode: %s", msg)
	}
	if hd.CMYK {
		C.cmyk_to_rgbx((*C.uchar)(ptr), C.size_t(w*h))
	}
	return &Image{
		Pix:   unsafe.Slice((*byte)(ptr), int(size)),
		Width: w, Height: h, Gray: hd.Gray, ptr: ptr,
	}, nil
}

// Encode compresses RGBA pixels (4 bytes each, stride bytes per row), or grey
// pixels (1 byte each) when gray is set, at the given quality with 4:2:0
// chroma subsampling, like vips' default below quality 90.
func Encode(pix []byte, w, h, stride int, gray bool, quality int) ([]byte, error) {
	if w <= 0 || h <= 0 || len(pix) < stride*(h-1)+w {
		return nil, errors.New("turbojpeg encode: bad image size")
	}
	hnd := C.tjInitCompress()
	if hnd == nil {
		return nil, errors.New("turbojpeg: init compressor failed")
	}
	defer C.tjDestroy(hnd)
	pf, sub := C.int(C.TJPF_RGBA), C.int(C.TJSAMP_420)
	if gray {
		pf, sub = C.TJPF_GRAY, C.TJSAMP_GRAY
	}
	var out *C.uchar
	var outLen C.ulong
	rc := C.tjCompress2(hnd, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(stride), C.int(h), pf,
		&out, &outLen, sub, C.int(quality), 0)
	if out != nil {
		defer C.tjFree(out)
	}
	if rc != 0 {
		return nil, fmt.Errorf("turbojpeg encode: %s", C.GoString(C.tjGetErrorStr2(hnd)))
	}
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}

// Buffer is memory outside the Go heap.
type Buffer struct {
	ptr unsafe.Pointer
	n   int
}

// Alloc returns n bytes of C memory, or nil when none is left.
func Alloc(n int) *Buffer {
	if n <= 0 {
		n = 1
	}
	p := C.malloc(C.size_t(n))
	if p == nil {
		return nil
	}
	return &Buffer{ptr: p, n: n}
}

// Bytes returns the memory as a slice, valid until Free.
func (b *Buffer) Bytes() []byte { return unsafe.Slice((*byte)(b.ptr), b.n) }

// Free releases the memory.
func (b *Buffer) Free() {
	if b.ptr != nil {
		C.free(b.ptr)
		b.ptr = nil
	}
}
