package thumbs

// Size is one thumbnail size. Crop sizes are W×H centre crops (always
// exactly that size, so grids line up); the others fit inside W×H keeping
// the aspect ratio and are never upscaled.
type Size struct {
	Name string
	W, H int
	Crop bool
	// Warm marks the sizes the web app asks for first (grid cells and the
	// viewer's first image): `pinhole thumbs` renders these by default.
	Warm bool
}

// Sizes lists every size the service renders, smallest first. It is the
// one home of the size names: the server accepts exactly these, the CLI
// help lists them, and the web app learns them from the API
// (`thumb_sizes`) instead of keeping its own list. The names follow
// PhotoPrism's so people recognise them.
//
// fit_256, fit_384 and fit_512 fill the gap between tile_224 and fit_720 so
// the grid can ask for the smallest rendition that still covers a cell at
// the screen's pixel density: consecutive fit boxes differ by at most 1.5×
// (256→384→512→720), so a chosen rendition carries at most 2.25× the
// pixels its cell shows, and on average about 1.5×. Justified rows are
// ~180 px high on desktops and ~110 px on phones, so a 4:3 cell at 1× needs
// 240 px (fit_256), a 3:2 one 270 px (fit_384), and a phone at 3× 330–500 px
// (fit_384, fit_512). Before them a 220 px cell got fit_720: 4–9× the
// pixels shown.
var Sizes = []Size{
	{Name: "tile_50", W: 50, H: 50, Crop: true},
	{Name: "tile_100", W: 100, H: 100, Crop: true},
	{Name: "tile_224", W: 224, H: 224, Crop: true, Warm: true},
	{Name: "fit_256", W: 256, H: 256, Warm: true},
	{Name: "fit_384", W: 384, H: 384, Warm: true},
	{Name: "tile_500", W: 500, H: 500, Crop: true},
	{Name: "fit_512", W: 512, H: 512, Warm: true},
	{Name: "fit_720", W: 720, H: 720, Warm: true},
	{Name: "fit_1280", W: 1280, H: 1024},
	{Name: "fit_1920", W: 1920, H: 1200},
	{Name: "fit_2560", W: 2560, H: 1600},
	{Name: "fit_4096", W: 4096, H: 4096},
}

// ParseSize finds a size by name.
func ParseSize(name string) (Size, bool) {
	for _, s := range Sizes {
		if s.Name == name {
			return s, true
		}
	}
	return Size{}, false
}

// SizeNames lists the size names, smallest first.
func SizeNames() []string {
	out := make([]string, len(Sizes))
	for i, s := range Sizes {
		out[i] = s.Name
	}
	return out
}

// WarmSizeNames lists the sizes `pinhole thumbs` renders when not told
// which.
func WarmSizeNames() []string {
	var out []string
	for _, s := range Sizes {
		if s.Warm {
			out = append(out, s.Name)
		}
	}
	return out
}

// outputSize returns the size of the rendered image for an upright source
// of w×h pixels.
func (s Size) outputSize(w, h int) (int, int) {
	if s.Crop {
		return s.W, s.H
	}
	if w <= s.W && h <= s.H {
		return w, h
	}
	// Compare w/s.W with h/s.H without floating point to pick the
	// limiting side; the other side is rounded.
	if w*s.H >= h*s.W {
		return s.W, max(1, (h*s.W+w/2)/w)
	}
	return max(1, (w*s.H+h/2)/h), s.H
}
