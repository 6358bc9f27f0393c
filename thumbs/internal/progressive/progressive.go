// Package progressive decodes progressive JPEGs at a reduced DCT scale k/8
// (k = 1…4) while keeping only what that scale needs of each block: its
// k×k lowest-frequency coefficients and one bit per other coefficient
// (whether it is non-zero, which refinement scans depend on).
//
// libjpeg keeps all 64 coefficients of every block of a progressive file
// until its last scan, whatever the output scale: 72 MB for a 24 MP photo
// with 4:2:0 chroma, 144 MB without subsampling. Here a 1/4-scale decode
// of the same photo keeps 16 bytes a block (9 MB), a 1/8-scale one 10
// bytes. Scans that cannot change what is kept are not decoded at all,
// only stepped over: at 1/8 scale that is every AC scan, so the decode
// reads little more than the DC scans.
//
// Pixels come out within a few levels of libjpeg's scaled decoding: the
// same reduced-size inverse DCT, and chroma of 4:2:0 and the like scaled
// up in that DCT as libjpeg does it, up to 4/8; beyond, chroma samples are
// replicated (libjpeg's "fast" upsampling) so that no block keeps more
// than 4×4 coefficients. Baseline files, 12-bit samples, arithmetic coding
// and CMYK are refused (ErrUnsupported), for the caller's full decoder.
package progressive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"unsafe"
)

// ErrUnsupported is a JPEG this package does not decode.
var ErrUnsupported = errors.New("progressive: unsupported jpeg")

// MaxScale is the largest k decoded here: above it a block keeps as many
// bytes as libjpeg's 128.
const MaxScale = 4

// Image is a decoded picture: RGBA (alpha 255), or one byte per pixel when
// Gray is set, Width×Height at the requested scale.
type Image struct {
	Pix           []byte
	Width, Height int
	Gray          bool
	free          func()
}

// Free releases the pixels' memory when an Allocator provided it.
func (im *Image) Free() {
	if im.free != nil {
		im.free()
		im.free, im.Pix = nil, nil
	}
}

// Allocator provides n bytes and the function that releases them, or nil
// bytes when there is no memory left. The decoder asks it for its
// coefficients, its sample planes and the pixels; C memory keeps all of
// them off the Go heap, whose collector would let it grow to twice what
// is live before collecting.
type Allocator func(n int) (b []byte, free func())

type component struct {
	id, h, v, tq int
	// ks is the size of the component's inverse DCT: the output scale k,
	// doubled (up to MaxScale) while that brings the chroma planes of
	// 4:2:0 and the like nearer the output's resolution, as libjpeg does:
	// it scales chroma up in the IDCT rather than by replicating samples.
	// Beyond MaxScale samples are replicated, which keeps a block's
	// coefficients small.
	ks     int
	kept   uint64 // zig-zag positions of the ks×ks coefficients kept
	bw, bh int    // blocks per line and column, padded to whole MCUs
	// cw, ch are the blocks a non-interleaved scan covers: the
	// component's own size, not padded to whole MCUs.
	cw, ch int
	coef   []int16  // ks×ks kept coefficients per block, natural order
	nz     []uint64 // per block: bit z set when coefficient z (zig-zag order) is non-zero
	// index[z] is where coefficient z (zig-zag) goes in a block's kept
	// coefficients, -1 when it is not kept.
	index [64]int8
	pred  int // DC predictor
	// q is the component's quantization table (natural order), latched
	// at its first scan as libjpeg does: tables may be redefined later.
	q       [64]uint16
	latched bool
}

type huffman struct {
	// lut maps the next lutBits bits to value<<8 | code length (0: the
	// code is longer, or the bits are no code).
	lut [1 << lutBits]uint16
	// maxCode[l] is the largest code of length l (+1 past), valPtr[l] the
	// index in vals of the first code of length l, minCode[l] its code.
	maxCode [18]int32
	valPtr  [17]int32
	minCode [17]int32
	vals    []uint8
	defined bool
}

const lutBits = 9

// segment is one scan of the file, found by the first pass, or a table
// definition between scans that applies from there on.
type segment struct {
	marker byte
	data   []byte // the segment's payload
	ecs    []byte // SOS: the entropy-coded data after the header
}

type decoder struct {
	data       []byte
	k          int
	width      int
	height     int
	comps      []component
	hmax, vmax int
	mcux, mcuy int
	quant      [4][64]uint16 // natural order
	dc, ac     [4]huffman
	restart    int
	adobe      bool
	transform  int // Adobe APP14 transform: -1 absent
	segs       []segment
	bits       bitReader
	eobrun     int
	mem        Allocator
	frees      []func()
}

// alloc returns n bytes from the allocator (the Go heap without one),
// zeroed when zero is set, to be released by release.
func (d *decoder) alloc(n int, zero bool) ([]byte, error) {
	if d.mem == nil {
		return make([]byte, n), nil
	}
	b, free := d.mem(n)
	if len(b) < n {
		return nil, errors.New("progressive: out of memory")
	}
	d.frees = append(d.frees, free)
	b = b[:n]
	if zero {
		clear(b)
	}
	return b, nil
}

func (d *decoder) release() {
	for _, f := range d.frees {
		f()
	}
	d.frees = nil
}

// zigzag maps the zig-zag index of a coefficient to its natural
// (row-major) index.
var zigzag = [64]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

// Decode decodes the progressive JPEG in data at scale k/8, producing
// ceil(width·k/8)×ceil(height·k/8) pixels as libjpeg does. mem provides
// the memory (nil: the Go heap); the returned Image holds only its pixels.
// Data that ends early or is damaged in its entropy-coded part gives the
// picture as far as it goes, as libjpeg and browsers show such files;
// damage in a header is an error.
func Decode(data []byte, k int, mem Allocator) (*Image, error) {
	if k < 1 || k > MaxScale {
		return nil, fmt.Errorf("progressive: scale %d/8: %w", k, ErrUnsupported)
	}
	d := &decoder{data: data, k: k, transform: -1, mem: mem}
	defer d.release()
	if err := d.parse(); err != nil {
		return nil, err
	}
	needed := d.plan()
	for i, s := range d.segs {
		switch s.marker {
		case 0xC4:
			if err := d.readDHT(s.data); err != nil {
				return nil, err
			}
		case 0xDB:
			if err := d.readDQT(s.data); err != nil {
				return nil, err
			}
		case 0xDD:
			if len(s.data) != 2 {
				return nil, errors.New("progressive: bad DRI segment")
			}
			d.restart = int(binary.BigEndian.Uint16(s.data))
		case 0xDA:
			d.latch(s.data)
			if !needed[i] {
				continue
			}
			if err := d.decodeScan(s); err != nil {
				return nil, err
			}
		}
	}
	return d.render()
}

// parse walks the markers: the frame header, tables, and each scan with
// its entropy-coded data (stepped over by looking for the next marker).
func (d *decoder) parse() error {
	b := d.data
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return errors.New("progressive: not a jpeg")
	}
	i := 2
	frame := false
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return fmt.Errorf("progressive: no marker at %d", i)
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9: // EOI
			return d.checkFrame(frame)
		case m == 0x01 || m >= 0xD0 && m <= 0xD7:
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 {
			return errors.New("progressive: bad segment length")
		}
		if i+2+n > len(b) {
			// Cut inside a segment: the picture as far as it goes.
			return d.checkFrame(frame)
		}
		seg := b[i+4 : i+2+n]
		i += 2 + n
		switch m {
		case 0xC2:
			if frame {
				return errors.New("progressive: two frame headers")
			}
			if err := d.readSOF(seg); err != nil {
				return err
			}
			frame = true
		case 0xC0, 0xC1, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
			return fmt.Errorf("progressive: frame type %#x: %w", m, ErrUnsupported)
		case 0xC4, 0xDB, 0xDD:
			d.segs = append(d.segs, segment{marker: m, data: seg})
		case 0xEE:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.transform = true, int(seg[11])
			}
		case 0xDA:
			if !frame {
				return errors.New("progressive: scan before the frame header")
			}
			// The entropy-coded data runs to the next marker that is not
			// a stuffed 0xFF00 or a restart marker.
			j := i
			for j+1 < len(b) {
				if b[j] == 0xFF && b[j+1] != 0 && (b[j+1] < 0xD0 || b[j+1] > 0xD7) {
					break
				}
				j++
			}
			if j+1 >= len(b) {
				j = len(b)
			}
			d.segs = append(d.segs, segment{marker: m, data: seg, ecs: b[i:j]})
			i = j
		}
	}
	return d.checkFrame(frame)
}

func (d *decoder) checkFrame(frame bool) error {
	if !frame {
		return errors.New("progressive: no frame header")
	}
	return nil
}

func (d *decoder) readSOF(b []byte) error {
	if len(b) < 6 {
		return errors.New("progressive: short frame header")
	}
	if b[0] != 8 {
		return fmt.Errorf("progressive: %d-bit samples: %w", b[0], ErrUnsupported)
	}
	d.height, d.width = int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:]))
	nc := int(b[5])
	if d.width == 0 || d.height == 0 {
		return errors.New("progressive: no size in the frame header")
	}
	if nc != 1 && nc != 3 {
		return fmt.Errorf("progressive: %d components: %w", nc, ErrUnsupported)
	}
	if len(b) < 6+3*nc {
		return errors.New("progressive: short frame header")
	}
	d.comps = make([]component, nc)
	for i := range d.comps {
		c := &d.comps[i]
		c.id, c.h, c.v, c.tq = int(b[6+3*i]), int(b[7+3*i]>>4), int(b[7+3*i]&15), int(b[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return errors.New("progressive: bad component in the frame header")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	if nc == 1 {
		// A single component's scans are never interleaved: its MCU is
		// one block, whatever sampling factors the header gives.
		d.comps[0].h, d.comps[0].v, d.hmax, d.vmax = 1, 1, 1, 1
	}
	d.mcux = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcuy = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	for i := range d.comps {
		c := &d.comps[i]
		c.ks = idctSize(d.k, c.h, c.v, d.hmax, d.vmax)
		for z, n := range zigzag {
			c.index[z] = -1
			if r, col := n>>3, n&7; r < c.ks && col < c.ks {
				c.kept |= 1 << z
				c.index[z] = int8(r*c.ks + col)
			}
		}
		kk := c.ks * c.ks
		c.bw, c.bh = d.mcux*c.h, d.mcuy*c.v
		c.cw = (ceilDiv(d.width*c.h, d.hmax) + 7) / 8
		c.ch = (ceilDiv(d.height*c.v, d.vmax) + 7) / 8
		n := c.bw * c.bh
		coef, err := d.alloc(2*n*kk, true)
		if err != nil {
			return err
		}
		nz, err := d.alloc(8*n, true)
		if err != nil {
			return err
		}
		// Views of the allocator's bytes (C memory is aligned for any
		// type; the Go heap's byte slices of this size are too).
		c.coef = unsafe.Slice((*int16)(unsafe.Pointer(unsafe.SliceData(coef))), n*kk)
		c.nz = unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(nz))), n)
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// idctSize is the inverse DCT size of a component sampled h×v in a frame
// whose largest factors are hmax×vmax, decoded at scale k/8.
func idctSize(k, h, v, hmax, vmax int) int {
	ks := k
	for ks*2 <= MaxScale && hmax*k%(h*ks*2) == 0 && vmax*k%(v*ks*2) == 0 {
		ks *= 2
	}
	return ks
}

// WorkingMemory is what Decode holds besides the pixels it returns, for a
// width×height frame whose components are sampled as sampling gives (h, v
// each), at scale k/8: each block's kept coefficients and non-zero bits,
// then one plane of samples per component.
func WorkingMemory(width, height int, sampling [][2]int, k int) int64 {
	if k < 1 || k > MaxScale || len(sampling) == 0 {
		return 0
	}
	hmax, vmax := 1, 1
	for _, f := range sampling {
		hmax, vmax = max(hmax, f[0]), max(vmax, f[1])
	}
	if len(sampling) == 1 {
		sampling, hmax, vmax = [][2]int{{1, 1}}, 1, 1
	}
	mcux, mcuy := int64(ceilDiv(width, 8*hmax)), int64(ceilDiv(height, 8*vmax))
	var n int64
	for _, f := range sampling {
		h, v := max(f[0], 1), max(f[1], 1)
		ks := int64(idctSize(k, h, v, hmax, vmax))
		blocks := mcux * int64(h) * mcuy * int64(v)
		n += blocks * (2*ks*ks + 8 + ks*ks)
	}
	return n
}

func (d *decoder) readDQT(b []byte) error {
	for len(b) > 0 {
		pq, tq := int(b[0]>>4), int(b[0]&15)
		if tq > 3 || pq > 1 {
			return errors.New("progressive: bad quantization table")
		}
		size := 64 * (1 + pq)
		if len(b) < 1+size {
			return errors.New("progressive: short quantization table")
		}
		for z := 0; z < 64; z++ {
			var q uint16
			if pq == 0 {
				q = uint16(b[1+z])
			} else {
				q = binary.BigEndian.Uint16(b[1+2*z:])
			}
			d.quant[tq][zigzag[z]] = q
		}
		b = b[1+size:]
	}
	return nil
}

func (d *decoder) readDHT(b []byte) error {
	for len(b) > 0 {
		if len(b) < 17 {
			return errors.New("progressive: short huffman table")
		}
		class, id := b[0]>>4, int(b[0]&15)
		if class > 1 || id > 3 {
			return errors.New("progressive: bad huffman table")
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(b[l])
			total += counts[l]
		}
		if total > 256 || len(b) < 17+total {
			return errors.New("progressive: bad huffman table")
		}
		h := &d.dc[id]
		if class == 1 {
			h = &d.ac[id]
		}
		if err := h.build(counts, b[17:17+total]); err != nil {
			return err
		}
		b = b[17+total:]
	}
	return nil
}

func (h *huffman) build(counts [17]int, vals []byte) error {
	*h = huffman{vals: append([]uint8(nil), vals...), defined: true}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		h.valPtr[l] = k
		h.minCode[l] = code
		for i := 0; i < counts[l]; i++ {
			if code >= 1<<l {
				return errors.New("progressive: bad huffman table (too many codes)")
			}
			if l <= lutBits {
				// Every lutBits-bit string starting with this code.
				shift := lutBits - l
				for j := int32(0); j < 1<<shift; j++ {
					h.lut[code<<shift|j] = uint16(vals[k])<<8 | uint16(l)
				}
			}
			code++
			k++
		}
		h.maxCode[l] = code // one past the largest code of length l
		code <<= 1
	}
	h.maxCode[17] = math.MaxInt32
	return nil
}

// plan decides which scans to decode. A DC scan always is (one value or
// one bit per block). An AC scan is when its band holds a kept
// coefficient, or when a later refinement scan that is decoded covers
// some of its band: a refinement's bits depend on which coefficients of
// its band are non-zero, which every earlier scan of them sets.
func (d *decoder) plan() []bool {
	needed := make([]bool, len(d.segs))
	maskNeeded := map[int]uint64{}
	for i := len(d.segs) - 1; i >= 0; i-- {
		s := d.segs[i]
		if s.marker != 0xDA {
			continue
		}
		if len(s.data) < 1 {
			continue
		}
		ns := int(s.data[0])
		if len(s.data) < 1+2*ns+3 {
			continue
		}
		ss, se, ah := int(s.data[1+2*ns]), int(s.data[2+2*ns]), int(s.data[3+2*ns]>>4)
		if ss == 0 || se > 63 || ss > se {
			needed[i] = true // DC, or bad: decodeScan says what is wrong
			continue
		}
		band := uint64(0)
		for z := ss; z <= se; z++ {
			band |= 1 << z
		}
		id := int(s.data[1])
		ci, err := d.component(id)
		if err != nil {
			needed[i] = true // decodeScan says what is wrong
			continue
		}
		if band&d.comps[ci].kept != 0 || band&maskNeeded[id] != 0 {
			needed[i] = true
			if ah != 0 {
				maskNeeded[id] |= band
			}
		}
	}
	return needed
}

func (d *decoder) component(id int) (int, error) {
	for i := range d.comps {
		if d.comps[i].id == id {
			return i, nil
		}
	}
	return 0, errors.New("progressive: scan names an unknown component")
}

func (d *decoder) decodeScan(s segment) error {
	b := s.data
	if len(b) < 1 {
		return errors.New("progressive: short scan header")
	}
	ns := int(b[0])
	if ns < 1 || ns > len(d.comps) || len(b) < 1+2*ns+3 {
		return errors.New("progressive: bad scan header")
	}
	idx := make([]int, ns)
	td, ta := make([]int, ns), make([]int, ns)
	for i := 0; i < ns; i++ {
		ci, err := d.component(int(b[1+2*i]))
		if err != nil {
			return err
		}
		idx[i], td[i], ta[i] = ci, int(b[2+2*i]>>4), int(b[2+2*i]&15)
		if td[i] > 3 || ta[i] > 3 {
			return errors.New("progressive: bad scan header")
		}
	}
	ss, se := int(b[1+2*ns]), int(b[2+2*ns])
	ah, al := int(b[3+2*ns]>>4), int(b[3+2*ns]&15)
	if se > 63 || ss > se || al > 13 || ah > 13 || ss == 0 && se != 0 || ss > 0 && ns != 1 {
		return errors.New("progressive: bad scan header")
	}
	for i := 0; i < ns; i++ {
		if ss == 0 && ah == 0 && !d.dc[td[i]].defined || ss > 0 && !d.ac[ta[i]].defined {
			return errors.New("progressive: scan uses an undefined huffman table")
		}
	}
	d.bits = bitReader{data: s.ecs}
	d.eobrun = 0
	for i := range idx {
		d.comps[idx[i]].pred = 0
	}
	// run decodes one block; errors end the scan (the picture keeps what
	// was decoded, as libjpeg's does).
	var run func(c *component, block, ci int) bool
	switch {
	case ss == 0 && ah == 0:
		run = func(c *component, block, ci int) bool {
			t, ok := d.bits.decode(&d.dc[td[ci]])
			if !ok || t > 11 {
				return false
			}
			c.pred += d.bits.receiveExtend(int(t))
			c.coef[block*c.ks*c.ks] = int16(c.pred << al)
			return true
		}
	case ss == 0:
		run = func(c *component, block, ci int) bool {
			if d.bits.bit() {
				c.coef[block*c.ks*c.ks] |= int16(1 << al)
			}
			return true
		}
	case ah == 0:
		run = func(c *component, block, _ int) bool { return d.acFirst(c, block, &d.ac[ta[0]], ss, se, al) }
	default:
		run = func(c *component, block, _ int) bool { return d.acRefine(c, block, &d.ac[ta[0]], ss, se, al) }
	}
	restartsLeft := d.restart
	nextRST := 0
	restart := func() bool {
		if d.restart == 0 {
			return true
		}
		if restartsLeft > 0 {
			restartsLeft--
			return true
		}
		// At the interval's end: the data must hold RSTn; predictors and
		// end-of-band runs start again after it.
		if !d.bits.restart(byte(0xD0 + nextRST)) {
			return false
		}
		nextRST = (nextRST + 1) & 7
		d.eobrun = 0
		for i := range idx {
			d.comps[idx[i]].pred = 0
		}
		restartsLeft = d.restart - 1
		return true
	}
	if ns == 1 {
		c := &d.comps[idx[0]]
		for by := 0; by < c.ch; by++ {
			for bx := 0; bx < c.cw; bx++ {
				if !restart() || !run(c, by*c.bw+bx, 0) {
					return nil
				}
			}
		}
		return nil
	}
	for my := 0; my < d.mcuy; my++ {
		for mx := 0; mx < d.mcux; mx++ {
			if !restart() {
				return nil
			}
			for i, ci := range idx {
				c := &d.comps[ci]
				for v := 0; v < c.v; v++ {
					for h := 0; h < c.h; h++ {
						if !run(c, (my*c.v+v)*c.bw+mx*c.h+h, i) {
							return nil
						}
					}
				}
			}
		}
	}
	return nil
}

// keep records coefficient z (zig-zag index) of a block as non-zero and
// stores its value when it is kept.
func keep(c *component, block, z int, v int) {
	c.nz[block] |= 1 << z
	if i := c.index[z]; i >= 0 {
		c.coef[block*c.ks*c.ks+int(i)] = int16(v)
	}
}

func (d *decoder) acFirst(c *component, block int, h *huffman, ss, se, al int) bool {
	if d.eobrun > 0 {
		d.eobrun--
		return true
	}
	for k := ss; k <= se; {
		rs, ok := d.bits.decode(h)
		if !ok {
			return false
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r < 15 {
				d.eobrun = 1<<r - 1
				if r > 0 {
					d.eobrun += d.bits.bitsN(r)
				}
				return true
			}
			k += 16
			continue
		}
		k += r
		if k > se {
			return false
		}
		keep(c, block, k, d.bits.receiveExtend(s)<<al)
		k++
	}
	return true
}

// acRefine decodes one block of a successive-approximation AC scan
// (T.81 G.1.2.3, libjpeg's decode_mcu_AC_refine): a correction bit for
// every coefficient of the band already non-zero, and the coefficients
// that become non-zero (±1 at this bit).
func (d *decoder) acRefine(c *component, block int, h *huffman, ss, se, al int) bool {
	p1 := int16(1) << al
	nz := c.nz[block]
	base := block * c.ks * c.ks
	// correct applies correction bits to the already non-zero
	// coefficients whose zig-zag positions are the bits of m, in order.
	// Bits for coefficients not kept are only read past.
	correct := func(m uint64) {
		// Past the last kept coefficient the bits are only read past,
		// all at once; kept coefficients come first in zig-zag order.
		var past uint64
		if km := m & c.kept; km == 0 {
			past, m = m, 0
		} else if top := 63 - bits.LeadingZeros64(km); top < 63 {
			past, m = m&^(1<<(top+1)-1), m&(1<<(top+1)-1)
		}
		for n := bits.OnesCount64(m); n > 0; {
			take := min(n, 32)
			v := d.bits.bitsN(take)
			for j := take - 1; j >= 0; j-- {
				z := bits.TrailingZeros64(m)
				m &= m - 1
				if v>>j&1 == 0 {
					continue
				}
				if i := c.index[z]; i >= 0 {
					p := &c.coef[base+int(i)]
					if *p&p1 == 0 {
						if *p >= 0 {
							*p += p1
						} else {
							*p -= p1
						}
					}
				}
			}
			n -= take
		}
		if past != 0 {
			d.bits.skip(bits.OnesCount64(past))
		}
	}
	band := func(from, to int) uint64 { return (^uint64(0) >> (63 - to)) &^ (1<<from - 1) }
	k := ss
	if d.eobrun == 0 {
		for k <= se {
			rs, ok := d.bits.decode(h)
			if !ok {
				return false
			}
			r, s := int(rs>>4), int(rs&15)
			val := 0
			if s != 0 {
				if d.bits.bit() {
					val = int(p1)
				} else {
					val = -int(p1)
				}
			} else if r != 15 {
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += d.bits.bitsN(r)
				}
				break
			}
			// Step over the non-zero coefficients (correcting them) and
			// r zero ones; the next zero one is where the new value goes
			// (for ZRL, r = 15: the sixteenth zero is just stepped over).
			zeros := ^nz & band(k, se)
			for ; r > 0 && zeros != 0; r-- {
				zeros &= zeros - 1
			}
			if zeros == 0 {
				// Fewer zero coefficients left than the run: the rest of
				// the band is stepped over.
				correct(nz & band(k, se))
				if val != 0 {
					return false
				}
				k = se + 1
				break
			}
			z := bits.TrailingZeros64(zeros)
			correct(nz & band(k, z))
			if val != 0 {
				keep(c, block, z, val)
				nz |= 1 << z
			}
			k = z + 1
		}
	}
	if d.eobrun > 0 {
		if k <= se {
			correct(nz & band(k, se))
		}
		d.eobrun--
	}
	return true
}

// bitReader reads entropy-coded bits, removing stuffed zero bytes. At a
// marker or the end of the data it yields zero bits, as libjpeg does for
// data that ends early.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64
	n      uint
	marker bool // a marker was reached: no more bytes until restart
}

func (r *bitReader) fill() {
	for r.n <= 56 {
		var b byte
		if !r.marker && r.pos < len(r.data) {
			b = r.data[r.pos]
			if b == 0xFF {
				if r.pos+1 < len(r.data) && r.data[r.pos+1] == 0 {
					r.pos += 2
				} else {
					r.marker = true
					b = 0
				}
			} else {
				r.pos++
			}
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

func (r *bitReader) bit() bool {
	if r.n < 1 {
		r.fill()
	}
	v := r.acc>>63 != 0
	r.acc <<= 1
	r.n--
	return v
}

func (r *bitReader) bitsN(n int) int {
	if n == 0 {
		return 0
	}
	if r.n < uint(n) {
		r.fill()
	}
	v := int(r.acc >> (64 - uint(n)))
	r.acc <<= uint(n)
	r.n -= uint(n)
	return v
}

// skip reads past n bits.
func (r *bitReader) skip(n int) {
	for n > 32 {
		r.bitsN(32)
		n -= 32
	}
	r.bitsN(n)
}

// receiveExtend reads an s-bit magnitude and gives it its sign (T.81 F.2.2.1).
func (r *bitReader) receiveExtend(s int) int {
	if s == 0 {
		return 0
	}
	v := r.bitsN(s)
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// decode reads one Huffman-coded value.
func (r *bitReader) decode(h *huffman) (uint8, bool) {
	if r.n < 16 {
		r.fill()
	}
	if e := h.lut[r.acc>>(64-lutBits)]; e != 0 {
		l := uint(e & 0xFF)
		r.acc <<= l
		r.n -= l
		return uint8(e >> 8), true
	}
	code := int32(0)
	for l := 1; l <= 16; l++ {
		code = code<<1 | int32(r.acc>>63)
		r.acc <<= 1
		r.n--
		if code < h.maxCode[l] {
			i := h.valPtr[l] + code - h.minCode[l]
			if i < 0 || int(i) >= len(h.vals) {
				return 0, false
			}
			return h.vals[i], true
		}
	}
	return 0, false
}

// restart moves past the restart marker want, expected where the current
// interval ends.
func (r *bitReader) restart(want byte) bool {
	// Drop the padding bits of the last byte and find the marker.
	r.acc, r.n = 0, 0
	for r.pos+1 < len(r.data) && !(r.data[r.pos] == 0xFF && r.data[r.pos+1] >= 0xD0 && r.data[r.pos+1] <= 0xD7) {
		r.pos++
	}
	if r.pos+1 >= len(r.data) {
		return false
	}
	r.pos += 2 // a restart marker out of order is taken as the next one
	r.marker = false
	_ = want
	return true
}

// latch copies the quantization tables of the scan's components that
// have none yet.
func (d *decoder) latch(b []byte) {
	if len(b) < 1 {
		return
	}
	ns := int(b[0])
	for i := 0; i < ns && 1+2*i < len(b); i++ {
		if ci, err := d.component(int(b[1+2*i])); err == nil && !d.comps[ci].latched {
			c := &d.comps[ci]
			c.q, c.latched = d.quant[c.tq], true
		}
	}
}

// idct[k-1][x][u] is C(u)·cos((2x+1)uπ/2k)/2: the k-point inverse DCT of
// the k lowest frequencies, scaled so that a block's DC gives its mean.
var idct = func() (t [MaxScale][MaxScale][MaxScale]float32) {
	for k := 1; k <= MaxScale; k++ {
		for x := 0; x < k; x++ {
			for u := 0; u < k; u++ {
				c := 1.0
				if u == 0 {
					c = math.Sqrt2 / 2
				}
				t[k-1][x][u] = float32(c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*k)) / 2)
			}
		}
	}
	return t
}()

// plane runs the reduced inverse DCT over every block of c into a plane
// of bw·ks × bh·ks samples.
func (d *decoder) plane(c *component) ([]byte, int, error) {
	k, kk := c.ks, c.ks*c.ks
	stride := c.bw * k
	out, err := d.alloc(stride*c.bh*k, false)
	if err != nil {
		return nil, 0, err
	}
	t := &idct[k-1]
	var f [MaxScale * MaxScale]float32
	var tmp [MaxScale * MaxScale]float32
	if k == 1 {
		// The 1×1 inverse DCT is the block's mean: DC·q/8, rounded.
		q := int(c.q[0])
		for i, v := range c.coef {
			out[i] = clampInt((int(v)*q+4)>>3 + 128)
		}
		return out, stride, nil
	}
	if k == 2 {
		// The 2×2 inverse DCT is sums and differences of the four
		// coefficients, over 8.
		q0, q1, q8, q9 := int(c.q[0]), int(c.q[1]), int(c.q[8]), int(c.q[9])
		for by := 0; by < c.bh; by++ {
			for bx := 0; bx < c.bw; bx++ {
				blk := c.coef[(by*c.bw+bx)*4 : (by*c.bw+bx)*4+4]
				f00, f01, f10, f11 := int(blk[0])*q0, int(blk[1])*q1, int(blk[2])*q8, int(blk[3])*q9
				top, bottom := f00+f10, f00-f10 // column 0, rows 0 and 1
				right0, right1 := f01+f11, f01-f11
				o := out[2*by*stride+2*bx:]
				o[0] = clampInt((top+right0+4)>>3 + 128)
				o[1] = clampInt((top-right0+4)>>3 + 128)
				o[stride] = clampInt((bottom+right1+4)>>3 + 128)
				o[stride+1] = clampInt((bottom-right1+4)>>3 + 128)
			}
		}
		return out, stride, nil
	}
	if k == 4 {
		d.plane4(c, out, stride)
		return out, stride, nil
	}
	for by := 0; by < c.bh; by++ {
		for bx := 0; bx < c.bw; bx++ {
			blk := c.coef[(by*c.bw+bx)*kk:]
			for v := 0; v < k; v++ {
				for u := 0; u < k; u++ {
					f[v*k+u] = float32(blk[v*k+u]) * float32(c.q[v*8+u])
				}
			}
			// Rows first (over u), then columns (over v).
			for v := 0; v < k; v++ {
				for x := 0; x < k; x++ {
					var s float32
					for u := 0; u < k; u++ {
						s += t[x][u] * f[v*k+u]
					}
					tmp[v*k+x] = s
				}
			}
			base := by*k*stride + bx*k
			for y := 0; y < k; y++ {
				for x := 0; x < k; x++ {
					s := float32(128.5)
					for v := 0; v < k; v++ {
						s += t[y][v] * tmp[v*k+x]
					}
					out[base+y*stride+x] = clamp(s)
				}
			}
		}
	}
	return out, stride, nil
}

// plane4 is plane's 4×4 inverse DCT, unrolled; blocks whose AC
// coefficients are all zero (smooth areas) are filled with their mean.
func (d *decoder) plane4(c *component, out []byte, stride int) {
	t := &idct[3]
	t00, t01, t02, t03 := t[0][0], t[0][1], t[0][2], t[0][3]
	t10, t11, t12, t13 := t[1][0], t[1][1], t[1][2], t[1][3]
	t20, t21, t22, t23 := t[2][0], t[2][1], t[2][2], t[2][3]
	t30, t31, t32, t33 := t[3][0], t[3][1], t[3][2], t[3][3]
	var q [16]float32
	for v := 0; v < 4; v++ {
		for u := 0; u < 4; u++ {
			q[v*4+u] = float32(c.q[v*8+u])
		}
	}
	var f, m [16]float32
	for by := 0; by < c.bh; by++ {
		for bx := 0; bx < c.bw; bx++ {
			blk := (*[16]int16)(c.coef[(by*c.bw+bx)*16:])
			o := out[4*by*stride+4*bx:]
			ac := false
			for _, v := range blk[1:] {
				if v != 0 {
					ac = true
					break
				}
			}
			if !ac {
				mean := clampInt((int(blk[0])*int(c.q[0])+4)>>3 + 128)
				for y := 0; y < 4; y++ {
					r := o[y*stride : y*stride+4]
					r[0], r[1], r[2], r[3] = mean, mean, mean, mean
				}
				continue
			}
			for i := range f {
				f[i] = float32(blk[i]) * q[i]
			}
			// Rows (over u), then columns (over v).
			for v := 0; v < 16; v += 4 {
				a, b, c, e := f[v], f[v+1], f[v+2], f[v+3]
				m[v] = t00*a + t01*b + t02*c + t03*e
				m[v+1] = t10*a + t11*b + t12*c + t13*e
				m[v+2] = t20*a + t21*b + t22*c + t23*e
				m[v+3] = t30*a + t31*b + t32*c + t33*e
			}
			for x := 0; x < 4; x++ {
				a, b, c, e := m[x], m[4+x], m[8+x], m[12+x]
				o[x] = clamp(128.5 + t00*a + t01*b + t02*c + t03*e)
				o[stride+x] = clamp(128.5 + t10*a + t11*b + t12*c + t13*e)
				o[2*stride+x] = clamp(128.5 + t20*a + t21*b + t22*c + t23*e)
				o[3*stride+x] = clamp(128.5 + t30*a + t31*b + t32*c + t33*e)
			}
		}
	}
}

func clamp(v float32) byte {
	switch {
	case v < 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v)
}

// YCbCr to RGB as libjpeg computes it, in 16-bit fixed point.
const (
	fixR  = 91881  // 1.40200
	fixGb = -22554 // -0.34414
	fixGr = -46802 // -0.71414
	fixB  = 116130 // 1.77200
)

// The conversion's terms for each chroma value, and a table that clamps
// a result in [-256, 512) to a byte, as libjpeg's jdcolor.c has them.
var (
	crR, cbB   [256]int16
	cbG, crG   [256]int32
	rangeLimit [768]byte
)

func init() {
	for i := 0; i < 256; i++ {
		x := i - 128
		crR[i] = int16((fixR*x + 32768) >> 16)
		cbB[i] = int16((fixB*x + 32768) >> 16)
		cbG[i] = int32(fixGb * x)
		crG[i] = int32(fixGr * x)
	}
	for i := range rangeLimit {
		rangeLimit[i] = clampInt(i - 256)
	}
}

func clampInt(v int) byte {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return byte(v)
}

// render turns the kept coefficients into pixels: chroma is replicated
// (libjpeg's fast upsampling), then converted to RGB.
func (d *decoder) render() (*Image, error) {
	w := (d.width*d.k + 7) / 8
	h := (d.height*d.k + 7) / 8
	gray := len(d.comps) == 1
	bpp := 4
	if gray {
		bpp = 1
	}
	var planes [3][]byte
	var strides [3]int
	for i := range d.comps {
		var err error
		if planes[i], strides[i], err = d.plane(&d.comps[i]); err != nil {
			return nil, err
		}
	}
	// The pixels outlive the decoder's other memory.
	img := &Image{Width: w, Height: h, Gray: gray}
	n := w * h * bpp
	if d.mem == nil {
		img.Pix = make([]byte, n)
	} else {
		b, free := d.mem(n)
		if len(b) < n {
			return nil, errors.New("progressive: out of memory")
		}
		img.Pix, img.free = b[:n], free
	}
	pix := img.Pix
	if gray {
		for y := 0; y < h; y++ {
			copy(pix[y*w:(y+1)*w], planes[0][y*strides[0]:])
		}
		return img, nil
	}
	rgb := d.adobe && d.transform == 0 ||
		d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
	c0, c1, c2 := &d.comps[0], &d.comps[1], &d.comps[2]
	// A component's sample for output pixel x is x·h·ks / (hmax·k):
	// replicated where its plane is coarser than the output.
	xs := func(c *component, x int) int { return x * c.h * c.ks / (d.hmax * d.k) }
	ys := func(c *component, y int) int { return y * c.v * c.ks / (d.vmax * d.k) }
	var cols [3][]int32
	for i := range cols {
		cols[i] = make([]int32, w)
		for x := range cols[i] {
			cols[i][x] = int32(xs(&d.comps[i], x))
		}
	}
	x0, x1, x2 := cols[0], cols[1], cols[2]
	for y := 0; y < h; y++ {
		r0 := planes[0][ys(c0, y)*strides[0]:]
		r1 := planes[1][ys(c1, y)*strides[1]:]
		r2 := planes[2][ys(c2, y)*strides[2]:]
		out := pix[y*w*4 : (y+1)*w*4]
		for x := 0; x < w; x++ {
			a, b, c := int(r0[x0[x]]), int(r1[x1[x]]), int(r2[x2[x]])
			o := out[x*4 : x*4+4]
			if rgb {
				o[0], o[1], o[2], o[3] = byte(a), byte(b), byte(c), 255
				continue
			}
			o[0] = rangeLimit[a+int(crR[c])+256]
			o[1] = rangeLimit[a+int((cbG[b]+crG[c]+32768)>>16)+256]
			o[2] = rangeLimit[a+int(cbB[b])+256]
			o[3] = 255
		}
	}
	return img, nil
}
