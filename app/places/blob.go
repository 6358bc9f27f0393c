package places

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The blob written by internal/gen is gzip of:
//
//	magic "PINHOLE-PLACES-1\n", dataset version (string)
//	countries: n, then n × (code string, name string)
//	admin1:    n, then n × name string
//	cities:    n, then whole columns of n values each: country index,
//	           admin1 (0 = none, else index+1), latitude and longitude in
//	           1e-5 degrees as zigzag deltas from the previous city, name
//	           length; then all names' bytes
//	borders:   scale x, scale y, translate x, translate y (float64 LE),
//	           rings: n, then n × (country index, vertex count), then every
//	           ring's vertices as zigzag deltas of quantised x, y
//
// A string is a uvarint length and its bytes. Rings are closed, sorted by
// country, and unwrapped across the antimeridian (x may pass 180°).
const blobMagic = "PINHOLE-PLACES-1\n"

// maxCount bounds every count read from the blob so a corrupt blob fails
// with an error instead of a huge allocation.
const maxCount = 1 << 24

var errCorrupt = errors.New("corrupt places blob")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) count() int {
	v := r.uvarint()
	if v > maxCount {
		r.err = errCorrupt
		return 0
	}
	return int(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errCorrupt
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes(r.count())) }

func (r *reader) float64() float64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// decode builds a Geocoder from a gzip-compressed blob.
func decode(blob []byte) (*Geocoder, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("open places blob: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("inflate places blob: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(blobMagic)) {
		return nil, fmt.Errorf("places blob: %w: bad magic", errCorrupt)
	}
	r := &reader{b: raw[len(blobMagic):]}
	g := &Geocoder{version: r.string()}

	nc := r.count()
	g.countries = make([]countryName, nc)
	for i := range g.countries {
		g.countries[i] = countryName{code: r.string(), name: r.string()}
	}
	na := r.count()
	g.admin1 = make([]string, na+1) // index 0 is "no region"
	for i := 1; i <= na; i++ {
		g.admin1[i] = r.string()
	}
	if err := g.decodeCities(r); err != nil {
		return nil, err
	}
	if err := g.borders.decode(r, len(g.countries)); err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, fmt.Errorf("places blob: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("places blob: %w: %d trailing bytes", errCorrupt, len(r.b))
	}
	return g, nil
}

func (g *Geocoder) decodeCities(r *reader) error {
	n := r.count()
	cs := make([]cityRecord, n)
	for i := range cs {
		c := r.uvarint()
		if c >= uint64(len(g.countries)) {
			return fmt.Errorf("city %d: %w: country %d", i, errCorrupt, c)
		}
		cs[i].country = uint16(c)
	}
	for i := range cs {
		a := r.uvarint()
		if a >= uint64(len(g.admin1)) {
			return fmt.Errorf("city %d: %w: admin1 %d", i, errCorrupt, a)
		}
		cs[i].admin1 = uint16(a)
	}
	var v int64
	for i := range cs {
		v += r.varint()
		cs[i].lat = int32(v)
	}
	v = 0
	for i := range cs {
		v += r.varint()
		cs[i].lng = int32(v)
	}
	total := 0
	for i := range cs {
		l := r.count()
		cs[i].nameStart = uint32(total)
		total += l
		cs[i].nameEnd = uint32(total)
	}
	// One string holds every name, so Lookup hands out substrings without
	// allocating.
	g.names = string(r.bytes(total))
	if r.err != nil {
		return fmt.Errorf("places blob cities: %w", r.err)
	}
	for i, c := range cs {
		if c.lat < -90e5 || c.lat > 90e5 || c.lng < -180e5 || c.lng > 180e5 {
			return fmt.Errorf("city %d: %w: coordinates out of range", i, errCorrupt)
		}
	}
	g.cities = newCityIndex(cs)
	return nil
}
