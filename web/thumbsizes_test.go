package web_test

import (
	"fmt"
	"testing"

	"pinhole/thumbs"
)

// The size table has one home: /api/v1/status tells the web app exactly
// thumbs.Sizes, and the thumbnail route accepts every one of them.
func TestThumbSizesComeFromTheThumbsTable(t *testing.T) {
	e := newEnv(t, nil)
	var st struct {
		ThumbSizes []struct {
			Name          string
			Width, Height int
			Crop          bool
		} `json:"thumb_sizes"`
	}
	e.do(client{}, "GET", "/api/v1/status", nil, 200, &st)
	if len(st.ThumbSizes) != len(thumbs.Sizes) {
		t.Fatalf("status lists %d sizes, thumbs.Sizes has %d", len(st.ThumbSizes), len(thumbs.Sizes))
	}
	tok := e.thumbToken("admin")
	for i, s := range thumbs.Sizes {
		got := st.ThumbSizes[i]
		if got.Name != s.Name || got.Width != s.W || got.Height != s.H || got.Crop != s.Crop {
			t.Errorf("size %d: status says %+v, thumbs.Sizes %+v", i, got, s)
		}
		e.do(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/%s", e.pub.Hash, tok, s.Name), nil, 200, nil)
	}
}
