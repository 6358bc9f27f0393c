package meta

import (
	"path/filepath"
	"regexp"
	"strconv"
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
