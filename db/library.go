package db

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// FolderNode is one folder of the originals with photo counts: Photos
// directly inside, Total including sub-folders.
type FolderNode struct {
	Path      string `json:"path"`
	Name      string `json:"name"`
	Photos    int    `json:"photos"`
	Total     int    `json:"total"`
	CoverHash string `json:"cover_hash,omitempty"`
}

// FolderView is a folder, the folders above it and the ones inside it.
type FolderView struct {
	Folder   FolderNode   `json:"folder"`
	Parents  []FolderNode `json:"parents"`
	Children []FolderNode `json:"children"`
}

// visible is the condition for photos a listing shows to r by default.
func visible(r Reader) string {
	return "p.missing = 0 AND p.archived = 0 AND " + r.listCond()
}

// Folder lists a folder (relative path, "" the root) and its sub-folders
// with counts of visible photos.
func (d *DB) Folder(ctx context.Context, rel string, r Reader) (FolderView, error) {
	var v FolderView
	type folder struct {
		id, parent int64
		path, name string
		direct     int
		total      int
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), path, name FROM folders WHERE missing = 0`)
	if err != nil {
		return v, fmt.Errorf("list folders: %w", err)
	}
	byID := map[int64]*folder{}
	byPath := map[string]*folder{}
	for rows.Next() {
		f := &folder{}
		if err := rows.Scan(&f.id, &f.parent, &f.path, &f.name); err != nil {
			rows.Close()
			return v, err
		}
		byID[f.id], byPath[f.path] = f, f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, err
	}
	cur, ok := byPath[rel]
	if !ok && rel != "" {
		return v, fmt.Errorf("folder %q: %w", rel, ErrNotFound)
	}
	direct, err := d.folderPhotoCounts(ctx, r)
	if err != nil {
		return v, err
	}
	for id, n := range direct {
		if f := byID[id]; f != nil {
			f.direct = n
		}
	}
	// Totals: every folder's direct count goes to itself and its ancestors.
	for _, f := range byID {
		for g, depth := f, 0; g != nil && depth < 256; g, depth = byID[g.parent], depth+1 {
			g.total += f.direct
			if g.parent == 0 || g.parent == g.id {
				break
			}
		}
	}
	node := func(f *folder) FolderNode {
		return FolderNode{Path: f.path, Name: f.name, Photos: f.direct, Total: f.total}
	}
	if cur != nil {
		v.Folder = node(cur)
	} else {
		for _, f := range byID {
			v.Folder.Total += f.direct
		}
	}
	v.Parents = []FolderNode{}
	if rel != "" {
		for p := path.Dir(rel); ; p = path.Dir(p) {
			if p == "." {
				p = ""
			}
			if f := byPath[p]; f != nil {
				v.Parents = append([]FolderNode{node(f)}, v.Parents...)
			} else {
				v.Parents = append([]FolderNode{{Path: p, Name: path.Base(p)}}, v.Parents...)
			}
			if p == "" {
				break
			}
		}
	}
	v.Children = []FolderNode{}
	for _, f := range byPath {
		if f.path == rel || f.total == 0 {
			continue
		}
		if (rel == "" && !strings.Contains(f.path, "/")) || (rel != "" && path.Dir(f.path) == rel) {
			n := node(f)
			_ = d.sql.QueryRowContext(ctx, `SELECT pf.hash FROM files fl JOIN photos p ON p.id = fl.photo_id
				JOIN files pf ON pf.id = p.primary_file_id
				WHERE fl.folder_id = ? AND fl.missing = 0 AND `+visible(r)+` ORDER BY p.taken_at DESC LIMIT 1`, f.id).Scan(&n.CoverHash)
			v.Children = append(v.Children, n)
		}
	}
	sort.Slice(v.Children, func(i, j int) bool { return strings.ToLower(v.Children[i].Name) < strings.ToLower(v.Children[j].Name) })
	return v, nil
}

// PlaceCount is one place with its number of photos and a cover: the
// file hash of its newest favourite, else of its newest photo.
type PlaceCount struct {
	CountryCode string `json:"country_code"`
	Country     string `json:"country"`
	State       string `json:"state,omitempty"`
	City        string `json:"city,omitempty"`
	Count       int    `json:"count"`
	CoverHash   string `json:"cover_hash,omitempty"`
}

// Places counts photos one level below the given place: countries, the
// states of country, or the cities of country+state. It returns the level
// listed ("country", "state" or "city"). Counts and covers see the same
// photos: the ones visible to r.
func (d *DB) Places(ctx context.Context, country, state string, r Reader) (string, []PlaceCount, error) {
	type answer struct {
		level string
		list  []PlaceCount
	}
	key, err := d.keptKey(ctx, r)
	if err != nil {
		return "", nil, err
	}
	a, err := remember(ctx, d, fmt.Sprintf("places %q %q %s", strings.ToUpper(country), state, key), func() (answer, error) {
		level, list, err := d.countPlaces(ctx, country, state, r)
		return answer{level, list}, err
	})
	return a.level, slices.Clone(a.list), err
}

// countPlaces is Places without the kept answers.
func (d *DB) countPlaces(ctx context.Context, country, state string, r Reader) (string, []PlaceCount, error) {
	level, where, args := "country", "", []any{}
	switch {
	case country != "" && state != "":
		level, where = "city", " AND country_code = ? AND state = ? AND city <> ''"
		args = append(args, strings.ToUpper(country), state)
	case country != "":
		level, where = "state", " AND country_code = ? AND state <> ''"
		args = append(args, strings.ToUpper(country))
	case state != "":
		return "", nil, fmt.Errorf("state needs a country: %w", ErrInvalid)
	}
	// One pass over the photos_places_cover index (migration 009), which
	// holds every column read here, grouped in the index's own order so
	// nothing is sorted, gives per city and favourite flag the count and
	// the newest photo: with a single max() SQLite takes the bare id from
	// the row holding the maximum, and search_key is the timeline order
	// (taken time, then id). The groups are then summed up to the level
	// listed. INDEXED BY because the planner otherwise prefers
	// photos_timeline for "missing = 0 AND archived = 0" and sorts every
	// photo row (~200 ms instead of ~12 ms for the countries of 100k
	// photos); the WHERE repeats the index's condition word for word, or
	// the query fails.
	rows, err := d.sql.QueryContext(ctx, `SELECT country_code, country, state, city, favorite <> 0, count(*), max(search_key), id
		FROM photos p INDEXED BY photos_places_cover WHERE country_code <> '' AND `+visible(r)+where+`
		GROUP BY country_code, country, state, city, favorite`, args...)
	if err != nil {
		return "", nil, fmt.Errorf("count places: %w", err)
	}
	defer rows.Close()
	type key struct{ cc, country, state, city string }
	type place struct {
		PlaceCount
		fav     bool  // the cover is a favourite
		newest  int64 // the cover's search key
		coverID int64
	}
	index := map[key]int{}
	var places []place
	for rows.Next() {
		var k key
		var fav bool
		var n int
		var newest, id int64
		if err := rows.Scan(&k.cc, &k.country, &k.state, &k.city, &fav, &n, &newest, &id); err != nil {
			return "", nil, err
		}
		switch level {
		case "country":
			k.state, k.city = "", ""
		case "state":
			k.city = ""
		}
		i, ok := index[k]
		if !ok {
			i = len(places)
			index[k] = i
			places = append(places, place{PlaceCount: PlaceCount{CountryCode: k.cc, Country: k.country, State: k.state, City: k.city}})
		}
		p := &places[i]
		p.Count += n
		// A favourite beats any other photo; among equals the newest wins.
		if p.coverID == 0 || (fav && !p.fav) || (fav == p.fav && newest > p.newest) {
			p.fav, p.newest, p.coverID = fav, newest, id
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	rows.Close()
	out := make([]PlaceCount, len(places))
	if len(places) > 0 {
		byID := map[int64]*PlaceCount{}
		ids := make([]int64, len(places))
		for i := range places {
			out[i] = places[i].PlaceCount
			byID[places[i].coverID] = &out[i]
			ids[i] = places[i].coverID
		}
		// The ids travel as one bound JSON array, however many places.
		list, _ := json.Marshal(ids)
		rows, err := d.sql.QueryContext(ctx, `SELECT p.id, f.hash FROM photos p JOIN files f ON f.id = p.primary_file_id
			WHERE p.id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return "", nil, fmt.Errorf("place covers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var hash string
			if err := rows.Scan(&id, &hash); err != nil {
				return "", nil, err
			}
			byID[id].CoverHash = hash
		}
		if err := rows.Err(); err != nil {
			return "", nil, err
		}
	}
	// Most photos first, then by name, as before.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Country != b.Country {
			return a.Country < b.Country
		}
		if a.State != b.State {
			return a.State < b.State
		}
		if a.City != b.City {
			return a.City < b.City
		}
		return a.CountryCode < b.CountryCode
	})
	return level, out, nil
}

// CameraCount and LensCount feed the search filters.
type CameraCount struct {
	Make  string `json:"make"`
	Model string `json:"model"`
	Count int    `json:"count"`
}

// LensCount is one lens with its number of photos.
type LensCount struct {
	Lens  string `json:"lens"`
	Count int    `json:"count"`
}

// Cameras lists the cameras and lenses in the library, most used first.
func (d *DB) Cameras(ctx context.Context, r Reader) ([]CameraCount, []LensCount, error) {
	type answer struct {
		cams   []CameraCount
		lenses []LensCount
	}
	a, err := remember(ctx, d, fmt.Sprintf("cameras %v", r), func() (answer, error) {
		cams, lenses, err := d.countCameras(ctx, r)
		return answer{cams, lenses}, err
	})
	return slices.Clone(a.cams), slices.Clone(a.lenses), err
}

// countCameras is Cameras without the kept answers.
func (d *DB) countCameras(ctx context.Context, r Reader) ([]CameraCount, []LensCount, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT make, model, count(*) AS n FROM photos p WHERE model <> '' AND `+visible(r)+
		` GROUP BY make, model ORDER BY n DESC, make, model`)
	if err != nil {
		return nil, nil, fmt.Errorf("count cameras: %w", err)
	}
	cams := []CameraCount{}
	for rows.Next() {
		var c CameraCount
		if err := rows.Scan(&c.Make, &c.Model, &c.Count); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cams = append(cams, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = d.sql.QueryContext(ctx, `SELECT lens, count(*) AS n FROM photos p WHERE lens <> '' AND `+visible(r)+
		` GROUP BY lens ORDER BY n DESC, lens`)
	if err != nil {
		return nil, nil, fmt.Errorf("count lenses: %w", err)
	}
	defer rows.Close()
	lenses := []LensCount{}
	for rows.Next() {
		var l LensCount
		if err := rows.Scan(&l.Lens, &l.Count); err != nil {
			return nil, nil, err
		}
		lenses = append(lenses, l)
	}
	return cams, lenses, rows.Err()
}
