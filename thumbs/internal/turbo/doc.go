// Package turbo is the small cgo binding to libjpeg-turbo's TurboJPEG API
// that the thumbnail pipeline needs: read a JPEG header, decode at a reduced
// DCT scale into C memory, and encode 8-bit RGBA or grey pixels. It is
// compiled only with cgo and without the noturbojpeg build tag; the thumbs
// package then falls back to image/jpeg.
//
// Decoded pixels live in C memory (freed by Image.Free) so that large
// decodes never grow the Go heap: the garbage collector would otherwise let
// the heap reach twice the live size before collecting, which is what makes a
// Raspberry Pi run out of memory.
package turbo
