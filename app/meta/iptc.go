package meta

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// iptcFacts are the IPTC-IIM (legacy IPTC) fields Pinhole uses.
type iptcFacts struct {
	title, caption string
	keywords       []string
	date, offset   string // exiftool's "YYYY:MM:DD hh:mm:ss" and "+hh:mm"
}

const maxIIMDatasets = 2000

// parseIIM decodes IPTC-IIM datasets (0x1C, record, dataset, length, data).
// It returns nil when no field of interest is present.
func parseIIM(b []byte) *iptcFacts {
	var (
		p          iptcFacts
		utf8Coded  bool
		date, tstr string
		raw        [][3]string
	)
	for n := 0; n < maxIIMDatasets && len(b) >= 5; n++ {
		if b[0] != 0x1c {
			break
		}
		rec, ds := b[1], b[2]
		size := int(binary.BigEndian.Uint16(b[3:5]))
		b = b[5:]
		if size&0x8000 != 0 {
			// Extended dataset: the low bits say how many length bytes follow.
			k := size & 0x7fff
			if k > 4 || k > len(b) {
				break
			}
			size = 0
			for _, c := range b[:k] {
				size = size<<8 | int(c)
			}
			b = b[k:]
		}
		if size < 0 || size > len(b) {
			break
		}
		v := b[:size]
		b = b[size:]
		switch {
		case rec == 1 && ds == 90:
			utf8Coded = strings.Contains(string(v), "\x1b%G")
		case rec == 2 && ds == 5:
			raw = append(raw, [3]string{"title", string(v)})
		case rec == 2 && ds == 120:
			raw = append(raw, [3]string{"caption", string(v)})
		case rec == 2 && ds == 25:
			raw = append(raw, [3]string{"keyword", string(v)})
		case rec == 2 && ds == 55:
			date = string(v)
		case rec == 2 && ds == 60:
			tstr = string(v)
		}
	}
	for _, kv := range raw {
		s := strings.TrimSpace(iimText(kv[1], utf8Coded))
		if s == "" {
			continue
		}
		switch kv[0] {
		case "title":
			p.title = s
		case "caption":
			p.caption = s
		case "keyword":
			p.keywords = appendUnique(p.keywords, s)
		}
	}
	if len(date) == 8 && allDigits(date) {
		d := date[0:4] + ":" + date[4:6] + ":" + date[6:8]
		t := "00:00:00"
		if len(tstr) >= 6 && allDigits(tstr[:6]) {
			t = tstr[0:2] + ":" + tstr[2:4] + ":" + tstr[4:6]
			if len(tstr) >= 11 {
				p.offset = validOffset(tstr[6:11])
			}
		}
		p.date = d + " " + t
	}
	if p.title == "" && p.caption == "" && len(p.keywords) == 0 && p.date == "" {
		return nil
	}
	return &p
}

// iimText decodes IIM text: UTF-8 when the record says so or the bytes are
// valid UTF-8, else Latin-1, which is what old software wrote.
func iimText(s string, utf8Coded bool) string {
	if utf8Coded || utf8.ValidString(s) {
		return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != 0 {
			r = append(r, rune(s[i]))
		}
	}
	return string(r)
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
