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
	// User is the account reading (a Visitor: the share's creator), for
	// private spaces; 0 is no one's, and sees only the library.
	User int64
	// Admin sees every private space. Only ReaderOf an admin sets it.
	Admin bool
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
// r: what r may read (readCond: private photos and private spaces), less
// the Trash.
func (r Reader) listCond() string {
	return notTrashed + " AND " + r.readCond()
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

// Private spaces (docs/security.md): a photo with an owner shows to that
// user, to admins and to the owner's partners (only-me photos excepted);
// a photo without one shows to everyone as above. This is kept apart from
// photoCond's kind rules: readCond is both, and every query uses it.

// ReaderOf is the reader a signed-in account is: ReaderFor its role, for
// the user id (their own space and their partners'); an admin sees every
// space.
func ReaderOf(role string, user int64) Reader {
	r := ReaderFor(role)
	r.User = user
	r.Admin = role == RoleAdmin
	return r
}

// ShareReader is the reader a share link makes: its album's photos that
// its creator may see, never an only-me one.
func ShareReader(sh Share) Reader {
	r := VisitorOf(sh.AlbumID)
	r.User = sh.CreatorID
	return r
}

// SeesAllSpaces reports whether r sees every private space (an admin).
func (r Reader) SeesAllSpaces() bool { return r.Admin && r.Kind == Owner }

// spaceCond is the SQL condition on photos p for the private spaces r may
// see; "1" for an admin.
func (r Reader) spaceCond() string {
	if r.SeesAllSpaces() {
		return "1"
	}
	u := strconv.FormatInt(r.User, 10)
	shared := "EXISTS (SELECT 1 FROM partners ps WHERE ps.partner = " + u +
		" AND ps.sharer = p.owner_user AND p.taken_at >= ps.since)"
	if r.Kind == Visitor {
		return "(p.owner_user IS NULL OR (p.only_me = 0 AND (p.owner_user = " + u + " OR " + shared + ")))"
	}
	return "(p.owner_user IS NULL OR p.owner_user = " + u + " OR (p.only_me = 0 AND " + shared + "))"
}

// readCond is everything r may see: photoCond's rules and r's spaces.
func (r Reader) readCond() string {
	if r.SeesAllSpaces() {
		return r.photoCond()
	}
	return r.photoCond() + " AND " + r.spaceCond()
}

// spaceKey is r's part of the key of answers kept per reader: its user
// (and, for a visitor, the share's creator).
func (r Reader) spaceKey() string { return " u" + strconv.FormatInt(r.User, 10) }
