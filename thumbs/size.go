package thumbs

// Size is one thumbnail size. Crop sizes are W×H centre crops (always
// exactly that size, so grids line up); the others fit inside W×H keeping
// the aspect ratio and are never upscaled.
type Size struct {
	Name string
	W, H int
	Crop bool
}

// Sizes lists every size the service renders, smallest first. The names
// follow PhotoPrism's so people recognise them.
var Sizes = []Size{
	{Name: "tile_50", W: 50, H: 50, Crop: true},
	{Name: "tile_100", W: 100, H: 100, Crop: true},
	{Name: "tile_224", W: 224, H: 224, Crop: true},
	{Name: "tile_500", W: 500, H: 500, Crop: true},
	{Name: "fit_720", W: 720, H: 720},
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
