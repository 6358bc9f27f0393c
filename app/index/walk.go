package index

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// litter names folders NAS systems, sync tools and OSes leave in photo
// folders; they never hold the owner's photos.
var litter = map[string]bool{
	"@eadir":                    true, // Synology thumbnails
	"#recycle":                  true, // Synology recycle bin
	"#snapshot":                 true,
	"@recycle":                  true, // QNAP
	".@__thumb":                 true, // QNAP
	"@__thumb":                  true,
	".thumbnails":               true,
	".stfolder":                 true, // Syncthing
	".stversions":               true,
	"lost+found":                true,
	"$recycle.bin":              true,
	"system volume information": true,
	".trash":                    true,
	".trashes":                  true,
	".spotlight-v100":           true,
	".fseventsd":                true,
	".appledouble":              true,
	".dtrash":                   true,
}

// SkipDir reports whether a folder name is never indexed: hidden folders and
// NAS litter.
func SkipDir(name string) bool {
	return strings.HasPrefix(name, ".") || litter[strings.ToLower(name)]
}

// SkipFile reports whether a file name is never indexed regardless of type:
// hidden files and macOS resource forks.
func SkipFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "._")
}

// IgnoreFile is the name of the per-folder file listing patterns to skip.
const IgnoreFile = ".pinholeignore"

// ignoreRules holds .pinholeignore patterns that apply below a folder. A
// pattern without '/' matches a name at any depth; one with '/' matches the
// path relative to the folder holding the .pinholeignore. '#' comments.
type ignoreRules struct {
	base     string // relative folder of the .pinholeignore
	patterns []string
}

func readIgnore(absDir, relDir string) *ignoreRules {
	f, err := os.Open(filepath.Join(absDir, IgnoreFile))
	if err != nil {
		return nil
	}
	defer f.Close()
	r := &ignoreRules{base: relDir}
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(r.patterns) < 1000 {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r.patterns = append(r.patterns, strings.TrimSuffix(strings.TrimPrefix(line, "/"), "/"))
	}
	if len(r.patterns) == 0 {
		return nil
	}
	return r
}

// match reports whether rel (relative to the originals root) is ignored.
func (r *ignoreRules) match(rel string) bool {
	sub := rel
	if r.base != "" {
		sub = strings.TrimPrefix(rel, r.base+"/")
	}
	name := path.Base(rel)
	for _, p := range r.patterns {
		if strings.Contains(p, "/") {
			if ok, _ := path.Match(p, sub); ok {
				return true
			}
			continue
		}
		if ok, _ := path.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(name)); ok {
			return true
		}
	}
	return false
}

type ignoreStack []*ignoreRules

func (s ignoreStack) match(rel string) bool {
	for _, r := range s {
		if r.match(rel) {
			return true
		}
	}
	return false
}

// Ignored reports whether a path relative to root is excluded by a hidden
// or litter folder on the way or by any .pinholeignore above it. The
// watcher uses it for single paths; the scanner checks as it walks.
func Ignored(root, rel string) bool {
	parts := strings.Split(rel, "/")
	var stack ignoreStack
	if r := readIgnore(root, ""); r != nil {
		stack = append(stack, r)
	}
	cur := ""
	for i, p := range parts {
		last := i == len(parts)-1
		if p == "" {
			continue
		}
		if SkipDir(p) || last && SkipFile(p) {
			return true
		}
		cur = path.Join(cur, p)
		if stack.match(cur) {
			return true
		}
		if !last {
			if r := readIgnore(filepath.Join(root, filepath.FromSlash(cur)), cur); r != nil {
				stack = append(stack, r)
			}
		}
	}
	return false
}
