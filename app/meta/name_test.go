package meta

import (
	"testing"
	"time"
)

func TestDateFromFolders(t *testing.T) {
	day := func(y, m, d int) string {
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	for _, tt := range []struct {
		dir        string
		start, end string // "" when no date
	}{
		{"2019/2019-07-14 Lake", day(2019, 7, 14), day(2019, 7, 15)},
		{"2019/20190714", day(2019, 7, 14), day(2019, 7, 15)},
		{"Holidays 2018", day(2018, 1, 1), day(2019, 1, 1)},
		{"Holidays 2018/Day two", day(2018, 1, 1), day(2019, 1, 1)}, // nearest dated folder
		{"2016/05", day(2016, 5, 1), day(2016, 6, 1)},
		{"2016/5", day(2016, 5, 1), day(2016, 6, 1)},
		{"2016/05/14", day(2016, 5, 14), day(2016, 5, 15)},
		{"2016/05 May/14 Birthday", day(2016, 5, 14), day(2016, 5, 15)},
		{"2016/May", day(2016, 5, 1), day(2016, 6, 1)},
		{"Paris, September 2019", day(2019, 9, 1), day(2019, 10, 1)},
		{"2016-05 Paris", day(2016, 5, 1), day(2016, 6, 1)},
		{"Photos/2020/Lake/Boat", day(2020, 1, 1), day(2021, 1, 1)},
		{"2015/2016-02-29 Leap", day(2016, 2, 29), day(2016, 3, 1)}, // the nearest wins
		// Nothing, or nothing certain.
		{"", "", ""},
		{".", "", ""},
		{"DCIM/100CANON", "", ""},
		{"Camera Uploads", "", ""},
		{"Trips/2018-12-30 to 2019-01-02", "", ""},
		{"2019/Scans 1998-2003", "", ""}, // ambiguous nearest folder: no guess from above it
		{"1920x1080 wallpapers", "", ""},
		{"05", "", ""},                                   // a month without a year
		{"Lisbon/05", "", ""},                            // likewise
		{"2016/31/x", day(2016, 1, 1), day(2017, 1, 1)},  // no 31st month: the year
		{"2019/02/30", day(2019, 2, 1), day(2019, 3, 1)}, // no 30 February: the month
		{"Marseille 2018", day(2018, 1, 1), day(2019, 1, 1)},
		{"Room 2999", "", ""}, // not a plausible year
	} {
		d, ok := DateFromFolders(tt.dir)
		if tt.start == "" {
			if ok {
				t.Errorf("DateFromFolders(%q) = %s…%s, want no date", tt.dir, d.Start, d.End)
			}
			continue
		}
		if !ok || d.Start.Format("2006-01-02") != tt.start || d.End.Format("2006-01-02") != tt.end || d.Start.Location() != time.UTC {
			t.Errorf("DateFromFolders(%q) = %v %s…%s, want %s…%s", tt.dir, ok, d.Start, d.End, tt.start, tt.end)
		}
	}
}

// FuzzDateFromFolders checks that any period found is a real one in range.
func FuzzDateFromFolders(f *testing.F) {
	for _, s := range []string{"2019/2019-07-14 Lake", "Holidays 2018", "2016/05/14", "May 2016", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dir string) {
		d, ok := DateFromFolders(dir)
		if ok && (!d.End.After(d.Start) || d.Start.Year() < 1800 || d.Start.Year() > time.Now().Year()+1) {
			t.Fatalf("DateFromFolders(%q) = %s…%s", dir, d.Start, d.End)
		}
	})
}
