//go:build cgo && !noturbojpeg && turbostatic

package turbo

// Release builds (scripts/build.sh, tag turbostatic) link libturbojpeg
// statically, so the binary and the .deb depend on nothing but libc.

// #cgo LDFLAGS: -l:libturbojpeg.a
import "C"
