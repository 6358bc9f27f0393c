package meta

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// nameDate matches a date, optionally followed by a time, as phones and
// cameras put them in file names: IMG_20190131_142233, 2019-01-31 14.22.33,
// PXL_20210101_120000123, Screenshot_2020-05-01-10-11-12, VID-20200101-WA0001.
// The date must not be glued to other digits in front, so a long number is
// not mistaken for one.
var nameDate = regexp.MustCompile(`(?:^|[^0-9])((?:18|19|20)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?:[-_ T.]?(\d\d)[-_.:h]?(\d\d)[-_.:m]?(\d\d))?`)

// DateFromName finds a capture date in a file name. The result is a
// wall-clock time in UTC (the name says nothing about the zone). Impossible
// dates and years before 1900 or after next year are rejected.
func DateFromName(name string) (time.Time, bool) {
	base := filepath.Base(name)
	for _, m := range nameDate.FindAllStringSubmatchIndex(base, 8) {
		end := m[1]
		// A date without time must not run on into more digits.
		if m[8] < 0 && end < len(base) && base[end] >= '0' && base[end] <= '9' {
			continue
		}
		num := func(i int) int {
			if m[2*i] < 0 {
				return 0
			}
			n, _ := strconv.Atoi(base[m[2*i]:m[2*i+1]])
			return n
		}
		y, mo, d := num(1), num(2), num(3)
		hh, mm, ss := num(4), num(5), num(6)
		if y < 1900 || y > time.Now().Year()+1 || mo < 1 || mo > 12 || d < 1 || d > 31 {
			continue
		}
		if hh > 23 || mm > 59 || ss > 59 { // digits after the date, but not a time
			hh, mm, ss = 0, 0, 0
		}
		t := time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.UTC)
		if t.Day() != d { // 31 February and the like
			continue
		}
		return t, true
	}
	return time.Time{}, false
}

// FolderDate is the period a folder name points at: a day, a month or a
// year. Start is its first instant and End the first instant after it, as
// wall-clock times in UTC like every date without a known zone.
type FolderDate struct {
	Start, End time.Time
}

// Contains reports whether the wall-clock time t falls inside the period.
func (f FolderDate) Contains(t time.Time) bool {
	return !t.Before(f.Start) && t.Before(f.End)
}

var (
	// folderYearMonth is "2016-05" or "2016_05 Paris", a year and a month
	// not followed by a day.
	folderYearMonth = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:18|19|20)\d\d)[-_. ](\d\d)(?:$|[^0-9])`)
	// digits finds runs of digits, among them years standing alone.
	digits = regexp.MustCompile(`\d+`)
	// folderNumber is a folder that starts with a month or day number, as
	// in 2016/05/14 or "05 May".
	folderNumber = regexp.MustCompile(`^(\d\d?)(?:$|[ _.\-][^0-9])`)
)

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// DateFromFolders finds the date a file's folders give it, for files
// whose own metadata and name have none. dir is the folder relative to the
// originals root, '/'-separated. The nearest folder that names a date
// wins: "2019/2019-07-14 Lake" gives 14 July 2019, "Holidays 2018" the year
// 2018, "2016/05" and "2016/05/14" a month and a day. A folder naming two
// different dates ("2018-2019", "2019-07-14 to 2019-07-20") is ambiguous and
// gives nothing, rather than a guess.
func DateFromFolders(dir string) (FolderDate, bool) {
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		d, found, ok := folderDate(parts[:i+1])
		if !ok {
			return FolderDate{}, false // ambiguous: no guess
		}
		if found {
			return d, true
		}
	}
	return FolderDate{}, false
}

// folderDate reads the last folder of parts, using the folders above it
// for a bare month or day number. found says a date was named; ok is false
// when the folder names more than one.
func folderDate(parts []string) (d FolderDate, found, ok bool) {
	name := parts[len(parts)-1]
	if name == "" {
		return d, false, true
	}
	// A full date, as in file names.
	var days []time.Time
	for _, m := range nameDate.FindAllStringSubmatch(name, 4) {
		if t, ok := DateFromName(m[0]); ok {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			if len(days) == 0 || !days[0].Equal(t) {
				days = append(days, t)
			}
		}
	}
	if len(days) > 1 {
		return d, false, false
	}
	if len(days) == 1 {
		return FolderDate{days[0], days[0].AddDate(0, 0, 1)}, true, true
	}
	// A year and a month.
	if ms := folderYearMonth.FindAllStringSubmatch(name, 3); len(ms) > 0 {
		if len(ms) > 1 {
			return d, false, false
		}
		y, _ := strconv.Atoi(ms[0][1])
		mo, _ := strconv.Atoi(ms[0][2])
		if mo >= 1 && mo <= 12 && plausibleFolderYear(y) {
			start := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
			return FolderDate{start, start.AddDate(0, 1, 0)}, true, true
		}
	}
	// A bare month under a year, or a bare day under a month under a year.
	if len(parts) >= 2 {
		if mo := folderMonth(name); mo > 0 {
			if y, ok := folderYearOnly(parts[len(parts)-2]); ok {
				start := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
				return FolderDate{start, start.AddDate(0, 1, 0)}, true, true
			}
		}
	}
	if len(parts) >= 3 {
		if day := folderDay(name); day > 0 {
			if mo := folderMonth(parts[len(parts)-2]); mo > 0 {
				if y, ok := folderYearOnly(parts[len(parts)-3]); ok {
					start := time.Date(y, time.Month(mo), day, 0, 0, 0, 0, time.UTC)
					if start.Day() == day { // not 31 April
						return FolderDate{start, start.AddDate(0, 0, 1)}, true, true
					}
				}
			}
		}
	}
	// A year alone.
	years := folderYears(name)
	for _, y := range years[min(1, len(years)):] {
		if y != years[0] {
			return d, false, false
		}
	}
	if len(years) == 0 {
		return d, false, true
	}
	// "May 2016", "Paris, September 2019": a month named beside the year.
	for _, w := range folderWords(name) {
		if mo := monthWord(w); mo > 0 {
			start := time.Date(years[0], time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
			return FolderDate{start, start.AddDate(0, 1, 0)}, true, true
		}
	}
	start := time.Date(years[0], 1, 1, 0, 0, 0, 0, time.UTC)
	return FolderDate{start, start.AddDate(1, 0, 0)}, true, true
}

// folderYears finds the years standing alone as words in a folder name:
// "2018" in "Holidays 2018" or "Scans 1998-2003", not in "1920x1080" or
// "IMG2018".
func folderYears(name string) []int {
	var out []int
	for _, m := range digits.FindAllStringIndex(name, 8) {
		if m[1]-m[0] != 4 || (m[0] > 0 && isASCIILetter(name[m[0]-1])) || (m[1] < len(name) && isASCIILetter(name[m[1]])) {
			continue
		}
		if y, _ := strconv.Atoi(name[m[0]:m[1]]); plausibleFolderYear(y) {
			out = append(out, y)
		}
	}
	return out
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// folderYearOnly reads a folder that names one year and nothing finer.
func folderYearOnly(name string) (int, bool) {
	d, found, ok := folderDate([]string{name})
	if !found || !ok || d.End.Sub(d.Start) < 365*24*time.Hour {
		return 0, false
	}
	return d.Start.Year(), true
}

// folderMonth reads "05", "5", "05 May", "May" or "05-Paris" as a month.
func folderMonth(name string) int {
	if m := folderNumber.FindStringSubmatch(name); m != nil {
		if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= 12 {
			return n
		}
		return 0
	}
	if w := folderWords(name); len(w) > 0 {
		return monthWord(w[0])
	}
	return 0
}

func folderWords(name string) []string {
	return strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '.' || r == ','
	})
}

// monthWord reads an English month name, whole or cut short ("sept").
func monthWord(w string) int {
	if len(w) < 3 {
		return 0
	}
	for i, mn := range monthNames {
		if strings.HasPrefix(w, mn) && strings.HasPrefix(fullMonth(i), w) {
			return i + 1
		}
	}
	return 0
}

func fullMonth(i int) string { return strings.ToLower(time.Month(i + 1).String()) }

// folderDay reads "14" or "14 Birthday" as a day of the month.
func folderDay(name string) int {
	if m := folderNumber.FindStringSubmatch(name); m != nil {
		if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= 31 {
			return n
		}
	}
	return 0
}

func plausibleFolderYear(y int) bool { return y >= 1900 && y <= time.Now().Year()+1 }

// FileTime turns a file's modification time into a taken time: the wall
// clock of this machine's zone, expressed in UTC like other dates without a
// known zone.
func FileTime(mtime time.Time) time.Time {
	mt := mtime.Local()
	return time.Date(mt.Year(), mt.Month(), mt.Day(), mt.Hour(), mt.Minute(), mt.Second(), 0, time.UTC)
}

// Strength orders taken-time sources for merging the files of one photo:
// a time recorded at capture beats a date in the file name, which beats
// the folders' date, which beats the file's modification time.
func (s TimeSource) Strength() int {
	switch s {
	case "":
		return 0
	case SourceFileTime:
		return 1
	case SourceFolder:
		return 2
	case SourceFileName:
		return 3
	}
	return 4
}
