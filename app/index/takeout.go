package index

import (
	"strings"

	"pinhole/app/meta"
	"pinhole/db"
)

// takeoutLinks decides, for the file names of one folder, which photo each
// Google Takeout JSON describes and which edited copy belongs with its
// original: it maps their names to the stack key (db.Stem) of that photo.
// A JSON is found from its photo's name (meta.TakeoutJSONNames: the way
// back from a cut name is not certain); a JSON no photo names is not a
// photo's sidecar (an album's metadata.json) and is left out. An edited
// copy (IMG_1-edited.jpg) stacks with its original only when the original
// has a JSON, that is in a Takeout folder: the two are one photo in Google
// Photos. Names not in the map stack by their own stem. nil when the
// folder has no .json file at all, the common case.
func takeoutLinks(names []string) map[string]string {
	var byLower map[string]string
	for _, n := range names {
		if meta.IsTakeoutJSON(n) {
			byLower = make(map[string]string, len(names))
			break
		}
	}
	if byLower == nil {
		return nil
	}
	for _, n := range names {
		byLower[strings.ToLower(n)] = n
	}
	links := map[string]string{}
	for _, n := range names {
		kind, _, ok := meta.Detect(n)
		if !ok || kind == meta.KindSidecar {
			continue
		}
		orig, edited := meta.TakeoutOriginal(n)
		described := n
		if edited {
			described = orig
		}
		for _, c := range meta.TakeoutJSONNames(described) {
			j, ok := byLower[strings.ToLower(c)]
			if !ok {
				continue
			}
			target := db.Stem(n)
			if edited {
				if o, ok := byLower[strings.ToLower(orig)]; ok {
					target = db.Stem(o)
					links[n] = target
				}
			}
			if _, taken := links[j]; !taken || !edited {
				links[j] = target
			}
			break
		}
	}
	return links
}

// stackKey is the stem a file of folder links is stored with.
func stackKey(links map[string]string, name string) string {
	if s, ok := links[name]; ok {
		return s
	}
	return db.Stem(name)
}
