package thumbs

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

var (
	placeholderBG   = color.RGBA{0xD6, 0xD6, 0xD6, 0xFF}
	placeholderInk  = color.RGBA{0x8C, 0x8C, 0x8C, 0xFF}
	placeholderText = color.RGBA{0x4A, 0x4A, 0x4A, 0xFF}

	placeholderMu    sync.Mutex
	placeholderCache = map[string][]byte{}
)

// placeholderSize is the size of a placeholder: tiles are exact, fit sizes
// get a 4:3 landscape box inside their bounds.
func placeholderSize(s Size) (int, int) {
	if s.Crop {
		return s.W, s.H
	}
	w, h := s.W, s.W*3/4
	if h > s.H {
		w, h = s.H*4/3, s.H
	}
	return w, h
}

// Placeholder returns a JPEG of a neutral grey picture icon with reason
// written under it (on sizes large enough to read it), shown instead of a
// thumbnail that cannot be rendered, so the browser never shows a broken
// image.
func Placeholder(size Size, reason string) []byte {
	if _, ok := ParseSize(size.Name); !ok {
		size = Sizes[2]
	}
	key := size.Name + "\x00" + reason
	placeholderMu.Lock()
	if b, ok := placeholderCache[key]; ok {
		placeholderMu.Unlock()
		return b
	}
	placeholderMu.Unlock()

	w, h := placeholderSize(size)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(placeholderBG), image.Point{}, draw.Src)
	unit := max(1, min(w, h)/8)
	showText := reason != "" && w >= 200
	cy := h / 2
	if showText {
		cy = h * 2 / 5
	}
	drawPictureIcon(img, w/2, cy, unit)
	if showText {
		drawText(img, reason, cy+2*unit+unit/2, max(1, w/300))
	}
	b, err := encodeJPEG(img, 80)
	if err != nil {
		return nil
	}
	placeholderMu.Lock()
	if len(placeholderCache) < 256 {
		placeholderCache[key] = b
	}
	placeholderMu.Unlock()
	return b
}

// drawPictureIcon draws a framed landscape (frame, mountain, sun) centred at
// cx, cy, 4 units wide and 3 high.
func drawPictureIcon(img *image.RGBA, cx, cy, u int) {
	x0, y0, x1, y1 := cx-2*u, cy-3*u/2, cx+2*u, cy+3*u/2
	t := max(1, u/6)
	ink := image.NewUniform(placeholderInk)
	for _, r := range []image.Rectangle{
		image.Rect(x0, y0, x1, y0+t), image.Rect(x0, y1-t, x1, y1),
		image.Rect(x0, y0, x0+t, y1), image.Rect(x1-t, y0, x1, y1),
	} {
		draw.Draw(img, r, ink, image.Point{}, draw.Src)
	}
	// Mountain: a triangle standing on the frame's bottom edge.
	base, peakX, peakY := y1-t, cx-u/3, cy-u/3
	for y := peakY; y < base; y++ {
		half := (y - peakY) * 3 / 2
		draw.Draw(img, image.Rect(max(x0+t, peakX-half), y, min(x1-t, peakX+half), y+1), ink, image.Point{}, draw.Src)
	}
	// Sun: a disc in the upper right.
	sx, sy, r := cx+u, cy-u/2, max(1, u/3)
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				img.Set(sx+x, sy+y, placeholderInk)
			}
		}
	}
}

// drawText writes s centred at baseline y, scaled up k times, wrapping to
// the image width.
func drawText(img *image.RGBA, s string, y, k int) {
	face := basicfont.Face7x13
	maxChars := max(8, img.Rect.Dx()/(7*k)-2)
	for _, line := range wrap(s, maxChars) {
		lw := font.MeasureString(face, line).Ceil()
		small := image.NewRGBA(image.Rect(0, 0, lw, 13))
		d := font.Drawer{Dst: small, Src: image.NewUniform(placeholderText), Face: face, Dot: fixed.P(0, 11)}
		d.DrawString(line)
		x0 := (img.Rect.Dx() - lw*k) / 2
		for sy := 0; sy < 13; sy++ {
			for sx := 0; sx < lw; sx++ {
				if small.RGBAAt(sx, sy).A > 0x80 {
					draw.Draw(img, image.Rect(x0+sx*k, y+sy*k, x0+(sx+1)*k, y+(sy+1)*k),
						image.NewUniform(placeholderText), image.Point{}, draw.Src)
				}
			}
		}
		y += 15 * k
	}
}

func wrap(s string, n int) []string {
	var lines []string
	var cur string
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len(cur)+1+len(w) <= n:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
