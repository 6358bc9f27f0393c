package db

import "strconv"

// ReaderKind is what a reader of the library may see.
type ReaderKind int

const (
	// Viewer is an account that may only look: every photo except the
	// private ones. It is the zero kind, so a Reader nobody filled in
	// hides private photos instead of showing them.
	Viewer ReaderKind = iota
	// Visitor holds a share link: the shared album's photos that are
	// neither private nor archived, and nothing outside that album.
	Visitor
	// Owner is an admin or a user: every photo, private ones included.
	Owner
)

// Reader is who reads the library. Every read that lists, counts or opens
// photos takes one and applies it in its SQL, so a handler cannot show a
// private photo by passing the wrong flag: the zero Reader is a Viewer,
// and only an explicit Owner sees private photos.
type Reader struct {
	Kind ReaderKind
	// Album is the shared album a Visitor may see; a Visitor without one
	// sees nothing. Ignored for the other kinds.
	Album int64
}

// ReaderFor is the reader an account with this role is: admins and users
// own the library, viewers (and anything unknown) only look.
func ReaderFor(role string) Reader {
	if role == RoleAdmin || role == RoleUser {
		return Reader{Kind: Owner}
	}
	return Reader{Kind: Viewer}
}

// VisitorOf is the reader a share link of this album makes.
func VisitorOf(album int64) Reader { return Reader{Kind: Visitor, Album: album} }

// SeesPrivate reports whether r may see private photos.
func (r Reader) SeesPrivate() bool { return r.Kind == Owner }

// albumLevel is r as albumSelect's ?1.
func (r Reader) albumLevel() int {
	switch r.Kind {
	case Owner:
		return albumsOwner
	case Visitor:
		return albumsVisitor
	}
	return albumsViewer
}

// notTrashed is the condition on photos p that keeps the photos in the
// Trash, and the ones removed from the library, out of every view, whoever
// reads: lists, search, counts, covers, the map, places, cameras, folders,
// albums, shares, suggestions, problems and live updates. Only the Trash
// screen (db/trash.go) lists them, and only to the library's owners.
const notTrashed = "p.trashed_at = ''"

// photoCond is the SQL condition on photos p for what r may open (a
// photo's page, its thumbnails and files), on top of a listing's own
// conditions: no private photos unless r owns the library, and for a
// visitor only the shared album's unarchived photos. The owner may open a
// photo in the Trash (the Trash screen shows it); nobody else may.
// Its arguments are inlined (they are integers) so it fits any query.
func (r Reader) photoCond() string {
	switch r.Kind {
	case Owner:
		return "1"
	case Visitor:
		return "p.private = 0 AND p.archived = 0 AND " + notTrashed + " AND p.id IN (SELECT photo_id FROM album_photos WHERE album_id = " +
			strconv.FormatInt(r.Album, 10) + ")"
	}
	return "p.private = 0 AND " + notTrashed
}

// listCond is the SQL condition on photos p for what lists and counts show
// r: what r may open, less the Trash.
func (r Reader) listCond() string {
	if r.Kind == Owner {
		return notTrashed
	}
	return r.photoCond() // which holds notTrashed
}

// mayOpen is photoCond for one loaded photo, less the album membership of
// a visitor (PhotoDetail checks it in SQL): removed is the photo's removed
// column, which Photo does not carry.
func (r Reader) mayOpen(p Photo, removed bool) bool {
	switch {
	case removed:
		return false // gone from the library, for everyone
	case p.TrashedAt != "":
		return r.Kind == Owner
	case p.Private:
		return r.SeesPrivate()
	}
	return true
}

// key names what r may see, for answers kept per kind of reader (the
// folder, place and camera lists: db/foldercounts.go).
func (r Reader) key() string {
	if r.Kind == Visitor {
		return "visitor " + strconv.FormatInt(r.Album, 10)
	}
	return strconv.Itoa(int(r.Kind))
}
