package thumbs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// jpegInfo is what a JPEG's markers before the first scan declare.
type jpegInfo struct {
	Width, Height int
	Components    int
	Progressive   bool
	Orientation   int    // from APP1 Exif; 0 when absent
	ICC           []byte // concatenated APP2 ICC_PROFILE chunks
	// Blocks is the number of 8×8 DCT blocks of all components together,
	// padded to whole MCUs as libjpeg stores them: a progressive decode
	// keeps every coefficient of every block (64 per block).
	Blocks int64
	// Scan is where the data after the frame header starts: progressive
	// scans are counted from there.
	Scan int64
	// Sampling is each component's horizontal and vertical sampling
	// factors.
	Sampling [][2]int
}

const (
	maxJPEGMarkers = 1024
	maxICCBytes    = 1 << 20
)

var errNotJPEG = errors.New("not a jpeg")

// readJPEGInfo walks the markers of the JPEG at r[off:off+n] up to its frame
// header. With meta set it also reads the EXIF orientation and ICC profile.
// Only baseline, extended and progressive Huffman frames are accepted, which
// rejects the lossless-JPEG raw data that RAW files also contain.
func readJPEGInfo(r io.ReaderAt, off, n int64, meta bool) (jpegInfo, error) {
	var info jpegInfo
	var b [4]byte
	if n < 4 {
		return info, errNotJPEG
	}
	if _, err := r.ReadAt(b[:2], off); err != nil || b[0] != 0xFF || b[1] != 0xD8 {
		return info, errNotJPEG
	}
	pos := int64(2)
	var icc [][]byte
	iccLen := 0
	for i := 0; i < maxJPEGMarkers; i++ {
		if pos+4 > n {
			return info, errors.New("jpeg ended before frame header")
		}
		if _, err := r.ReadAt(b[:], off+pos); err != nil {
			return info, fmt.Errorf("read jpeg marker: %w", err)
		}
		if b[0] != 0xFF {
			return info, errors.New("bad jpeg marker")
		}
		if b[1] == 0xFF { // fill byte
			pos++
			continue
		}
		m := b[1]
		segLen := int64(binary.BigEndian.Uint16(b[2:]))
		if segLen < 2 || pos+2+segLen > n {
			return info, errors.New("bad jpeg segment length")
		}
		payload := func() ([]byte, error) {
			p := make([]byte, segLen-2)
			_, err := r.ReadAt(p, off+pos+4)
			return p, err
		}
		switch {
		case m == 0xC0 || m == 0xC1 || m == 0xC2:
			p, err := payload()
			if err != nil || len(p) < 6 {
				return info, errors.New("short jpeg frame header")
			}
			info.Height = int(binary.BigEndian.Uint16(p[1:]))
			info.Width = int(binary.BigEndian.Uint16(p[3:]))
			info.Components = int(p[5])
			info.Progressive = m == 0xC2
			if info.Width == 0 || info.Height == 0 {
				return info, errors.New("jpeg declares no size")
			}
			if c := info.Components; c != 1 && c != 3 && c != 4 {
				return info, fmt.Errorf("jpeg with %d components", c)
			}
			if len(p) < 6+3*info.Components {
				return info, errors.New("short jpeg frame header")
			}
			info.Blocks = jpegBlocks(info.Width, info.Height, p[6:6+3*info.Components])
			for i := 0; i < info.Components; i++ {
				f := p[7+3*i]
				info.Sampling = append(info.Sampling, [2]int{int(f >> 4), int(f & 15)})
			}
			info.Scan = pos + 2 + segLen
			if len(icc) > 0 {
				info.ICC = bytes.Join(icc, nil)
			}
			return info, nil
		case m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return info, fmt.Errorf("unsupported jpeg process (SOF%d)", m-0xC0)
		case m == 0xDA:
			return info, errors.New("jpeg scan before frame header")
		case meta && m == 0xE1 && info.Orientation == 0 && segLen > 14:
			p, err := payload()
			if err == nil && bytes.HasPrefix(p, []byte("Exif\x00\x00")) {
				if t, err := newTIFF(bytes.NewReader(p[6:]), 0, int64(len(p)-6)); err == nil {
					info.Orientation = t.orientation()
				}
			}
		case meta && m == 0xE2 && segLen > 16 && iccLen < maxICCBytes:
			p, err := payload()
			if err == nil && bytes.HasPrefix(p, []byte("ICC_PROFILE\x00")) && len(p) > 14 {
				// Chunks carry their sequence number; they are written in
				// order in practice, and a profile out of order is only
				// carried along, never interpreted.
				icc = append(icc, p[14:])
				iccLen += len(p) - 14
			}
		}
		pos += 2 + segLen
	}
	return info, errors.New("too many jpeg markers")
}

// jpegBlocks counts the DCT blocks of a frame whose component
// specifications (id, sampling factors, table; three bytes each) are comps,
// the way libjpeg sizes its whole-image coefficient arrays: each
// component's blocks rounded up to whole MCUs.
func jpegBlocks(w, h int, comps []byte) int64 {
	hmax, vmax := 1, 1
	for i := 0; i+2 < len(comps); i += 3 {
		hmax = max(hmax, int(comps[i+1]>>4))
		vmax = max(vmax, int(comps[i+1]&15))
	}
	var n int64
	for i := 0; i+2 < len(comps); i += 3 {
		hs, vs := max(1, int(comps[i+1]>>4)), max(1, int(comps[i+1]&15))
		bw := (w*hs + 8*hmax - 1) / (8 * hmax)
		bh := (h*vs + 8*vmax - 1) / (8 * vmax)
		bw = (bw + hs - 1) / hs * hs
		bh = (bh + vs - 1) / vs * vs
		n += int64(bw) * int64(bh)
	}
	return n
}

// countScans counts the start-of-scan markers in r[off:end], stopping once
// there are more than limit. Entropy-coded data stuffs every 0xFF with a
// zero byte, so FF DA only ever appears as a marker.
func countScans(r io.ReaderAt, off, end int64, limit int) (int, error) {
	const chunk = 256 << 10
	buf := make([]byte, chunk+1)
	n := 0
	for pos := off; pos < end && n <= limit; pos += chunk {
		k, err := r.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if k == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return n, fmt.Errorf("read jpeg scans: %w", err)
		}
		b := buf[:k]
		for i := 0; i < len(b)-1 && i < chunk; i++ {
			j := bytes.IndexByte(b[i:min(len(b)-1, chunk)], 0xFF)
			if j < 0 {
				break
			}
			i += j
			if b[i+1] == 0xDA {
				n++
			}
		}
	}
	return n, nil
}

// withICC returns jpg with the ICC profile inserted as APP2 chunks right
// after the SOI (and JFIF APP0, if any), which is where browsers look.
func withICC(jpg, icc []byte) []byte {
	if len(icc) == 0 || len(jpg) < 4 {
		return jpg
	}
	const chunk = 65519 // 65535 - 2 (length) - 14 (header)
	n := (len(icc) + chunk - 1) / chunk
	if n > 255 {
		return jpg
	}
	at := 2
	if jpg[2] == 0xFF && jpg[3] == 0xE0 && len(jpg) > 6 {
		at = 4 + int(binary.BigEndian.Uint16(jpg[4:]))
	}
	var out bytes.Buffer
	out.Grow(len(jpg) + len(icc) + n*18)
	out.Write(jpg[:at])
	for i := 0; i < n; i++ {
		part := icc[i*chunk : min(len(icc), (i+1)*chunk)]
		out.Write([]byte{0xFF, 0xE2})
		binary.Write(&out, binary.BigEndian, uint16(2+14+len(part)))
		out.WriteString("ICC_PROFILE\x00")
		out.Write([]byte{byte(i + 1), byte(n)})
		out.Write(part)
	}
	out.Write(jpg[at:])
	return out.Bytes()
}

// isSRGB reports whether an ICC profile describes sRGB, by its description;
// such profiles need not be carried since browsers assume sRGB.
func isSRGB(icc []byte) bool {
	if len(icc) < 132 {
		return true // no usable profile: treat as sRGB
	}
	// Profile descriptions are ASCII ('desc') or UTF-16BE ('mluc').
	return bytes.Contains(icc, []byte("sRGB")) || bytes.Contains(icc, []byte("s\x00R\x00G\x00B"))
}
