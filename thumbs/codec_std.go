//go:build !cgo || noturbojpeg

package thumbs

import (
	"bytes"
	"image"
	"image/jpeg"
)

// turboJPEG is false: this build decodes and encodes with image/jpeg, which
// cannot decode at reduced scale and is several times slower.
const turboJPEG = false

func allocBuffer(n int) *buffer {
	return &buffer{b: make([]byte, n), free: func() {}}
}

// decodedScale is the full size: image/jpeg has no scaled decoding.
func decodedScale(w, h, minW, minH int) (int, int) { return w, h }

// progressiveScale is 0: image/jpeg decodes every JPEG at full size.
func progressiveScale(info jpegInfo, sw, sh int) int { return 0 }

func decodeJPEG(data []byte, info jpegInfo, minW, minH, k int) (image.Image, func(), error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	// The resampler takes YCbCr and grey directly; converting a 24 MP
	// YCbCr picture to RGBA would add 96 MB.
	switch img.(type) {
	case *image.Gray, *image.RGBA, *image.YCbCr:
	default:
		img = flatten(img)
	}
	return img, func() {}, nil
}

func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, toEncodable(img), &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
