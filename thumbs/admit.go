package thumbs

import (
	"fmt"
	"math"

	"pinhole/thumbs/internal/progressive"
)

// One admission rule for every decoder and helper: before anything is
// decoded or any helper starts, the file's headers say how many pixels it
// has, at what depth and in how many frames; from that comes the memory
// the decode really takes (pixels at the chosen DCT scale × bytes per
// pixel, the decoder's own buffers, the resampler's working set, a
// helper's process). A file declaring more pixels than MaxPixels, or whose
// decode needs more than the whole decode budget, is refused with the
// numbers in the reason; nothing runs "alone" over the budget.

// Cost model of the helper programs, measured with Debian 12's ffmpeg 5.1
// and heif-convert 1.15 (peak RSS, /usr/bin/time) on 0.2–12 MP pictures:
// a fixed part (the program and its libraries) and a part per pixel of
// the image they decode.
const (
	heifBase  = 16 << 20
	heifPerPx = 6
	// ffmpeg decodes one key frame on one thread (-skip_frame nokey
	// -threads 1): 64 MB for 1080p, 84 MB for 4K.
	ffmpegBase  = 48 << 20
	ffmpegPerPx = 5
	// Address-space limits (RLIMIT_AS) for the helpers: what they map
	// is far more than what they touch (ffmpeg maps ~300 MB of libraries
	// and arenas before decoding anything), so these are a backstop
	// against a header that lies, well above the charged cost.
	heifASBase    = 128 << 20
	heifASPerPx   = 24
	ffmpegASBase  = 512 << 20
	ffmpegASPerPx = 32
	// unsizedHEIF is charged for a HEIF whose images declare no size
	// (ispe is mandatory; such files are rare or hostile): a 12 MP phone
	// picture. The helper's address-space limit holds it to that.
	unsizedHEIF = 12_000_000
	// maxScans bounds the scans of a progressive JPEG: encoders write
	// about 10 (mozjpeg up to ~20); each scan is a pass over every
	// coefficient of the image, so hundreds of them are a CPU bomb.
	maxScans = 100
)

// tooLarge is a refusal by size.
func tooLarge(reason string) error { return &reasonError{kind: ErrTooLarge, reason: reason} }

// mb formats bytes for a reason: "96 MB", "1.5 GB".
func mb(n int64) string {
	if n >= 10<<30 {
		return fmt.Sprintf("%d GB", n>>30)
	}
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", (n+1<<20-1)>>20)
}

// admit applies the rule to an opened plan and sets its cost.
func (p *plan) admit() error {
	if p.w <= 0 || p.h <= 0 {
		// Sizes unknown before a helper runs (video in a container we
		// do not parse): the helper's own cap holds it (see helperPixels).
		p.cost = p.estimate()
		return p.checkBudget()
	}
	px := int64(p.w) * int64(p.h)
	if px > p.opts.MaxPixels {
		return tooLarge(fmt.Sprintf("image too large (%d×%d, %d MP; limit %d MP)", p.w, p.h, px/1e6, p.opts.MaxPixels/1e6))
	}
	if p.format == formatHEIF && p.heif.tiles > 0 {
		if tp := int64(p.heif.tiles) * p.heif.tilePx; tp > p.opts.MaxPixels {
			return tooLarge(fmt.Sprintf("image too large (a grid of %d tiles, %d MP; limit %d MP)", p.heif.tiles, tp/1e6, p.opts.MaxPixels/1e6))
		}
	}
	if (p.format == formatJPEG || p.format == formatRAW) && p.jpeg.Progressive {
		n, err := countScans(p.f, p.span.off+p.jpeg.Scan, p.span.off+p.span.n, maxScans)
		if err != nil {
			return err
		}
		if n > maxScans {
			return tooLarge(fmt.Sprintf("progressive JPEG with over %d scans (limit %d)", maxScans, maxScans))
		}
	}
	p.cost = p.estimate()
	return p.checkBudget()
}

func (p *plan) checkBudget() error {
	if p.cost <= p.opts.DecodeBudget {
		return nil
	}
	what := p.kind
	if p.w > 0 {
		what = fmt.Sprintf("%d×%d %s", p.w, p.h, p.kind)
	}
	return tooLarge(fmt.Sprintf("%s needs %s to decode; the decode budget is %s", what, mb(p.cost), mb(p.opts.DecodeBudget)))
}

// estimate returns the peak memory a decode of this plan needs: the
// largest of its steps, since they run one after another.
func (p *plan) estimate() int64 {
	const overhead = 1 << 20
	switch p.format {
	case formatJPEG, formatRAW:
		return p.jpegCost(p.w, p.h, p.jpeg, p.span.n) + overhead
	case formatImage:
		px := int64(p.w) * int64(p.h)
		c := px*p.img.decoded8/8 + p.img.extra
		if p.img.flat {
			c += px * 4 // the RGBA copy flatten makes
		}
		mw, mh := p.need(p.w, p.h)
		return c + renderCost(p.w, p.h, mw, mh, p.orientation) + overhead
	case formatHEIF, formatVideo:
		// The helper runs first, in its own process, and writes a JPEG
		// (about half a byte per pixel), which is then decoded at a
		// reduced DCT scale here.
		hpx := p.helperPixels()
		helper := heifBase + heifPerPx*hpx
		if p.format == formatVideo {
			helper = ffmpegBase + ffmpegPerPx*hpx
		}
		w, h := p.w, p.h
		if w <= 0 || h <= 0 {
			side := int(math.Sqrt(float64(hpx)))
			w, h = side, side
		}
		out := int64(w) * int64(h) / 2
		return max(helper, out+p.jpegCost(w, h, jpegInfo{Components: 3}, out)) + overhead
	}
	return 32 << 20
}

// helperPixels is what a helper is charged and allowed to decode: the
// largest declared image (plus the tiles a grid decodes at once), or, when
// nothing is declared, what fits in the budget.
func (p *plan) helperPixels() int64 {
	switch p.format {
	case formatHEIF:
		px := int64(p.w) * int64(p.h)
		if px == 0 {
			px = unsizedHEIF
		}
		// libheif decodes several tiles at once into the canvas.
		return px + 4*p.heif.tilePx
	case formatVideo:
		if p.w > 0 && p.h > 0 {
			// Coded frames are padded to whole macroblocks or more;
			// ffmpeg checks the padded size against -max_pixels.
			return int64(p.w+128) * int64(p.h+128)
		}
		// A container we cannot read the size from: as large a frame
		// as the budget affords, and ffmpeg refuses larger ones.
		room := (p.opts.DecodeBudget - ffmpegBase - 2<<20) / (ffmpegPerPx + 1)
		return max(min(room, p.opts.MaxPixels), 640*480)
	}
	return int64(p.w) * int64(p.h)
}

// helperASFloor is the least address space a helper gets. Tests raise it
// for the stand-in helpers, which are Go programs: the Go runtime reserves
// some 700 MB of address space at start.
var helperASFloor int64

// helperAS is the address-space limit of a helper run for this plan.
func (p *plan) helperAS() int64 {
	px := p.helperPixels()
	if p.format == formatVideo {
		return max(helperASFloor, ffmpegASBase+ffmpegASPerPx*px)
	}
	return max(helperASFloor, heifASBase+heifASPerPx*px)
}

// jpegCost is the memory of decoding a w×h JPEG of n bytes for the plan's
// sizes, the larger of its two steps: decoding (the file in a buffer, the
// pixels at the chosen DCT scale and, for progressive files, the
// coefficients kept), then rendering from the decoded pixels (the
// decoders' memory is C memory, freed as each step ends). For the plan's
// own progressive JPEG it also chooses the decoder (p.progressiveK).
func (p *plan) jpegCost(w, h int, info jpegInfo, n int64) int64 {
	mw, mh := p.need(w, h)
	dw, dh := decodedScale(w, h, mw, mh)
	bpp := int64(4)
	if info.Components == 1 && turboJPEG {
		bpp = 1
	}
	decoded := int64(dw) * int64(dh) * bpp
	step2 := decoded + renderCost(dw, dh, mw, mh, p.orientation)
	decode := n + decoded
	p.progressiveK = 0
	if info.Progressive {
		// libjpeg keeps 64 two-byte coefficients per block for the whole
		// image whatever the output scale; image/jpeg keeps int32s.
		per := int64(128)
		if !turboJPEG {
			per = 256
		}
		full := decode + info.Blocks*per
		// thumbs/internal/progressive keeps the coefficients the scale
		// needs, then a plane of samples per component. At 1/8 and 2/8
		// it is also the faster decoder; at 3/8 and 4/8 of a 4:2:0 file
		// it takes up to a tenth more CPU than libjpeg, so there it
		// decodes only what libjpeg could not within the budget.
		if k := progressiveScale(info, dw, dh); k > 0 && (k <= 2 || max(full, step2)+(1<<20) > p.opts.DecodeBudget) {
			p.progressiveK = k
			decode += progressive.WorkingMemory(info.Width, info.Height, info.Sampling, k)
		} else {
			decode = full
		}
	}
	return max(decode, step2)
}

// renderCost is the working set of cutting one size of at most w×h from a
// decoded sw×sh picture: the resampled picture and the resampler's ring
// of filtered rows (64-bit packed pixels) and weights, when it resizes;
// the upright copy, when the orientation turns or flips it; and the
// encoder's output.
func renderCost(sw, sh, w, h, orientation int) int64 {
	if w <= 0 || h <= 0 || sw <= 0 || sh <= 0 {
		return 0
	}
	out := int64(w) * int64(h) * 4
	c := out / 4 // the encoded JPEG, generously
	if sw != w || sh != h {
		vt := int64(6*(sh+h-1)/h + 3)
		ht := int64(6*(sw+w-1)/w + 3)
		c += out + vt*int64(w)*8 + int64(sw)*12 + (int64(w)*ht+int64(h)*vt)*4
	}
	if orientation > 1 {
		c += out
	}
	return c
}
