package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Google Takeout exports each photo with a JSON file of what Google Photos
// knew about it: when it was taken, where, its caption and whether it was
// starred. The rules for naming that file, as Takeout archives show them:
//
//   - IMG_1234.jpg has IMG_1234.jpg.json, or in archives made since 2024
//     IMG_1234.jpg.supplemental-metadata.json.
//   - The name, ".json" included, is cut to 51 characters: the part before
//     ".json" keeps its first 46, so a long name loses the end of
//     ".supplemental-metadata" (…jpg.supplemental-metad.json, …jpg.suppl.json)
//     or even the end of the photo's own name.
//   - A second photo of the same name is saved as IMG_1234(1).jpg; its JSON
//     is IMG_1234.jpg(1).json (…jpg.supplemental-metadata(1).json): the
//     number moves to the end and is never cut.
//   - An edited copy, IMG_1234-edited.jpg (the word is the account's
//     language: -bearbeitet, -modifié…), has no JSON of its own: the
//     original's describes it.
//
// Going from a photo's name to its JSON's is deterministic; the way back
// is not (a cut name has lost characters), so the indexer looks up the
// names TakeoutJSONNames gives for each photo in its folder.

// mimeTakeout is the MIME type of a Google Takeout JSON sidecar.
const mimeTakeout = "application/json"

const (
	takeoutKeep   = 46 // characters of a JSON name kept before ".json"
	takeoutSuffix = ".supplemental-metadata"
	maxTakeout    = 1 << 20 // a Takeout JSON is a few KB
)

// editedWords are what Google Photos appends to an edited copy's name, in
// the languages seen in Takeout archives.
var editedWords = []string{"-edited", "-bearbeitet", "-modifié", "-editado", "-modificato", "-bewerkt", "-redigerad", "-muokattu"}

// TakeoutJSONNames lists the names the Google Takeout JSON of the media
// file name may have, most likely first. For an edited copy, pass its
// original's name (TakeoutOriginal).
func TakeoutJSONNames(name string) []string {
	var out []string
	add := func(before, number string) {
		for _, c := range clipTakeout(before) {
			n := c + number + ".json"
			if !containsString(out, n) {
				out = append(out, n)
			}
		}
	}
	if base, number, ok := splitCopyNumber(name); ok {
		add(base+takeoutSuffix, number)
		add(base, number)
	}
	add(name+takeoutSuffix, "")
	add(name, "")
	return out
}

// clipTakeout cuts s to what Google keeps before ".json": 46 characters.
// Whether Google counts characters or bytes is not known for names beyond
// ASCII, so both cuts are returned when they differ.
func clipTakeout(s string) []string {
	runes := s
	if utf8.RuneCountInString(s) > takeoutKeep {
		n := 0
		for i := range s {
			if n == takeoutKeep {
				runes = s[:i]
				break
			}
			n++
		}
	}
	out := []string{runes}
	if len(s) > takeoutKeep {
		b := s[:takeoutKeep]
		for !utf8.ValidString(b) {
			b = b[:len(b)-1]
		}
		if b != runes {
			out = append(out, b)
		}
	}
	return out
}

// splitCopyNumber splits "IMG_1234(1).jpg" into "IMG_1234.jpg" and "(1)".
func splitCopyNumber(name string) (base, number string, ok bool) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if !strings.HasSuffix(stem, ")") {
		return "", "", false
	}
	open := strings.LastIndexByte(stem, '(')
	if open <= 0 {
		return "", "", false
	}
	digits := stem[open+1 : len(stem)-1]
	if digits == "" || len(digits) > 4 {
		return "", "", false
	}
	if _, err := strconv.Atoi(digits); err != nil {
		return "", "", false
	}
	return stem[:open] + ext, stem[open:], true
}

// TakeoutOriginal reports whether name is a Google Photos edited copy
// ("IMG_1234-edited.jpg", "IMG_1234-edited(1).jpg") and gives its
// original's name ("IMG_1234.jpg", "IMG_1234(1).jpg").
func TakeoutOriginal(name string) (string, bool) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	number := ""
	if base, n, ok := splitCopyNumber(name); ok {
		stem, number = strings.TrimSuffix(base, ext), n
	}
	lower := strings.ToLower(stem)
	for _, w := range editedWords {
		if strings.HasSuffix(lower, w) && len(stem) > len(w) {
			return stem[:len(stem)-len(w)] + number + ext, true
		}
	}
	return "", false
}

// IsTakeoutJSON reports whether a file name could be a Google Takeout
// sidecar: it ends in ".json". Whether it describes a photo depends on the
// photos beside it (TakeoutJSONNames).
func IsTakeoutJSON(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".json")
}

// takeoutFile is the part of a Takeout JSON Pinhole reads.
type takeoutFile struct {
	Title          *string       `json:"title"`
	Description    string        `json:"description"`
	PhotoTakenTime *takeoutTime  `json:"photoTakenTime"`
	GeoData        *takeoutPlace `json:"geoData"`
	GeoDataExif    *takeoutPlace `json:"geoDataExif"`
	Favorited      bool          `json:"favorited"`
}

type takeoutTime struct {
	Timestamp json.RawMessage `json:"timestamp"` // seconds as a string ("1563098400"), sometimes a number
}

type takeoutPlace struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Altitude  float64 `json:"altitude"`
}

// ReadTakeout reads a Google Takeout JSON sidecar: the capture time
// (photoTakenTime, an instant in UTC — Google does not say in which zone
// the photo was taken, so the time is shown in UTC), the position
// (geoData, else geoDataExif; 0,0 means none), the caption and the star.
func ReadTakeout(path string) (*Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read takeout json: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTakeout+1))
	if err != nil {
		return nil, fmt.Errorf("read takeout json: %w", err)
	}
	return takeoutFrom(b)
}

func takeoutFrom(b []byte) (*Info, error) {
	info := &Info{MIME: mimeTakeout, Kind: KindSidecar}
	if len(b) > maxTakeout {
		return info, errors.New("read takeout json: over 1 MB, not a photo's sidecar")
	}
	var t takeoutFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&t); err != nil {
		return info, fmt.Errorf("read takeout json: %w", err)
	}
	if t.Title == nil && t.PhotoTakenTime == nil && t.GeoData == nil && t.GeoDataExif == nil {
		return info, errors.New("read takeout json: not a Google Takeout photo sidecar (no title, photoTakenTime or geoData)")
	}
	info.Description = strings.TrimSpace(t.Description)
	info.Favorite = t.Favorited
	if t.PhotoTakenTime != nil {
		s := strings.Trim(strings.TrimSpace(string(t.PhotoTakenTime.Timestamp)), `"`)
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil && sec != 0 {
			utc := time.FixedZone("+00:00", 0)
			at := time.Unix(sec, 0).In(utc)
			if plausibleYear(at.Year()) {
				info.Taken, info.HasOffset, info.TakenSource = at, true, SourceTakeout
				info.DateTimeOriginal, info.OffsetTimeOriginal = at.Format(exifLayout), "+00:00"
			}
		}
	}
	for _, p := range []*takeoutPlace{t.GeoData, t.GeoDataExif} {
		if p != nil && validGPS(p.Latitude, p.Longitude) {
			info.HasGPS, info.Lat, info.Lng = true, p.Latitude, p.Longitude
			// Google writes 0 for an unknown altitude.
			if p.Altitude != 0 && !math.IsNaN(p.Altitude) && math.Abs(p.Altitude) < 20000 {
				info.Alt, info.HasAlt = p.Altitude, true
			}
			break
		}
	}
	return info, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
