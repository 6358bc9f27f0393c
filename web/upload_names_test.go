package web_test

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"pinhole/app/testkit"
)

// Uploading again a file whose name is at the filesystem's 255-byte limit
// gets a shortened free name that keeps the extension, cut between
// characters, rather than a refusal; every copy is saved and indexed.
func TestUploadLongNameCollisions(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ what, name, shortened string }{
		{"ascii", strings.Repeat("a", 251) + ".jpg", strings.Repeat("a", 247)},
		// Cutting to 247 bytes for " (1)" would split an "é" (two bytes):
		// the whole character goes.
		{"two-byte characters", strings.Repeat("é", 125) + "x.JPG", strings.Repeat("é", 123)},
	} {
		t.Run(tc.what, func(t *testing.T) {
			if len(tc.name) != 255 {
				t.Fatalf("test name is %d bytes", len(tc.name))
			}
			ext := path.Ext(tc.name)
			seen := map[string]bool{}
			for i := 0; i < 3; i++ {
				data := testkit.JPEG(testkit.Photo{Seed: uint64(700 + 10*len(tc.what) + i)}) // new content: not a duplicate
				files := e.upload(e.user, [2]string{tc.name, string(data)})
				if len(files) != 1 {
					t.Fatalf("upload %d: %+v", i+1, files)
				}
				f := files[0]
				if f.Status != "saved" || f.PhotoID == 0 {
					t.Fatalf("upload %d: %+v, want saved and indexed", i+1, f)
				}
				dir, base := path.Split(f.Path)
				switch {
				case dir != "Uploads/":
					t.Errorf("upload %d saved in %q", i+1, dir)
				case len(base) > 255:
					t.Errorf("upload %d saved as a %d-byte name", i+1, len(base))
				case !utf8.ValidString(base):
					t.Errorf("upload %d: name %q cut inside a character", i+1, base)
				case i == 0 && base != tc.name:
					t.Errorf("first upload saved as %q, want its own name", base)
				case i > 0 && !strings.HasSuffix(base, fmt.Sprintf(" (%d)%s", i, ext)):
					t.Errorf("upload %d saved as %q, want a name ending in (%d)%s", i+1, base, i, ext)
				case i > 0 && base != tc.shortened+fmt.Sprintf(" (%d)%s", i, ext):
					t.Errorf("upload %d saved as %q, want the name shortened to %q", i+1, base, tc.shortened)
				}
				if seen[f.Path] {
					t.Errorf("upload %d reused %s", i+1, f.Path)
				}
				seen[f.Path] = true
				if b, err := os.ReadFile(filepath.Join(e.root, filepath.FromSlash(f.Path))); err != nil || !bytes.Equal(b, data) {
					t.Errorf("upload %d: %s on disk: %v", i+1, f.Path, err)
				}
				var got struct{ Photo struct{ ID int64 } }
				e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", f.PhotoID), nil, 200, &got)
				if got.Photo.ID != f.PhotoID {
					t.Errorf("upload %d: photo %d not visible, got %d", i+1, f.PhotoID, got.Photo.ID)
				}
			}
		})
	}
}
