package thumbs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // first frame of GIFs
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Defaults for Options and Config.
const (
	DefaultMaxPixels     = 150_000_000 // 150 MP: medium format and panoramas pass, bombs do not
	DefaultQuality       = 85
	DefaultHelperTimeout = 30 * time.Second
)

// Options control one render.
type Options struct {
	// Orientation is the EXIF orientation (1–8) the index knows; 0 reads it
	// from the file.
	Orientation int
	// MIME is the type the index recorded; the content is sniffed anyway.
	MIME string
	// MaxPixels refuses JPEGs declaring more pixels (0: DefaultMaxPixels);
	// progressive JPEGs and formats decoded at full size get a third of it.
	MaxPixels int64
	// Quality of the JPEG output (0: DefaultQuality).
	Quality int
	// HEIFConvert is the path of heif-dec or heif-convert, FFmpeg that of
	// ffmpeg; empty means not available.
	HEIFConvert, FFmpeg string
	// HelperTimeout bounds each helper process (0: DefaultHelperTimeout).
	HelperTimeout time.Duration
}

// FindHelpers returns the paths of the optional helper programs on PATH:
// heif-dec (libheif ≥ 1.17) or heif-convert, and ffmpeg.
func FindHelpers() (heif, ffmpeg string) {
	for _, name := range []string{"heif-dec", "heif-convert"} {
		if p, err := exec.LookPath(name); err == nil {
			heif = p
			break
		}
	}
	ffmpeg, _ = exec.LookPath("ffmpeg")
	return heif, ffmpeg
}

func (o Options) withDefaults() Options {
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.Quality <= 0 || o.Quality > 100 {
		o.Quality = DefaultQuality
	}
	if o.HelperTimeout <= 0 {
		o.HelperTimeout = DefaultHelperTimeout
	}
	return o
}

// buffer is file content handed to a decoder, possibly outside the Go heap.
type buffer struct {
	b    []byte
	free func()
}

// plan is an opened source whose header has been read: enough to refuse
// it, to estimate the memory a decode needs, and then to decode it.
type plan struct {
	f           *os.File
	path        string
	size        int64
	format      format
	w, h        int      // stored (unrotated) size; 0 until a helper ran
	jpeg        jpegInfo // for formatJPEG and formatRAW
	span        span     // the JPEG's bytes inside the file
	orientation int
	icc         []byte // formatImage: its colour profile when not sRGB
	cost        int64  // estimated peak bytes of the decode and resizes
	sizes       []Size
	opts        Options
}

// openPlan opens path and reads what it declares. The caller must close
// the plan.
func openPlan(path string, sizes []Size, opts Options) (*plan, error) {
	opts = opts.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open original: %w", err)
	}
	p := &plan{f: f, path: path, sizes: sizes, opts: opts, orientation: opts.Orientation}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat original: %w", err)
	}
	p.size = st.Size()
	head := make([]byte, 32)
	n, _ := f.ReadAt(head, 0)
	p.format = sniff(head[:n], path, opts.MIME)
	switch p.format {
	case formatJPEG:
		p.span = span{0, p.size}
		if p.jpeg, err = readJPEGInfo(f, 0, p.size, true); err != nil {
			return nil, broken("unreadable JPEG", err)
		}
		if p.orientation == 0 {
			p.orientation = p.jpeg.Orientation
		}
	case formatRAW:
		pv, found := findRAWPreview(f, p.size)
		if !found {
			return nil, unsupported(fmt.Sprintf("no preview in this %s file", strings.ToUpper(strings.TrimPrefix(filepath.Ext(path), "."))))
		}
		p.span, p.jpeg = pv.span, pv.info
		if p.orientation == 0 {
			p.orientation = pv.orientation
		}
	case formatImage:
		cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, p.size))
		if err != nil {
			return nil, broken("unreadable image", err)
		}
		p.w, p.h = cfg.Width, cfg.Height
		e := readEmbedded(f, p.size, head[:n])
		if p.orientation == 0 {
			p.orientation = e.orientation
		}
		if !isSRGB(e.icc) {
			p.icc = e.icc
		}
	case formatHEIF:
		if opts.HEIFConvert == "" {
			kind := "HEIC"
			if bytes.Contains(head[:n], []byte("avif")) {
				kind = "AVIF"
			}
			if pv, ok := heifJPEGItem(f, p.size); ok {
				p.format, p.span, p.jpeg = formatJPEG, pv.span, pv.info
				break
			}
			return nil, unsupported(kind + " needs heif-convert (apt install libheif-examples)")
		}
	case formatVideo:
		if opts.FFmpeg == "" {
			return nil, unsupported("video preview needs ffmpeg (apt install ffmpeg)")
		}
	default:
		return nil, unsupported("unknown file format")
	}
	if p.format == formatJPEG || p.format == formatRAW {
		p.w, p.h = p.jpeg.Width, p.jpeg.Height
	}
	if p.orientation < 1 || p.orientation > 8 {
		p.orientation = 1
	}
	// Reduced-scale JPEG decoding needs little memory whatever the size;
	// full decodes (other formats) and progressive JPEGs, whose DCT
	// coefficients libjpeg keeps for the whole image, need several bytes
	// per pixel, so they get a third of the limit.
	limit := opts.MaxPixels
	if p.format == formatImage || p.jpeg.Progressive {
		limit /= 3
	}
	if px := int64(p.w) * int64(p.h); px > limit {
		return nil, &reasonError{kind: ErrTooLarge,
			reason: fmt.Sprintf("image too large (%d×%d, %d MP; limit %d MP)", p.w, p.h, px/1e6, limit/1e6)}
	}
	p.cost = p.estimate()
	ok = true
	return p, nil
}

func (p *plan) close() { p.f.Close() }

// need returns the stored-orientation size a decode must cover so that
// every requested size can be cut from it without upscaling.
func (p *plan) need(w, h int) (int, int) {
	var nw, nh int
	for _, s := range p.sizes {
		var tw, th int
		if s.Crop {
			// The centre square's side must reach the tile's side.
			side := min(w, h)
			n := min(max(s.W, s.H), side)
			tw, th = w*n/side, h*n/side
		} else {
			ow, oh := w, h
			if p.orientation >= 5 {
				ow, oh = h, w
			}
			tw, th = s.outputSize(ow, oh)
			if p.orientation >= 5 {
				tw, th = th, tw
			}
		}
		nw, nh = max(nw, tw), max(nh, th)
	}
	return nw, nh
}

// estimate returns the peak memory a decode of this plan needs.
func (p *plan) estimate() int64 {
	const overhead = 1 << 20
	switch p.format {
	case formatJPEG, formatRAW:
		mw, mh := p.need(p.w, p.h)
		dw, dh := decodedScale(p.w, p.h, mw, mh)
		px := int64(dw) * int64(dh)
		cost := p.span.n + px*4 + int64(mw)*int64(dh)*4 + int64(mw)*int64(mh)*4 + overhead
		if p.jpeg.Progressive && turboJPEG {
			// libjpeg keeps every DCT coefficient of a progressive image:
			// two bytes per sample, about 1.5 samples per pixel at 4:2:0.
			cost += 3 * int64(p.w) * int64(p.h)
		}
		return cost
	case formatImage:
		// Decoded pixels (up to 8 bytes for 16-bit) plus an RGBA copy.
		return int64(p.w)*int64(p.h)*12 + overhead
	case formatHEIF:
		return 48 << 20 // the helper's full decode, in its own process
	default:
		return 32 << 20
	}
}

// picture is a decoded image in stored orientation, possibly reduced.
type picture struct {
	img          image.Image
	free         func()
	origW, origH int // stored size of the full image
	orientation  int
	icc          []byte
}

// decode produces the picture, running a helper first where one is needed.
func (p *plan) decode(ctx context.Context) (*picture, error) {
	switch p.format {
	case formatJPEG, formatRAW:
		buf := allocBuffer(int(p.span.n))
		if buf == nil {
			return nil, errors.New("out of memory for file buffer")
		}
		defer buf.free()
		n, err := p.f.ReadAt(buf.b, p.span.off)
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			return nil, fmt.Errorf("read original: %w", err)
		}
		return p.decodeJPEGBytes(buf.b[:n], p.jpeg, p.orientation)
	case formatImage:
		img, _, err := image.Decode(io.NewSectionReader(p.f, 0, p.size))
		if err != nil {
			return nil, broken("unreadable image", err)
		}
		img = flatten(img)
		return &picture{img: img, free: func() {}, origW: p.w, origH: p.h, orientation: p.orientation, icc: p.icc}, nil
	case formatHEIF, formatVideo:
		var jpg []byte
		var err error
		if p.format == formatHEIF {
			jpg, err = heifToJPEG(ctx, p.opts, p.path)
		} else {
			jpg, err = videoFrame(ctx, p.opts, p.path)
		}
		if err != nil {
			return nil, err
		}
		info, err := readJPEGInfo(bytes.NewReader(jpg), 0, int64(len(jpg)), true)
		if err != nil {
			return nil, broken("helper wrote no usable JPEG", err)
		}
		if int64(info.Width)*int64(info.Height) > p.opts.MaxPixels {
			return nil, &reasonError{kind: ErrTooLarge, reason: "image too large"}
		}
		// Helpers apply the container's rotation (ffmpeg: the display
		// matrix; heif-convert: irot/imir) but keep the EXIF block. A HEIF
		// without irot/imir relies on its EXIF orientation alone.
		o := 1
		if p.format == formatHEIF && !heifTransformed(p.f, p.size) && info.Orientation > 1 {
			o = info.Orientation
		}
		p.w, p.h, p.orientation = info.Width, info.Height, o
		return p.decodeJPEGBytes(jpg, info, o)
	}
	return nil, unsupported("unknown file format")
}

func (p *plan) decodeJPEGBytes(data []byte, info jpegInfo, orientation int) (*picture, error) {
	mw, mh := p.need(info.Width, info.Height)
	img, free, err := decodeJPEG(data, info, mw, mh)
	if err != nil {
		return nil, broken("unreadable JPEG", err)
	}
	pic := &picture{img: img, free: free, origW: info.Width, origH: info.Height, orientation: orientation}
	if len(info.ICC) > 0 && !isSRGB(info.ICC) {
		pic.icc = info.ICC
	}
	return pic, nil
}

// render cuts one size from the picture and encodes it.
func (pic *picture) render(s Size, quality int) ([]byte, error) {
	var img image.Image
	if s.Crop {
		img = resample(centreSquare(pic.img), s.W, s.H)
	} else {
		ow, oh := pic.origW, pic.origH
		if pic.orientation >= 5 {
			ow, oh = oh, ow
		}
		tw, th := s.outputSize(ow, oh)
		if pic.orientation >= 5 {
			tw, th = th, tw
		}
		img = resample(pic.img, tw, th)
	}
	img = orient(toEncodable(img), pic.orientation)
	jpg, err := encodeJPEG(img, quality)
	if err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return withICC(jpg, pic.icc), nil
}

// renderAll decodes once and renders every size of the plan, in order.
func (p *plan) renderAll(ctx context.Context) ([][]byte, error) {
	pic, err := p.decode(ctx)
	if err != nil {
		return nil, err
	}
	defer pic.free()
	out := make([][]byte, len(p.sizes))
	for i, s := range p.sizes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if out[i], err = pic.render(s, p.opts.Quality); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Render renders one size of the file at path without any cache, e.g. for
// `pinhole thumb`. The result is a JPEG.
func Render(ctx context.Context, path string, size Size, opts Options) (_ []byte, err error) {
	defer survivePanic(&err)
	p, err := openPlan(path, []Size{size}, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	out, err := p.renderAll(ctx)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// RenderFile renders one size of path into outDir as
// "<name without extension>_<size>.jpg" and returns the output's path.
func RenderFile(ctx context.Context, path string, size Size, outDir string, opts Options) (string, error) {
	jpg, err := Render(ctx, path, size, opts)
	if err != nil {
		return "", err
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	out := filepath.Join(outDir, base+"_"+size.Name+".jpg")
	if err := writeFileAtomic(out, bytes.NewReader(jpg)); err != nil {
		return "", err
	}
	return out, nil
}
