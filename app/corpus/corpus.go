// Package corpus finds the shared test corpus (../shared/corpus beside the
// checkout) for tests. The corpus is required: a test that needs it fails,
// rather than skips, when it is missing, so a green run always means the
// corpus was really exercised.
package corpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// Dir returns the absolute path of the corpus folder. PINHOLE_CORPUS
// overrides the default location next to the repository.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("PINHOLE_CORPUS"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/app/corpus/corpus.go; the corpus sits at <repo>/../shared/corpus.
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
	d, _ = filepath.Abs(d)
	if _, err := os.Stat(filepath.Join(d, "exiftool.json")); err != nil {
		tb.Fatalf("test corpus not found at %s (set PINHOLE_CORPUS): %v", d, err)
	}
	return d
}

// Path joins rel to the corpus folder.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), filepath.FromSlash(rel))
}

// Exiftool returns exiftool's reading of every corpus file, keyed by the
// path relative to the corpus folder. Keys inside each entry keep exiftool's
// "Group:Tag" form.
func Exiftool(tb testing.TB) map[string]map[string]any {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(tb), "exiftool.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(b, &list); err != nil {
		tb.Fatalf("parse exiftool.json: %v", err)
	}
	out := make(map[string]map[string]any, len(list))
	for _, e := range list {
		if sf, ok := e["SourceFile"].(string); ok {
			out[sf] = e
		}
	}
	return out
}

// Media lists every media file of the corpus (relative paths), i.e. every
// file exiftool read, in a stable order.
func Media(tb testing.TB) []string {
	tb.Helper()
	m := Exiftool(tb)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
