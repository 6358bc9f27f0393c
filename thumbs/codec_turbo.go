//go:build cgo && !noturbojpeg

package thumbs

import (
	"image"

	"pinhole/thumbs/internal/progressive"
	"pinhole/thumbs/internal/turbo"
)

// turboJPEG reports that JPEGs are decoded at reduced DCT scale and encoded
// by libjpeg-turbo.
const turboJPEG = true

// allocBuffer returns n bytes outside the Go heap, for file contents that are
// handed to the decoder and dropped right after.
func allocBuffer(n int) *buffer {
	b := turbo.Alloc(n)
	if b == nil {
		return nil
	}
	return &buffer{b: b.Bytes(), free: b.Free}
}

// decodedScale returns the size a JPEG of w×h decodes to when the result must
// cover minW×minH: the smallest M/8 DCT scale that does.
func decodedScale(w, h, minW, minH int) (int, int) {
	return turbo.ScaledSize(w, h, minW, minH)
}

// progressiveScale is the k of a progressive JPEG decoded to sw×sh (a
// size from decodedScale, k/8 of the original) when thumbs/internal/
// progressive can decode it, 0 when only libjpeg can. libjpeg keeps every
// coefficient of a progressive file whatever the scale, 72 MB for 24 MP
// with 4:2:0 chroma; that package keeps what the scale needs.
func progressiveScale(info jpegInfo, sw, sh int) int {
	if !info.Progressive || info.Components != 1 && info.Components != 3 {
		return 0
	}
	for k := 1; k <= progressive.MaxScale; k++ {
		if (info.Width*k+7)/8 == sw && (info.Height*k+7)/8 == sh {
			return k
		}
	}
	return 0
}

// decodeJPEG decodes data at the smallest DCT scale covering minW×minH,
// with thumbs/internal/progressive when k (from jpegCost) says so. The
// returned free function releases the pixels.
func decodeJPEG(data []byte, info jpegInfo, minW, minH, k int) (image.Image, func(), error) {
	sw, sh := turbo.ScaledSize(info.Width, info.Height, minW, minH)
	if k > 0 && progressiveScale(info, sw, sh) == k {
		im, err := progressive.Decode(data, k, func(n int) ([]byte, func()) {
			buf := turbo.Alloc(n)
			if buf == nil {
				return nil, nil
			}
			return buf.Bytes(), buf.Free
		})
		if err == nil {
			if im.Gray {
				return &image.Gray{Pix: im.Pix, Stride: sw, Rect: image.Rect(0, 0, sw, sh)}, im.Free, nil
			}
			return &image.RGBA{Pix: im.Pix, Stride: sw * 4, Rect: image.Rect(0, 0, sw, sh)}, im.Free, nil
		}
		// What it refuses (or finds broken in a header) goes to libjpeg,
		// which also says what is wrong with a broken file.
	}
	im, err := turbo.Decode(data, sw, sh)
	if err != nil {
		return nil, nil, err
	}
	if im.Gray {
		return &image.Gray{Pix: im.Pix, Stride: sw, Rect: image.Rect(0, 0, sw, sh)}, im.Free, nil
	}
	return &image.RGBA{Pix: im.Pix, Stride: sw * 4, Rect: image.Rect(0, 0, sw, sh)}, im.Free, nil
}

// encodeJPEG encodes an *image.RGBA or *image.Gray.
func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	switch p := img.(type) {
	case *image.Gray:
		return turbo.Encode(p.Pix, p.Rect.Dx(), p.Rect.Dy(), p.Stride, true, quality)
	case *image.RGBA:
		return turbo.Encode(p.Pix, p.Rect.Dx(), p.Rect.Dy(), p.Stride, false, quality)
	}
	return encodeJPEG(flatten(img), quality)
}
