package web

import "pinhole/db"

// What a share-link visitor may receive is decided here, and only here:
// every visitor answer (the album, its photo list, one photo's details) is
// built from these types, field by field, so a field added to db.Photo or
// db.Album reaches visitors only when it is added here on purpose. The
// allow-list test (visitor_test.go) walks every visitor route and fails on
// any key these types do not name.
//
// Never here: the owner's flags (favourite, private, archived, missing),
// rating, folder and file paths, the owner's other albums, user names,
// index times. Exact positions only when the owner ticked "include
// locations" on the share.

// visitorAlbum is a shared album as its visitor sees it.
type visitorAlbum struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Count       int    `json:"count"`
	CoverHash   string `json:"cover_hash"`
}

// visitorPhoto is a photo as a share visitor sees it.
type visitorPhoto struct {
	ID          int64    `json:"id"`
	MediaType   string   `json:"media_type"`
	TakenAt     string   `json:"taken_at"`
	TakenLocal  string   `json:"taken_local"`
	TakenOffset *int64   `json:"taken_offset,omitempty"`
	TakenSource string   `json:"taken_source"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Make        string   `json:"make,omitempty"`
	Model       string   `json:"model,omitempty"`
	Lens        string   `json:"lens,omitempty"`
	Exposure    *float64 `json:"exposure_time,omitempty"`
	FNumber     *float64 `json:"f_number,omitempty"`
	ISO         *int64   `json:"iso,omitempty"`
	FocalLength *float64 `json:"focal_length,omitempty"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	Duration    *float64 `json:"duration,omitempty"`
	CountryCode string   `json:"country_code,omitempty"`
	Country     string   `json:"country,omitempty"`
	State       string   `json:"state,omitempty"`
	City        string   `json:"city,omitempty"`
	Hash        string   `json:"hash"`
	// Where a live photo's motion plays from (by hash, like the photo).
	Motion *db.Motion `json:"motion,omitempty"`
	// Why the picture cannot be shown, for the grid's tile: no fix (that
	// is for the owner).
	Problem *visitorProblem `json:"problem,omitempty"`
	// Whether the video plays as it is or is converted first (videos only).
	Playable *bool `json:"playable,omitempty"`
	// Only with the share's "include locations".
	Lat *float64 `json:"lat,omitempty"`
	Lng *float64 `json:"lng,omitempty"`
	Alt *float64 `json:"alt,omitempty"`
}

// visitorProblem says why a shared photo shows no picture.
type visitorProblem struct {
	Kind    string `json:"kind"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
	Preview bool   `json:"preview"`
}

// visitorFile is one of a photo's files as a share visitor sees it: its
// name, never its folder.
type visitorFile struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	MIME    string `json:"mime"`
	Kind    string `json:"kind"`
	Primary bool   `json:"primary"`
	Hash    string `json:"hash"`
}

// visitorPhotoList is a page of a shared album.
type visitorPhotoList struct {
	Photos     []visitorPhoto `json:"photos"`
	Next       string         `json:"next"`
	ThumbToken string         `json:"thumb_token"`
}

// visitorDetail is one shared photo for the visitor's info panel.
type visitorDetail struct {
	Photo      visitorPhoto  `json:"photo"`
	Keywords   []string      `json:"keywords"`
	Files      []visitorFile `json:"files"`
	Downloads  bool          `json:"downloads"`
	ThumbToken string        `json:"thumb_token"`
}

// visitorShare is the share page's header: the album and what the link
// allows.
type visitorShare struct {
	Album            visitorAlbum `json:"album"`
	ThumbToken       string       `json:"thumb_token"`
	ExpiresAt        *string      `json:"expires_at"`
	Downloads        bool         `json:"downloads"`
	IncludeLocations bool         `json:"include_locations"`
}

// forVisitorAlbum projects an album for a visitor. The album must have been
// loaded for db.VisitorOf its album, so its count and cover leave out what the
// visitor cannot open.
func forVisitorAlbum(a db.Album) visitorAlbum {
	return visitorAlbum{Title: a.Title, Description: a.Description, Count: a.Count, CoverHash: a.CoverHash}
}

// forVisitor projects a photo for a visitor of share sh.
func forVisitor(sh db.Share, p db.Photo) visitorPhoto {
	v := visitorPhoto{
		ID: p.ID, MediaType: p.MediaType, TakenAt: p.TakenAt, TakenLocal: p.TakenLocal, TakenOffset: p.TakenOffset,
		TakenSource: p.TakenSource, Title: p.Title, Description: p.Description, Make: p.Make, Model: p.Model,
		Lens: p.Lens, Exposure: p.Exposure, FNumber: p.FNumber, ISO: p.ISO, FocalLength: p.FocalLength,
		Width: p.Width, Height: p.Height, Duration: p.Duration,
		CountryCode: p.CountryCode, Country: p.Country, State: p.State, City: p.City, Hash: p.Hash,
		Playable: p.Playable, Motion: p.Motion,
	}
	if p.Problem != nil {
		v.Problem = &visitorProblem{Kind: p.Problem.Kind, Reason: p.Problem.Reason, Detail: p.Problem.Detail, Preview: p.Problem.Preview}
	}
	if sh.Locations {
		v.Lat, v.Lng, v.Alt = p.Lat, p.Lng, p.Alt
	}
	return v
}

// forVisitorPhotos projects a page of photos.
func forVisitorPhotos(sh db.Share, list []db.Photo) []visitorPhoto {
	out := make([]visitorPhoto, len(list))
	for i, p := range list {
		out[i] = forVisitor(sh, p)
	}
	return out
}

// forVisitorFiles keeps the files a visitor may fetch, by name only.
func forVisitorFiles(files []db.PhotoFile) []visitorFile {
	out := make([]visitorFile, 0, len(files))
	for _, f := range files {
		if f.Missing {
			continue
		}
		out = append(out, visitorFile{Name: f.Name, Size: f.Size, MIME: f.MIME, Kind: f.Kind, Primary: f.Primary, Hash: f.Hash})
	}
	return out
}
