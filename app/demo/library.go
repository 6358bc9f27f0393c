package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"
)

// dstRule says when a place's clocks are an hour ahead. Day resolution is
// enough: no demo photo is taken in the small hours of a switch day.
type dstRule int

const (
	noDST  dstRule = iota
	euDST          // last Sunday of March to last Sunday of October
	usDST          // second Sunday of March to first Sunday of November
	ausDST         // first Sunday of October to first Sunday of April
)

// place is a city the demo photos were taken in.
type place struct {
	city, country string
	lat, lng, alt float64
	stdOffset     int // minutes east of UTC outside daylight saving
	dst           dstRule
	look          look
	trip          string   // how a folder for a trip there is named
	titles        []string // titles the owner gave some photos
	tags          []string // keywords for those photos
}

// The places span both hemispheres and every continent but Antarctica, and
// are far enough apart that an offline reverse geocoder can tell them apart.
var places = []place{
	{"Berlin", "Germany", 52.5200, 13.4050, 40, 60, euDST,
		look{landHue: 95, landSat: 0.9, farShape: rolling, city: 0.45, coast: 0.2}, "Berlin",
		[]string{"Sunday on the Spree", "Tempelhofer Feld", "Our street in spring"}, []string{"home", "family"}},
	{"Lisbon", "Portugal", 38.7223, -9.1393, 60, 0, euDST,
		look{landHue: 40, landSat: 0.7, farShape: rolling, city: 0.5, coast: 0.6}, "Lisbon",
		[]string{"Tram 28", "Sunset over the Tagus", "Alfama rooftops"}, []string{"Lisbon", "Portugal", "travel"}},
	{"Reykjavik", "Iceland", 64.1466, -21.9426, 20, 0, noDST,
		look{landHue: 110, landSat: 0.45, farShape: peaks, city: 0.15, coast: 0.5}, "Iceland trip",
		[]string{"Esja from the harbour", "Midnight sun", "Road to the Golden Circle"}, []string{"Iceland", "mountains", "travel"}},
	{"Kyoto", "Japan", 35.0116, 135.7681, 50, 9 * 60, noDST,
		look{landHue: 125, landSat: 1.0, farShape: rolling, city: 0.3, coast: 0.1}, "Japan",
		[]string{"Arashiyama hills", "Kamo river evening", "Temple garden"}, []string{"Kyoto", "Japan", "temple"}},
	{"New York", "United States", 40.7128, -74.0060, 10, -5 * 60, usDST,
		look{landHue: 100, landSat: 0.8, farShape: rolling, city: 0.75, coast: 0.55}, "New York",
		[]string{"Skyline from Brooklyn", "Hudson at dusk", "Central Park"}, []string{"New York", "USA", "city"}},
	{"Cape Town", "South Africa", -33.9249, 18.4241, 30, 2 * 60, noDST,
		look{landHue: 55, landSat: 0.75, farShape: plateau, city: 0.2, coast: 0.6}, "South Africa",
		[]string{"Table Mountain", "Camps Bay", "Lion's Head at sunset"}, []string{"Cape Town", "South Africa", "ocean"}},
	{"Sydney", "Australia", -33.8688, 151.2093, 20, 10 * 60, ausDST,
		look{landHue: 80, landSat: 0.8, farShape: rolling, city: 0.5, coast: 0.65}, "Australia",
		[]string{"Harbour ferry", "Bondi to Coogee", "Opera House steps"}, []string{"Sydney", "Australia", "beach"}},
	{"Paris", "France", 48.8566, 2.3522, 35, 60, euDST,
		look{landHue: 85, landSat: 0.8, farShape: rolling, city: 0.7, coast: 0.3}, "Paris",
		[]string{"Along the Seine", "Montmartre morning", "Jardin du Luxembourg"}, []string{"Paris", "France", "city"}},
	{"Buenos Aires", "Argentina", -34.6037, -58.3816, 25, -3 * 60, noDST,
		look{landHue: 75, landSat: 0.85, farShape: rolling, city: 0.6, coast: 0.45}, "Argentina",
		[]string{"La Boca colours", "Río de la Plata", "Palermo parks"}, []string{"Buenos Aires", "Argentina", "travel"}},
	{"Vancouver", "Canada", 49.2827, -123.1207, 15, -8 * 60, usDST,
		look{landHue: 140, landSat: 0.8, farShape: peaks, city: 0.35, coast: 0.55}, "Canada",
		[]string{"North Shore mountains", "Stanley Park seawall", "English Bay"}, []string{"Vancouver", "Canada", "mountains"}},
}

// zone is the place's UTC offset on the given local date.
func (p *place) zone(y int, m time.Month, d int) *time.Location {
	off := p.stdOffset
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	var summer bool
	switch p.dst {
	case euDST:
		summer = !day.Before(lastSunday(y, time.March)) && day.Before(lastSunday(y, time.October))
	case usDST:
		summer = !day.Before(nthSunday(y, time.March, 2)) && day.Before(nthSunday(y, time.November, 1))
	case ausDST:
		summer = !day.Before(nthSunday(y, time.October, 1)) || day.Before(nthSunday(y, time.April, 1))
	}
	if summer {
		off += 60
	}
	return time.FixedZone("", off*60)
}

func nthSunday(y int, m time.Month, n int) time.Time {
	first := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, (7-int(first.Weekday()))%7+7*(n-1))
}

func lastSunday(y int, m time.Month) time.Time {
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC)
	return last.AddDate(0, 0, -int(last.Weekday()))
}

// camera is a model the owner used, with what it writes and when.
type camera struct {
	make, model, lens string
	from, to          int // years in use
	phone             bool
	littleEndian      bool
	offsets           bool       // writes OffsetTime* (Exif 2.31, 2016 on)
	aspect            float64    // long side over short side
	focal             [2]float64 // mm; equal for a fixed lens
	fstops            []float64
	isoMax            int
	name              func(n int, t time.Time) string
}

func numbered(format string) func(int, time.Time) string {
	return func(n int, _ time.Time) string { return fmt.Sprintf(format, n) }
}

var dslrStops = []float64{4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9, 10, 11}

// The cameras cover 2009–2024 with overlap: DSLRs early, a compact, phones
// from 2014, mirrorless later. Byte order is each maker's real one.
var cameras = []camera{
	{"Canon", "Canon EOS 5D Mark II", "EF24-105mm f/4L IS USM", 2009, 2015, false, true, false, 1.5, [2]float64{24, 105}, dslrStops, 3200, numbered("IMG_%04d.JPG")},
	{"NIKON CORPORATION", "NIKON D90", "18.0-105.0 mm f/3.5-5.6", 2009, 2014, false, false, false, 1.5, [2]float64{18, 105}, dslrStops[2:], 3200, numbered("DSC_%04d.JPG")},
	{"Canon", "Canon PowerShot S95", "", 2010, 2014, false, true, false, 4.0 / 3, [2]float64{6, 22.5}, []float64{2, 2.8, 3.5, 4, 4.9}, 1600, numbered("IMG_%04d.JPG")},
	{"Apple", "iPhone 6", "iPhone 6 back camera 4.15mm f/2.2", 2014, 2019, true, false, false, 4.0 / 3, [2]float64{4.15, 4.15}, []float64{2.2}, 1600, numbered("IMG_%04d.JPG")},
	{"FUJIFILM", "X-T2", "XF18-55mmF2.8-4 R LM OIS", 2016, 2021, false, true, false, 1.5, [2]float64{18, 55}, []float64{2.8, 3.6, 4, 5.6, 8, 11}, 6400, numbered("DSCF%04d.JPG")},
	{"samsung", "SM-G960F", "", 2018, 2021, true, true, true, 4.0 / 3, [2]float64{4.3, 4.3}, []float64{1.5, 2.4}, 800,
		func(_ int, t time.Time) string { return t.Format("20060102_150405") + ".jpg" }},
	{"SONY", "ILCE-7M3", "FE 24-105mm F4 G OSS", 2018, 2024, false, true, true, 1.5, [2]float64{24, 105}, dslrStops, 12800, numbered("DSC%05d.JPG")},
	{"Apple", "iPhone 12 Pro", "iPhone 12 Pro back triple camera 4.2mm f/1.6", 2020, 2024, true, false, true, 4.0 / 3, [2]float64{4.2, 4.2}, []float64{1.6}, 2000, numbered("IMG_%04d.JPG")},
	{"Google", "Pixel 4a", "", 2020, 2024, true, true, true, 4.0 / 3, [2]float64{4.38, 4.38}, []float64{1.73}, 1600,
		func(n int, t time.Time) string {
			u := t.UTC()
			return fmt.Sprintf("PXL_%s%03d.jpg", u.Format("20060102_150405"), n%1000)
		}},
}

const (
	firstYear = 2009
	lastYear  = 2024
)

// Photo is one planned demo photo: where it goes and what it carries. The
// pixels follow from it deterministically.
type Photo struct {
	Path    string // slash-separated, relative to the library folder
	City    string // where it was taken (also for photos without GPS)
	Country string
	Exif    Exif
	XMP     *XMP // nil for most photos

	seed uint64
	look look
	sky  skyKind
}

// DisplaySize is the picture's size as shown, after EXIF orientation.
func (p *Photo) DisplaySize() (w, h int) {
	if p.Exif.Orientation == 6 || p.Exif.Orientation == 8 {
		return p.Exif.Height, p.Exif.Width
	}
	return p.Exif.Width, p.Exif.Height
}

// Plan lays out the library Generate writes for opt: every photo's path and
// metadata, in path order. It is pure and cheap, so tests of the indexer can
// compare what they read with what was written.
func Plan(opt Options) []Photo {
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x6465_6d6f))
	counters := make([]int, len(cameras))
	for i := range counters {
		counters[i] = 100 + rng.IntN(8000)
	}
	used := map[string]bool{} // lower-cased base names per folder: no accidental stacks
	var photos []Photo
	// Trips visit every city once before any twice, so even a small library
	// has photos all over the map.
	var trips []int

	for ev := 0; len(photos) < opt.Count; ev++ {
		// The first events are pinned to the early years so even a small
		// library reaches back to 2010 or before.
		year := firstYear + rng.IntN(lastYear-firstYear+1)
		if ev < 2 {
			year = firstYear + ev
		}
		home := ev%3 == 2 || rng.IntN(4) == 0
		pl := &places[0]
		if !home {
			if len(trips) == 0 {
				trips = rng.Perm(len(places) - 1)
			}
			pl = &places[1+trips[0]]
			trips = trips[1:]
		}
		month := time.Month(1 + rng.IntN(12))
		day := 1 + rng.IntN(28)
		folder, days, n := tripFolder(rng, pl, year, month, day)
		if home {
			folder, month, day, n = homeFolder(rng, year)
			days = 1
		}
		n = min(n, opt.Count-len(photos))

		main, second := pickCameras(rng, year)
		// Some trips had a GPS logger or a paired phone along.
		logger := rng.IntN(10) < 6
		start := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
		var times []time.Duration
		for range n {
			d := rng.IntN(days)
			sec := 7*3600 + rng.IntN(14*3600) // 07:00–21:00
			times = append(times, time.Duration(d)*24*time.Hour+time.Duration(sec)*time.Second)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })

		for i, off := range times {
			ci := main
			if second >= 0 && rng.IntN(10) < 3 {
				ci = second
			}
			cam := &cameras[ci]
			local := start.Add(off)
			taken := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0,
				pl.zone(local.Year(), local.Month(), local.Day()))

			var name string
			for {
				counters[ci] += 1 + rng.IntN(3)*rng.IntN(2) // some shots were deleted
				if counters[ci] > 9999 {
					counters[ci] = 1
				}
				name = cam.name(counters[ci], taken)
				key := folder + "/" + strings.ToLower(strings.TrimSuffix(name, path.Ext(name)))
				if !used[key] {
					used[key] = true
					break
				}
				taken = taken.Add(time.Second) // phones name files by time
			}

			p := Photo{
				Path: folder + "/" + name, City: pl.city, Country: pl.country,
				seed: rng.Uint64(), look: pl.look,
			}
			p.sky = skyFor(rng, taken.Hour())
			p.Exif = shotExif(rng, cam, taken, p.sky, opt)
			if cam.phone || logger {
				p.Exif.GPS = nearby(rng, pl)
			}
			if i == 0 && rng.IntN(2) == 0 || rng.IntN(12) == 0 {
				p.XMP = caption(rng, pl, home)
			}
			photos = append(photos, p)
		}
	}
	sort.Slice(photos, func(i, j int) bool { return photos[i].Path < photos[j].Path })
	return photos
}

func tripFolder(rng *rand.Rand, pl *place, year int, month time.Month, day int) (folder string, days, n int) {
	days = 2 + rng.IntN(6)
	n = 3 + rng.IntN(7)
	y := fmt.Sprint(year)
	switch rng.IntN(4) {
	case 0:
		folder = fmt.Sprintf("%s/%s-%02d %s", y, y, month, pl.city)
	case 1:
		folder = fmt.Sprintf("%s/%s", y, pl.trip)
	case 2:
		folder = fmt.Sprintf("%s/%s %s", y, pl.city, y)
	default:
		folder = fmt.Sprintf("%s/%s-%02d-%02d %s", y, y, month, day, pl.city)
	}
	return folder, days, n
}

func homeFolder(rng *rand.Rand, year int) (folder string, month time.Month, day, n int) {
	y := fmt.Sprint(year)
	n = 2 + rng.IntN(5)
	switch rng.IntN(5) {
	case 0:
		return fmt.Sprintf("%s/Christmas %s", y, y), time.December, 24, n
	case 1:
		month, day = time.Month(1+rng.IntN(12)), 1+rng.IntN(28)
		return fmt.Sprintf("%s/%s-%02d-%02d Birthday", y, y, month, day), month, day, n
	case 2:
		month, day = time.Month(5+rng.IntN(4)), 1+rng.IntN(28)
		return fmt.Sprintf("%s/Garden %s", y, y), month, day, n
	default:
		month, day = time.Month(1+rng.IntN(12)), 1+rng.IntN(28)
		return fmt.Sprintf("%s/%s-%02d-%02d", y, y, month, day), month, day, n
	}
}

// pickCameras chooses the event's main camera and maybe a second one (the
// phone next to the big camera), both in use that year.
func pickCameras(rng *rand.Rand, year int) (main, second int) {
	var inUse, phones []int
	for i, c := range cameras {
		if year >= c.from && year <= c.to {
			inUse = append(inUse, i)
			if c.phone {
				phones = append(phones, i)
			}
		}
	}
	main = inUse[rng.IntN(len(inUse))]
	second = -1
	if len(phones) > 0 && !cameras[main].phone && rng.IntN(2) == 0 {
		second = phones[rng.IntN(len(phones))]
	}
	return main, second
}

// skyFor picks a sky that fits the hour.
func skyFor(rng *rand.Rand, hour int) skyKind {
	switch {
	case hour < 9:
		return []skyKind{skyMorning, skyMorning, skyDay, skyOvercast}[rng.IntN(4)]
	case hour >= 18:
		return []skyKind{skyGolden, skyDusk, skyDusk, skyOvercast}[rng.IntN(4)]
	case hour >= 16:
		return []skyKind{skyGolden, skyDay, skyDay, skyOvercast}[rng.IntN(4)]
	default:
		return []skyKind{skyDay, skyDay, skyDay, skyOvercast}[rng.IntN(4)]
	}
}

var shutterSpeeds = []uint32{30, 40, 50, 60, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600, 2000}

var isoSteps = []int{100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600, 2000, 2500, 3200}

// shotExif fills in plausible settings for a shot: faster and at lower ISO
// in daylight, slower and higher in the evening; the size and orientation
// follow the camera's sensor and how it was held.
func shotExif(rng *rand.Rand, cam *camera, taken time.Time, sky skyKind, opt Options) Exif {
	e := Exif{
		LittleEndian: cam.littleEndian,
		Make:         cam.make, Model: cam.model, LensModel: cam.lens,
		Software: "Pinhole demo", Orientation: 1,
		Taken: taken, WithOffset: cam.offsets,
	}
	dark := sky == skyGolden || sky == skyDusk || sky == skyOvercast
	speeds := shutterSpeeds[6:]
	isoTop := 3
	if dark {
		speeds, isoTop = shutterSpeeds[:10], 9
	}
	e.ExposureTime = Rational{1, speeds[rng.IntN(len(speeds))]}
	if cam.phone {
		// Phones meter freely: 1/1203 s at ISO 32 is typical.
		e.ExposureTime.Den = uint32(float64(e.ExposureTime.Den) * (0.8 + 0.4*rng.Float64()))
		e.ISO = 20 + rng.IntN(40)
		if dark {
			e.ISO = 100 + rng.IntN(cam.isoMax/2)
		}
	} else {
		e.ISO = isoSteps[rng.IntN(isoTop)]
		if dark {
			e.ISO = min(isoSteps[3+rng.IntN(isoTop)], cam.isoMax)
		}
	}
	f := cam.fstops[rng.IntN(len(cam.fstops))]
	e.FNumber = Rational{uint32(math.Round(f * 100)), 100}
	if cam.focal[0] == cam.focal[1] {
		e.FocalLength = Rational{uint32(math.Round(cam.focal[0] * 100)), 100}
	} else {
		fl := cam.focal[0] + (cam.focal[1]-cam.focal[0])*rng.Float64()*rng.Float64()
		e.FocalLength = Rational{uint32(math.Round(fl)), 1}
	}

	mp := opt.MinMP + (opt.MaxMP-opt.MinMP)*rng.Float64()
	aspect := cam.aspect
	if rng.IntN(16) == 0 {
		aspect = 1 // cropped square for sharing
	}
	long := math.Sqrt(mp * 1e6 * aspect)
	w, h := round16(long), round16(long/aspect)
	if aspect != 1 && rng.IntN(6) == 0 {
		// Held upright. Cameras store such shots sideways and say so with
		// the orientation tag; an edited or exported copy is stored upright.
		switch rng.IntN(5) {
		case 0, 1, 2:
			e.Orientation = 6
		case 3:
			e.Orientation = 8
		default:
			w, h = h, w
		}
	}
	e.Width, e.Height = w, h
	return e
}

// round16 rounds to a multiple of 16, a whole JPEG MCU, so 4:2:0 chroma and
// rotation line up exactly.
func round16(v float64) int { return max(16, int(math.Round(v/16))*16) }

// nearby is a GPS position within about 2 km of the place's centre, close
// enough for a reverse geocoder to name the city.
func nearby(rng *rand.Rand, pl *place) *GPS {
	const km = 1 / 111.2 // degrees of latitude per km
	r := 2 * km * math.Sqrt(rng.Float64())
	a := 2 * math.Pi * rng.Float64()
	lat := pl.lat + r*math.Sin(a)
	lng := pl.lng + r*math.Cos(a)/math.Cos(pl.lat*math.Pi/180)
	// Six decimals is what phones write and keeps values exact in tests.
	return &GPS{
		Lat: math.Round(lat*1e6) / 1e6,
		Lng: math.Round(lng*1e6) / 1e6,
		Alt: math.Round((pl.alt+30*rng.Float64())*10) / 10,
	}
}

// caption is what an owner writes on a favourite: a title, keywords,
// sometimes a description and a rating.
func caption(rng *rand.Rand, pl *place, home bool) *XMP {
	x := &XMP{Title: pl.titles[rng.IntN(len(pl.titles))]}
	x.Keywords = append([]string(nil), pl.tags...)
	if !home && rng.IntN(2) == 0 {
		x.Keywords = append(x.Keywords, "holiday")
	}
	if rng.IntN(3) == 0 {
		x.Description = fmt.Sprintf("%s, %s.", x.Title, pl.country)
	}
	if rng.IntN(2) == 0 {
		x.Rating = 3 + rng.IntN(3)
	}
	return x
}
