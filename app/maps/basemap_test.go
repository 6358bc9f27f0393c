package maps

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"pinhole/app/places"
)

var writeTiles = flag.String("write-tiles", "", "folder to write a few rendered base tiles into, to look at them")

// pixelAt returns the colour of the pixel where a position falls on tile
// z/x/y.
func pixelAt(t *testing.T, img image.Image, z, x, y int, lat, lng float64) color.NRGBA {
	t.Helper()
	scale := float64(TileSize) * float64(int(1)<<z)
	px := int(mercX(lng)*scale) - x*TileSize
	py := int(mercY(lat)*scale) - y*TileSize
	if px < 0 || py < 0 || px >= TileSize || py >= TileSize {
		t.Fatalf("%.2f,%.2f is not on tile %d/%d/%d", lat, lng, z, x, y)
	}
	return color.NRGBAModel.Convert(img.At(px, py)).(color.NRGBA)
}

func TestBaseMapLandAndSea(t *testing.T) {
	tl := New(Options{Dir: t.TempDir()})
	for _, style := range Styles {
		pal := palettes[style]
		for _, tc := range []struct {
			z, x, y  int
			name     string
			lat, lng float64
			want     color.NRGBA
		}{
			{0, 0, 0, "mid-Atlantic", 30, -40, pal.sea},
			{0, 0, 0, "mid-Pacific", 0, -150, pal.sea},
			{0, 0, 0, "central Africa (Congo basin)", 0, 22, pal.land},
			{0, 0, 0, "central Asia (Kazakhstan)", 48, 68, pal.land},
			{1, 1, 0, "Siberia", 62, 100, pal.land},
			{1, 0, 1, "Brazil", -10, -52, pal.land},
			{1, 0, 1, "South Atlantic", -30, -20, pal.sea},
			{1, 1, 1, "Indian Ocean", -25, 80, pal.sea},
			{1, 1, 1, "Australia", -25, 134, pal.land},
		} {
			b, meta, err := tl.Tile(context.Background(), style, tc.z, tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if meta.ContentType != "image/png" {
				t.Fatalf("content type %q", meta.ContentType)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := pixelAt(t, img, tc.z, tc.x, tc.y, tc.lat, tc.lng); got != tc.want {
				t.Errorf("%s %s on %d/%d/%d: colour %v, want %v", style, tc.name, tc.z, tc.x, tc.y, got, tc.want)
			}
		}
	}
	if st := tl.Stats(); st.UpstreamRequests != 0 || st.Mode != "offline" {
		t.Errorf("offline base map stats %+v", st)
	}
}

// TestWriteBaseTiles writes tiles for a person to look at when
// -write-tiles is given; otherwise it renders them and checks they differ.
func TestWriteBaseTiles(t *testing.T) {
	tl := New(Options{Dir: t.TempDir()})
	tiles := [][3]int{{0, 0, 0}, {1, 1, 0}, {2, 2, 1}, {3, 4, 2}, {4, 7, 5}, {5, 15, 12}, {6, 31, 24}, {7, 61, 48}, {9, 245, 193}, {3, 7, 3}, {3, 0, 3},
		{8, 137, 83}, {10, 550, 335}, {12, 2200, 1343}, {12, 1944, 1569}, {13, 4400, 2686}}
	seen := map[string]bool{}
	for _, style := range Styles {
		for _, c := range tiles {
			b, _, err := tl.Tile(context.Background(), style, c[0], c[1], c[2])
			if err != nil {
				t.Fatal(err)
			}
			seen[string(b)] = true
			if *writeTiles != "" {
				name := filepath.Join(*writeTiles, fmt.Sprintf("%s-%d-%d-%d.png", style, c[0], c[1], c[2]))
				if err := os.WriteFile(name, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(seen) != 2*len(tiles) {
		t.Errorf("%d distinct tiles out of %d", len(seen), 2*len(tiles))
	}
}

// BenchmarkRenderBase draws tiles without the cache: the whole world at
// zoom 0, a busy European tile at 5, a coastal one at 7 and Berlin with
// its towns named at 10 and 12.
func BenchmarkRenderBase(b *testing.B) {
	g, err := places.Load()
	if err != nil {
		b.Fatal(err)
	}
	g.Rings()
	for _, c := range [][3]int{{0, 0, 0}, {5, 16, 11}, {7, 61, 48}, {10, 550, 335}, {12, 2200, 1343}} {
		b.Run(fmt.Sprintf("z%d", c[0]), func(b *testing.B) {
			for b.Loop() {
				if _, err := renderBase(g, "dark", c[0], c[1], c[2]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBaseMapNamesTownsAtCityZoom: at city zoom the borders alone leave a
// tile one flat colour; the towns of the dataset, dotted and named, are
// what a person can still find their way by. World tiles stay unmarked.
func TestBaseMapNamesTownsAtCityZoom(t *testing.T) {
	tl := New(Options{Dir: t.TempDir()})
	count := func(style string, z, x, y int) (town, label int) {
		t.Helper()
		b, _, err := tl.Tile(context.Background(), style, z, x, y)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		pal := palettes[style]
		for py := range TileSize {
			for px := range TileSize {
				switch color.NRGBAModel.Convert(img.At(px, py)).(color.NRGBA) {
				case pal.town:
					town++
				case pal.label:
					label++
				}
			}
		}
		return town, label
	}
	for _, style := range Styles {
		// Central Berlin at zoom 12 (Mitte, Kreuzberg, Tiergarten …).
		if town, label := count(style, 12, 2200, 1343); town < 3*9 || label < 200 {
			t.Errorf("%s Berlin at zoom 12: %d town pixels, %d label pixels; want dots and names", style, town, label)
		}
		// Zoom 8: dots, no names yet.
		if town, label := count(style, 8, 137, 83); town < 20*9 || label != 0 {
			t.Errorf("%s Berlin at zoom 8: %d town pixels, %d label pixels; want dots only", style, town, label)
		}
		if town, label := count(style, 2, 2, 1); town+label != 0 {
			t.Errorf("%s world tile: %d town and label pixels", style, town+label)
		}
	}
}

func TestASCIIName(t *testing.T) {
	for in, want := range map[string]string{"Döbling": "Dobling", "Łódź": "Lodz", "Gießen": "Giessen", "São Paulo": "Sao Paulo", "高砂": "", "Takasago": "Takasago"} {
		if got := asciiName(in); got != want {
			t.Errorf("asciiName(%q) = %q, want %q", in, got, want)
		}
	}
}
