package web

import "pinhole/thumbs"

// ThumbSize is one entry of `thumb_sizes` in /api/v1/status and the web
// app's boot data: the app picks the smallest rendition that covers a
// cell from these instead of keeping a list of its own.
type ThumbSize struct {
	Name   string `json:"name"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Crop   bool   `json:"crop"`
}

// thumbSizes is thumbs.Sizes as the API shows it.
var thumbSizes = func() []ThumbSize {
	out := make([]ThumbSize, len(thumbs.Sizes))
	for i, s := range thumbs.Sizes {
		out[i] = ThumbSize{Name: s.Name, Width: s.W, Height: s.H, Crop: s.Crop}
	}
	return out
}()
