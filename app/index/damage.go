package index

import (
	"bytes"
	"fmt"
	"strings"

	"pinhole/db"
)

// The problems the index records on a file (files.error) when its picture
// cannot be shown, under the prefixes the database classifies them by.
const (
	damagedPrefix     = db.DamagedPrefix
	incompletePrefix  = db.IncompletePrefix
	unsupportedPrefix = db.UnsupportedPrefix
)

// jpegCheck follows a JPEG's structure while the file streams through the
// hash, so a damaged file is found without reading it a second time. It
// is as strict as the thumbnail decoder up to the first scan (every
// segment must start with a marker and end inside the file; the frame must
// be a baseline, extended or progressive Huffman one with a size), and
// then looks for the end-of-image marker: a file cut off while copying has
// none. Files that do not start like a JPEG are left alone.
type jpegCheck struct {
	n       int64 // bytes seen
	state   int
	skip    int64  // segment bytes still to pass over
	hdr     []byte // marker and length being collected
	marker  byte
	sof     []byte // first bytes of the frame header
	sofLeft int
	frame   bool // a supported frame header was seen
	scan    bool // the first scan started
	eoi     bool // an end-of-image marker followed the first scan
	lastFF  bool // the previous scan byte was 0xFF (a marker split across writes)
	problem string
}

const (
	jpegStart = iota
	jpegHeader
	jpegSegment
	jpegScan
	jpegDone // not a JPEG, or a problem was found
)

func (c *jpegCheck) Write(b []byte) (int, error) {
	n := len(b)
	c.n += int64(n)
	for len(b) > 0 && c.state != jpegDone {
		switch c.state {
		case jpegStart:
			c.hdr = append(c.hdr, b[0])
			b = b[1:]
			if len(c.hdr) == 3 {
				if !bytes.Equal(c.hdr, []byte{0xFF, 0xD8, 0xFF}) {
					c.state = jpegDone
					break
				}
				// The third byte starts the first marker.
				c.hdr = append(c.hdr[:0], 0xFF)
				c.state = jpegHeader
			}
		case jpegHeader:
			if len(c.hdr) == 0 {
				if b[0] != 0xFF {
					c.fail(damagedPrefix + "its structure is broken (a segment does not start where the one before it ends)")
					break
				}
				c.hdr = append(c.hdr, b[0])
				b = b[1:]
				continue
			}
			if len(c.hdr) == 1 && b[0] == 0xFF { // fill byte
				b = b[1:]
				continue
			}
			c.hdr = append(c.hdr, b[0])
			b = b[1:]
			if len(c.hdr) < 4 {
				continue
			}
			c.marker = c.hdr[1]
			segLen := int64(c.hdr[2])<<8 | int64(c.hdr[3])
			c.hdr = c.hdr[:0]
			if segLen < 2 {
				c.fail(damagedPrefix + "its structure is broken (a segment has an impossible length)")
				break
			}
			if !c.beginSegment() {
				break
			}
			c.skip = segLen - 2
			if c.marker == 0xC0 || c.marker == 0xC1 || c.marker == 0xC2 {
				c.sofLeft = 6
			}
			c.state = jpegSegment
		case jpegSegment:
			if c.sofLeft > 0 {
				take := int(min(int64(c.sofLeft), int64(len(b)), c.skip))
				c.sof = append(c.sof, b[:take]...)
				c.sofLeft -= take
				c.skip -= int64(take)
				b = b[take:]
				if c.sofLeft > 0 && c.skip > 0 {
					continue // the rest of the header comes with the next write
				}
				c.sofLeft = 0
				if !c.frameHeader() {
					break
				}
			}
			step := min(c.skip, int64(len(b)))
			c.skip -= step
			b = b[step:]
			if c.skip == 0 {
				if c.marker == 0xDA {
					c.scan = true
					c.state = jpegScan
				} else {
					c.state = jpegHeader
				}
			}
		case jpegScan:
			// Look for the marker's second byte, which is rarer in
			// entropy-coded data than 0xFF (every 0xFF there is stuffed
			// with a 0x00), and check the byte before it.
			for rest, off := b, 0; ; {
				i := bytes.IndexByte(rest, 0xD9)
				if i < 0 {
					break
				}
				if at := off + i; (at == 0 && c.lastFF) || (at > 0 && b[at-1] == 0xFF) {
					c.eoi = true
					c.state = jpegDone
					break
				}
				rest, off = rest[i+1:], off+i+1
			}
			c.lastFF = b[len(b)-1] == 0xFF
			b = nil
		}
	}
	return n, nil
}

// beginSegment checks a marker before its segment is passed over.
func (c *jpegCheck) beginSegment() bool {
	m := c.marker
	switch {
	case m == 0xDA && !c.frame:
		c.fail(damagedPrefix + "its picture data comes before the picture's size")
		return false
	case m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
		c.fail(unsupportedPrefix + fmt.Sprintf("a kind of JPEG browsers and Pinhole cannot decode (SOF%d: lossless or arithmetic coding)", m-0xC0))
		return false
	}
	return true
}

// frameHeader checks the start of a frame header: a size and 1, 3 or 4
// colour components.
func (c *jpegCheck) frameHeader() bool {
	if len(c.sof) < 6 {
		c.fail(damagedPrefix + "its picture header is cut short")
		return false
	}
	h := int(c.sof[1])<<8 | int(c.sof[2])
	w := int(c.sof[3])<<8 | int(c.sof[4])
	if w == 0 || h == 0 {
		c.fail(damagedPrefix + "it declares no picture size")
		return false
	}
	if n := c.sof[5]; n != 1 && n != 3 && n != 4 {
		c.fail(unsupportedPrefix + fmt.Sprintf("a JPEG with %d colour components", n))
		return false
	}
	c.frame = true
	return true
}

func (c *jpegCheck) fail(msg string) {
	c.problem = msg
	c.state = jpegDone
}

// Problem says what is wrong with the JPEG once every byte was written,
// or "" when it looks whole (or is not a JPEG).
func (c *jpegCheck) Problem() string {
	switch {
	case c.problem != "":
		return c.problem
	case c.state == jpegStart && c.n > 0 && c.n < 3 && bytes.HasPrefix([]byte{0xFF, 0xD8, 0xFF}, c.hdr):
		return damagedPrefix + "it ends right after it starts"
	case c.state == jpegHeader || c.state == jpegSegment:
		if c.frame {
			return damagedPrefix + "it ends before its picture data starts (the file was cut off)"
		}
		return damagedPrefix + "it ends inside its header, before the picture (the file was cut off)"
	case c.state == jpegScan && !c.eoi:
		return incompletePrefix + "it ends before the picture does (the file was cut off)"
	}
	return ""
}

// The reader's own problems, under the prefixes of the byte check's.
const (
	emptyProblem         = damagedPrefix + "it is empty (0 bytes)"
	unknownFormatProblem = unsupportedPrefix + "its content is not a photo or video format Pinhole knows"
)

// byteProblem recovers from a file's recorded error what the byte check
// found, which only reading every byte finds again: reading the metadata
// again without hashing (reread.go) keeps it. fileProblem put it first;
// the reader's own problems are left out, as reading again finds them (or
// finds them fixed).
func byteProblem(recorded string) string {
	first, _, _ := strings.Cut(recorded, "; ")
	switch {
	case first == emptyProblem || first == unknownFormatProblem:
		return ""
	case strings.HasPrefix(first, damagedPrefix), strings.HasPrefix(first, incompletePrefix), strings.HasPrefix(first, unsupportedPrefix):
		return first
	}
	return ""
}

// fileProblem is what the index records on a file: a problem that keeps
// its picture from being shown first, then the metadata reader's error.
// The reader's "empty file" and "unrecognised format" are such problems
// too, and get their prefixes.
func fileProblem(damage string, readErr error) string {
	var msg string
	if readErr != nil {
		msg = readErr.Error()
		switch {
		case strings.HasSuffix(msg, "empty file"):
			msg = emptyProblem
		case strings.HasSuffix(msg, "unrecognised format"):
			msg = unknownFormatProblem
		}
	}
	switch {
	case damage == "":
		return msg
	case msg == "" || strings.HasPrefix(msg, damagedPrefix) || strings.HasPrefix(msg, unsupportedPrefix) || strings.HasPrefix(msg, incompletePrefix):
		return damage
	}
	return damage + "; " + msg
}
