package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layers is the import rule of docs/architecture.md: a package imports
// packages of its own layer or of layers above it in this list, never
// below. A package belongs to the longest listed path that is it or
// contains it; "app" and "" (the module root, main.go) are only
// themselves, so a new package under app/ must be given a layer.
var layers = []struct {
	name string
	pkgs []string
}{
	{"domain", []string{"app/meta", "app/places", "app/upstream", "app/version", "app/config", "app/corpus", "app/demo", "thumbs"}},
	{"storage", []string{"db"}},
	{"services", []string{"app/auth", "app/index", "app/sidecar", "app/transcode", "app/watch", "app/geocode", "app/maps", "app/trash", "app/dupes"}},
	{"http", []string{"web"}},
	{"composition root", []string{"app"}},
	{"commands", []string{"", "scripts"}}, // "" is the module root: main.go
}

// testKits are imported by tests and commands other than the binary
// (benchmarks, generators) only, never by code the binary runs; they may
// import domain packages.
var testKits = []string{"app/testkit", "thumbs/thumbstest", "app/internal/oldlib"}

// rootOnly packages are imported by the composition root and commands
// alone: options are parsed once and passed down as values.
var rootOnly = map[string]bool{"app/config": true}

// layerOf is the index in layers of a package (its path in the module),
// -1 for a test kit, and false when it is in no layer.
func layerOf(pkg string) (int, bool) {
	for _, k := range testKits {
		if pkg == k || strings.HasPrefix(pkg, k+"/") {
			return -1, true
		}
	}
	best, at := -1, -2
	for i, l := range layers {
		for _, p := range l.pkgs {
			inside := p != "" && p != "app" && strings.HasPrefix(pkg, p+"/")
			if (pkg == p || inside) && len(p) > best {
				best, at = len(p), i
			}
		}
	}
	return at, at >= 0
}

// TestImportsFollowTheLayers parses every Go file's imports and fails on
// an import against the layers: db importing web, a service importing the
// composition root, web reading options from app/config, production code
// importing a test kit, or a package in no layer.
func TestImportsFollowTheLayers(t *testing.T) {
	const module = "pinhole"
	type edge struct {
		from, to, file string
		tool           bool // a command: package main (benchmarks, generators)
	}
	var edges []edge
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "artifacts", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		from := filepath.ToSlash(filepath.Dir(p))
		if from == "." {
			from = ""
		}
		for _, im := range f.Imports {
			to, _ := strconv.Unquote(im.Path.Value)
			if to == module || strings.HasPrefix(to, module+"/") {
				edges = append(edges, edge{from, strings.TrimPrefix(strings.TrimPrefix(to, module), "/"), filepath.ToSlash(p), f.Name.Name == "main"})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) < 100 {
		t.Fatalf("found only %d imports inside the module; is the test running at its root?", len(edges))
	}

	name := func(i int) string {
		if i < 0 {
			return "test kit"
		}
		return layers[i].name
	}
	show := func(p string) string {
		if p == "" {
			return module
		}
		return module + "/" + p
	}
	var bad []string
	for _, e := range edges {
		test := strings.HasSuffix(e.file, "_test.go")
		lf, okf := layerOf(e.from)
		lt, okt := layerOf(e.to)
		switch {
		case !okf:
			bad = append(bad, fmt.Sprintf("%s is in no layer: add it to layers in architecture_test.go and to docs/architecture.md", show(e.from)))
		case !okt:
			bad = append(bad, fmt.Sprintf("%s is in no layer: add it to layers in architecture_test.go and to docs/architecture.md", show(e.to)))
		case lt == -1 && !test && !e.tool:
			bad = append(bad, fmt.Sprintf("%s imports the test kit %s: only tests and tools may", e.file, show(e.to)))
		case lf == -1 && lt > 0:
			bad = append(bad, fmt.Sprintf("%s (a test kit) imports %s (%s): test kits build on domain packages only", e.file, show(e.to), name(lt)))
		case lf >= 0 && lt > lf:
			bad = append(bad, fmt.Sprintf("%s (%s) imports %s (%s): imports point from %s towards %s, not back",
				e.file, name(lf), show(e.to), name(lt), name(lt), name(lf)))
		case rootOnly[e.to] && !test && lf >= 0 && lf < len(layers)-2:
			bad = append(bad, fmt.Sprintf("%s imports %s: options are parsed by the composition root and passed down as values",
				e.file, show(e.to)))
		}
	}
	sort.Strings(bad)
	bad = compact(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
