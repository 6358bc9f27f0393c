package thumbs

import (
	"image"
	"image/color"
	"image/draw"

	"github.com/nfnt/resize"
)

// resample scales img to exactly w×h with a Lanczos3 filter. It is the one
// place that knows which resampler is used, so it stays swappable.
func resample(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return img
	}
	return resizer(img, w, h)
}

// resizer is the resampler behind resample: our own Lanczos3 (lanczos.go),
// which costs about a third of nfnt/resize's CPU time at the same quality.
// nfntResize stays as the alternative (build tag nfntresize) and as the
// tests' reference.
var resizer = lanczosResize

// nfntResize is nfnt/resize's Lanczos3. The library is archived; it is
// kept to compare against and to fall back to.
func nfntResize(img image.Image, w, h int) image.Image {
	return resize.Resize(uint(w), uint(h), img, resize.Lanczos3)
}

// centreSquare returns the centred square of side min(w, h) of img, sharing
// its pixels. The result's bounds start at 0,0, which nfnt/resize (the
// alternative resampler) expects.
func centreSquare(img image.Image) image.Image {
	b := img.Bounds()
	m := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-m)/2, b.Min.Y+(b.Dy()-m)/2
	switch p := img.(type) {
	case *image.RGBA:
		off := p.PixOffset(x0, y0)
		return &image.RGBA{Pix: p.Pix[off:], Stride: p.Stride, Rect: image.Rect(0, 0, m, m)}
	case *image.Gray:
		off := p.PixOffset(x0, y0)
		return &image.Gray{Pix: p.Pix[off:], Stride: p.Stride, Rect: image.Rect(0, 0, m, m)}
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(image.Rect(x0, y0, x0+m, y0+m))
	}
	out := image.NewRGBA(image.Rect(0, 0, m, m))
	draw.Draw(out, out.Rect, img, image.Pt(x0, y0), draw.Src)
	return out
}

// flatten converts any image to 8-bit RGBA (or keeps grey as grey),
// compositing transparency onto white as a JPEG cannot carry alpha.
func flatten(img image.Image) image.Image {
	switch p := img.(type) {
	case *image.Gray:
		return p
	case *image.RGBA:
		if p.Opaque() {
			return p
		}
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(out, out.Rect, img, b.Min, draw.Over)
	return out
}

// orient applies an EXIF orientation (1–8) to img, returning an upright
// image. It runs on the small output, after scaling, where it is cheap.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	// dst(x', y') = src(x, y) where (x, y) is given per orientation.
	src := func(xd, yd int) (int, int) {
		switch o {
		case 2:
			return w - 1 - xd, yd
		case 3:
			return w - 1 - xd, h - 1 - yd
		case 4:
			return xd, h - 1 - yd
		case 5:
			return yd, xd
		case 6:
			return yd, h - 1 - xd
		case 7:
			return w - 1 - yd, h - 1 - xd
		default: // 8
			return w - 1 - yd, xd
		}
	}
	switch p := img.(type) {
	case *image.Gray:
		out := image.NewGray(image.Rect(0, 0, ow, oh))
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				sx, sy := src(x, y)
				out.Pix[y*out.Stride+x] = p.Pix[p.PixOffset(b.Min.X+sx, b.Min.Y+sy)]
			}
		}
		return out
	case *image.RGBA:
		out := image.NewRGBA(image.Rect(0, 0, ow, oh))
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				sx, sy := src(x, y)
				i := p.PixOffset(b.Min.X+sx, b.Min.Y+sy)
				copy(out.Pix[y*out.Stride+x*4:y*out.Stride+x*4+4], p.Pix[i:i+4])
			}
		}
		return out
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := src(x, y)
			out.Set(x, y, img.At(b.Min.X+sx, b.Min.Y+sy))
		}
	}
	return out
}

// toEncodable returns img as *image.RGBA or *image.Gray, the two layouts the
// encoders take.
func toEncodable(img image.Image) image.Image {
	switch img.(type) {
	case *image.RGBA, *image.Gray:
		return img
	}
	return flatten(img)
}
