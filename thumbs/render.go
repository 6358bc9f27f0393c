package thumbs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
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
	// MaxPixels refuses files declaring more pixels (0: DefaultMaxPixels).
	MaxPixels int64
	// DecodeBudget is the memory one decode may take at most, helpers
	// included (0: DefaultDecodeBudget); a file whose decode needs more
	// is refused.
	DecodeBudget int64
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
	if o.DecodeBudget <= 0 {
		o.DecodeBudget = DefaultDecodeBudget
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
	kind        string   // what the file is, for reasons: "16-bit PNG", "HEIC grid" …
	w, h        int      // stored (unrotated) size; 0 when only a helper can tell
	jpeg        jpegInfo // for formatJPEG and formatRAW
	span        span     // the JPEG's bytes inside the file
	img         imageHeader
	heif        heifHeader
	orientation int
	icc         []byte // formatImage: its colour profile when not sRGB
	cost        int64  // peak bytes of the decode and resizes
	sizes       []Size
	opts        Options
	// progressiveK is k when thumbs/internal/progressive decodes the
	// plan's progressive JPEG at k/8, 0 when libjpeg does (jpegCost
	// chooses).
	progressiveK int
}

// openPlan opens path, reads what its headers declare and applies the
// admission rule (admit.go). The caller must close the plan.
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
		p.kind = "JPEG"
	case formatRAW:
		pv, found := findRAWPreview(f, p.size, opts.MaxPixels)
		if !found {
			return nil, unsupported(fmt.Sprintf("no preview in this %s file", strings.ToUpper(strings.TrimPrefix(filepath.Ext(path), "."))))
		}
		p.span, p.jpeg = pv.span, pv.info
		if p.orientation == 0 {
			p.orientation = pv.orientation
		}
		p.kind = "RAW preview"
	case formatImage:
		if p.img, err = readImageHeader(f, p.size, head[:n]); err != nil {
			return nil, broken("unreadable image", err)
		}
		p.w, p.h, p.kind = p.img.w, p.img.h, p.img.kind
		e := readEmbedded(f, p.size, head[:n])
		if p.orientation == 0 {
			p.orientation = e.orientation
		}
		if !isSRGB(e.icc) {
			p.icc = e.icc
		}
	case formatHEIF:
		p.kind = "HEIC"
		if bytes.Contains(head[:n], []byte("avif")) || bytes.Contains(head[:n], []byte("avis")) {
			p.kind = "AVIF"
		}
		if opts.HEIFConvert == "" {
			if pv, ok := heifJPEGItem(f, p.size); ok {
				p.format, p.span, p.jpeg = formatJPEG, pv.span, pv.info
				break
			}
			return nil, unsupported(p.kind + " needs heif-convert (apt install libheif-examples)")
		}
		p.heif = readHEIFHeader(f, p.size)
		p.w, p.h = p.heif.w, p.heif.h
		if p.heif.grid {
			p.kind += " grid"
		}
	case formatVideo:
		if opts.FFmpeg == "" {
			return nil, unsupported("video preview needs ffmpeg (apt install ffmpeg)")
		}
		p.kind = "video"
		p.w, p.h, _ = readVideoSize(f, p.size, head[:n])
	default:
		return nil, unsupported("unknown file format")
	}
	if p.format == formatJPEG || p.format == formatRAW {
		p.w, p.h = p.jpeg.Width, p.jpeg.Height
		if p.jpeg.Progressive {
			p.kind = "progressive " + p.kind
		}
	}
	if p.orientation < 1 || p.orientation > 8 {
		p.orientation = 1
	}
	if err := p.admit(); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

func (p *plan) close() { p.f.Close() }

// need returns the stored-orientation size a decode must cover so that
// every requested size can be cut from it without upscaling.
func (p *plan) need(w, h int) (int, int) { return needFor(p.sizes, w, h, p.orientation) }

// needFor returns the stored-orientation size a picture of w×h stored
// pixels must have for every size in sizes to be cut from it without
// upscaling.
func needFor(sizes []Size, w, h, orientation int) (int, int) {
	var nw, nh int
	for _, s := range sizes {
		var tw, th int
		if s.Crop {
			// The centre square's side must reach the tile's side.
			side := max(1, min(w, h))
			n := min(max(s.W, s.H), side)
			tw, th = w*n/side, h*n/side
		} else {
			ow, oh := w, h
			if orientation >= 5 {
				ow, oh = h, w
			}
			tw, th = s.outputSize(ow, oh)
			if orientation >= 5 {
				tw, th = th, tw
			}
		}
		nw, nh = max(nw, tw), max(nh, th)
	}
	return nw, nh
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
		img, err := p.decodeImage()
		if err != nil {
			return nil, broken("unreadable image", err)
		}
		if b := img.Bounds(); b.Dx() != p.w || b.Dy() != p.h {
			return nil, broken("unreadable image", fmt.Errorf("decoded %v, header said %d×%d", b.Size(), p.w, p.h))
		}
		// The resampler reads grey, RGBA and YCbCr rows directly; the
		// rest is flattened onto white first.
		if _, ok := img.(*image.YCbCr); !ok {
			img = flatten(img)
		}
		return &picture{img: img, free: func() {}, origW: p.w, origH: p.h, orientation: p.orientation, icc: p.icc}, nil
	case formatHEIF, formatVideo:
		var jpg []byte
		var err error
		lim := helperLimits{as: p.helperAS(), cpu: 2 * p.opts.HelperTimeout, fsize: maxHelperOutput}
		if p.format == formatHEIF {
			jpg, err = heifToJPEG(ctx, p.opts, lim, p.path)
		} else {
			jpg, err = videoFrame(ctx, p.opts, lim, p.helperPixels(), p.path)
		}
		if err != nil {
			return nil, err
		}
		info, err := readJPEGInfo(bytes.NewReader(jpg), 0, int64(len(jpg)), true)
		if err != nil {
			return nil, broken("helper wrote no usable JPEG", err)
		}
		// The helper's picture is held to what was admitted: a header
		// may understate what the stream holds.
		if px := int64(info.Width) * int64(info.Height); px > p.opts.MaxPixels || px > p.helperPixels() {
			return nil, tooLarge(fmt.Sprintf("image too large (%d×%d from the %s helper, more than its header declared)", info.Width, info.Height, p.kind))
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
	k := 0
	if info.Progressive && info.Width == p.jpeg.Width && info.Height == p.jpeg.Height {
		k = p.progressiveK
	}
	img, free, err := decodeJPEG(data, info, mw, mh, k)
	if err != nil {
		return nil, broken("unreadable JPEG", err)
	}
	pic := &picture{img: img, free: free, origW: info.Width, origH: info.Height, orientation: orientation}
	if len(info.ICC) > 0 && !isSRGB(info.ICC) {
		pic.icc = info.ICC
	}
	return pic, nil
}

// render cuts one size from the picture and encodes it. It also returns
// the resampled picture before it was turned upright.
func (pic *picture) render(s Size, quality int) ([]byte, image.Image, error) {
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
	scaled := img
	img = orient(toEncodable(img), pic.orientation)
	jpg, err := encodeJPEG(img, quality)
	if err != nil {
		return nil, nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return withICC(jpg, pic.icc), scaled, nil
}

// renderAll decodes once and renders every size of the plan. For formats
// decoded at full size or by a helper the sizes go largest first, and
// once a rendered picture covers every smaller size the rest are cut from
// it instead of the full decode, which is let go: a 20 MP PNG is
// resampled once, not once per size.
func (p *plan) renderAll(ctx context.Context) ([][]byte, error) {
	pic, err := p.decode(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { pic.free() }()
	out := make([][]byte, len(p.sizes))
	order := make([]int, len(p.sizes))
	for i := range order {
		order[i] = i
	}
	cascade := p.format != formatJPEG && p.format != formatRAW && len(p.sizes) > 1
	area := func(i int) int {
		w, h := needFor(p.sizes[i:i+1], pic.origW, pic.origH, pic.orientation)
		return w * h
	}
	if cascade {
		slices.SortStableFunc(order, func(a, b int) int { return area(b) - area(a) })
	}
	for k, i := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		jpg, scaled, err := pic.render(p.sizes[i], p.opts.Quality)
		if err != nil {
			return nil, err
		}
		out[i] = jpg
		if !cascade || p.sizes[i].Crop || k+1 == len(order) || scaled == pic.img {
			continue
		}
		rest := make([]Size, 0, len(order)-k-1)
		for _, j := range order[k+1:] {
			rest = append(rest, p.sizes[j])
		}
		nw, nh := needFor(rest, pic.origW, pic.origH, pic.orientation)
		if b := scaled.Bounds(); b.Dx() >= nw && b.Dy() >= nh {
			pic.free()
			pic.img, pic.free = scaled, func() {}
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

// decodeImage decodes a PNG, GIF, WebP, TIFF or BMP with its own decoder:
// the TIFF one gets the file itself (image.Decode would hand it a buffered
// stream, which x/image/tiff reads whole into memory), an animated WebP
// its first frame.
func (p *plan) decodeImage() (image.Image, error) {
	sr := io.NewSectionReader(p.f, 0, p.size)
	br := func() io.Reader { return bufio.NewReaderSize(sr, 64<<10) }
	switch k := p.img.kind; {
	case strings.HasSuffix(k, "PNG"):
		return png.Decode(br())
	case strings.HasSuffix(k, "GIF"):
		img, err := gif.Decode(br())
		if err != nil {
			return nil, err
		}
		// The first frame may cover only part of the screen: it is shown
		// where it sits, on white (its RGBA copy was charged).
		if b := img.Bounds(); b != image.Rect(0, 0, p.w, p.h) {
			canvas := image.NewRGBA(image.Rect(0, 0, p.w, p.h))
			draw.Draw(canvas, canvas.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
			draw.Draw(canvas, b, img, b.Min, draw.Over)
			return canvas, nil
		}
		return img, nil
	case strings.HasSuffix(k, "TIFF"):
		return tiff.Decode(sr)
	case k == "BMP":
		return bmp.Decode(br())
	case p.img.webpFrame != nil:
		return decodeWebPFrame(p.f, p.img)
	default:
		return webp.Decode(br())
	}
}
