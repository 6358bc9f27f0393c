package thumbs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"

	"golang.org/x/image/webp"
)

// decodeWebPFrame renders the first frame of an animated WebP, which
// x/image/webp does not read: the frame's ALPH and VP8/VP8L chunks are
// copied into a still WebP in memory (with a VP8X header declaring the
// frame's size and alpha), decoded, and drawn at its place on a white
// canvas of the animation's size. The frame and canvas sizes were
// admitted before (webpHeader).
func decodeWebPFrame(r io.ReaderAt, h imageHeader) (image.Image, error) {
	f := h.webpFrame
	still, err := stillWebP(r, f)
	if err != nil {
		return nil, err
	}
	frame, err := webp.Decode(bytes.NewReader(still))
	if err != nil {
		return nil, fmt.Errorf("webp first frame: %w", err)
	}
	if b := frame.Bounds(); b.Dx() != f.w || b.Dy() != f.h {
		return nil, fmt.Errorf("webp first frame is %v, declared %d×%d", b.Size(), f.w, f.h)
	}
	canvas := image.NewRGBA(image.Rect(0, 0, h.w, h.h))
	draw.Draw(canvas, canvas.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	at := image.Rect(f.x, f.y, f.x+f.w, f.y+f.h)
	draw.Draw(canvas, at, frame, frame.Bounds().Min, draw.Over)
	return canvas, nil
}

// stillWebP builds a still WebP file from an animation frame's chunks.
func stillWebP(r io.ReaderAt, f *webpFrame) ([]byte, error) {
	if f.data.n <= 0 || f.data.n > 1<<30 || f.alph.n > 1<<30 {
		return nil, errors.New("webp frame without data")
	}
	chunk := func(fourcc string, s span) ([]byte, error) {
		b := make([]byte, 8+s.n+s.n&1)
		copy(b, fourcc)
		binary.LittleEndian.PutUint32(b[4:], uint32(s.n))
		if _, err := r.ReadAt(b[8:8+s.n], s.off); err != nil {
			return nil, fmt.Errorf("read webp frame: %w", err)
		}
		return b, nil
	}
	var body []byte
	body = append(body, "WEBP"...)
	data := "VP8 "
	if f.lossless {
		data = "VP8L"
	}
	if f.alph.n > 0 && !f.lossless {
		// Alpha with lossy data needs the extended header.
		x := make([]byte, 18)
		copy(x, "VP8X")
		binary.LittleEndian.PutUint32(x[4:], 10)
		x[8] = 0x10 // alpha
		put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
		put24(x[12:], f.w-1)
		put24(x[15:], f.h-1)
		body = append(body, x...)
		a, err := chunk("ALPH", f.alph)
		if err != nil {
			return nil, err
		}
		body = append(body, a...)
	}
	d, err := chunk(data, f.data)
	if err != nil {
		return nil, err
	}
	body = append(body, d...)
	out := make([]byte, 8, 8+len(body))
	copy(out, "RIFF")
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...), nil
}
