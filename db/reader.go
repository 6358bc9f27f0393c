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

// photoCond is the SQL condition on photos p for what r may see, on top
// of a listing's own conditions: no private photos unless r owns the
// library, and for a visitor only the shared album's unarchived photos.
// Its arguments are inlined (they are integers) so it fits any query.
func (r Reader) photoCond() string {
	switch r.Kind {
	case Owner:
		return "1"
	case Visitor:
		return "p.private = 0 AND p.archived = 0 AND p.id IN (SELECT photo_id FROM album_photos WHERE album_id = " +
			strconv.FormatInt(r.Album, 10) + ")"
	}
	return "p.private = 0"
}

// key names what r may see, for answers kept per kind of reader (the
// folder, place and camera lists: db/foldercounts.go).
func (r Reader) key() string {
	if r.Kind == Visitor {
		return "visitor " + strconv.FormatInt(r.Album, 10)
	}
	return strconv.Itoa(int(r.Kind))
}
