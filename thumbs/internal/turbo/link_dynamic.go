//go:build cgo && !noturbojpeg && !turbostatic

package turbo

// Development builds link the system's shared libturbojpeg.

// #cgo LDFLAGS: -lturbojpeg
import "C"
