package meta

import (
	"encoding/binary"
	"strconv"
)

// MPEG transport streams (AVCHD .mts/.m2ts): the program map table names
// the codec of each stream. Capture times live in H.264 SEI messages of
// the video data, which are not decoded here.

const (
	tsPacket     = 188
	maxTSPackets = 512 // the tables come first; 96 KB at most is looked at
)

// readM2TS reads the video and audio stream types from the first program
// map table, as numbers the way exiftool reports them (27 is H.264).
func readM2TS(rd *reading) error {
	rd.setMIME("video/m2ts")
	var h [5]byte
	if _, err := rd.r.ReadAt(h[:], 0); err != nil {
		return nil
	}
	// .m2ts and .mts put a 4-byte time code before each packet.
	step, skip := int64(tsPacket), int64(0)
	if h[0] != 0x47 && h[4] == 0x47 {
		step, skip = tsPacket+4, 4
	}
	pmtPID := -1
	pkt := make([]byte, tsPacket)
	for i := int64(0); i < maxTSPackets; i++ {
		if _, err := rd.r.ReadAt(pkt, i*step+skip); err != nil || pkt[0] != 0x47 {
			return nil
		}
		pid := int(binary.BigEndian.Uint16(pkt[1:3]) & 0x1fff)
		start := pkt[1]&0x40 != 0
		if !start || (pid != 0 && pid != pmtPID) {
			continue
		}
		section := tsPayload(pkt)
		switch {
		case pid == 0 && len(section) >= 12 && section[0] == 0x00:
			pmtPID = patFirstProgram(section)
		case pid == pmtPID && len(section) >= 12 && section[0] == 0x02:
			pmtStreams(rd, section)
			return nil
		}
	}
	return nil
}

// tsPayload returns the section that starts in a packet: after the
// adaptation field and the pointer field.
func tsPayload(pkt []byte) []byte {
	p := 4
	switch pkt[3] >> 4 & 3 {
	case 1:
	case 3:
		p += 1 + int(pkt[4])
	default:
		return nil
	}
	if p >= len(pkt) {
		return nil
	}
	p += 1 + int(pkt[p]) // pointer field
	if p >= len(pkt) {
		return nil
	}
	return pkt[p:]
}

// sectionBody returns the bytes of a table section after its 8-byte
// header, without the CRC, cut to what the packet holds.
func sectionBody(s []byte) []byte {
	n := int(binary.BigEndian.Uint16(s[1:3])&0x0fff) + 3
	end := min(n-4, len(s))
	if end <= 8 {
		return nil
	}
	return s[8:end]
}

// patFirstProgram returns the PID of the first program's map table.
func patFirstProgram(s []byte) int {
	b := sectionBody(s)
	for p := 0; p+4 <= len(b); p += 4 {
		if binary.BigEndian.Uint16(b[p:]) != 0 { // 0 is the network PID
			return int(binary.BigEndian.Uint16(b[p+2:]) & 0x1fff)
		}
	}
	return -1
}

// pmtStreams records the first video and audio stream types.
func pmtStreams(rd *reading, s []byte) {
	b := sectionBody(s)
	if len(b) < 4 {
		return
	}
	p := 4 + int(binary.BigEndian.Uint16(b[2:4])&0x0fff) // PCR PID, program info
	for p+5 <= len(b) {
		typ := b[p]
		n := int(binary.BigEndian.Uint16(b[p+3:]) & 0x0fff)
		code := strconv.Itoa(int(typ))
		switch typ {
		case 0x01, 0x02, 0x10, 0x1b, 0x20, 0x24, 0xea:
			if rd.info.VideoCodec == "" {
				rd.info.VideoCodec = code
			}
		case 0x03, 0x04, 0x0f, 0x11, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0xa1, 0xa2:
			if rd.info.AudioCodec == "" {
				rd.info.AudioCodec = code
			}
		}
		p += 5 + n
	}
}
