package meta

import (
	"math"
	"sort"
	"time"
)

// Photo fields a user can edit. A field named in EditedFields was changed
// by a user (the database lists them in photos.edited) and is never
// overwritten from the files' metadata again.
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldKeywords    = "keywords"
	FieldTaken       = "taken"
	FieldLocation    = "location" // position: lat, lng and altitude together
	FieldRating      = "rating"
)

// editable names the fields above: the only ones Merge keeps or adopts.
var editable = map[string]bool{
	FieldTitle: true, FieldDescription: true, FieldKeywords: true,
	FieldTaken: true, FieldLocation: true, FieldRating: true,
}

// EditedFields is the set of fields a user edited on one photo.
type EditedFields map[string]bool

// FileInfo is one file of a photo as the merge sees it: what was read from
// it, and its state in the library.
type FileInfo struct {
	ID      int64 // the file's identity, returned as Merged.Primary
	Name    string
	Kind    Kind
	MIME    string
	Missing bool // gone from disk, kept for its photo's sake
	// Own: a sidecar whose content is exactly what Pinhole last wrote for
	// the photo. It holds the user's edits as the database has them, so
	// it is never read as a change made elsewhere.
	Own  bool
	Info Info
}

// MediaType is what a photo is, from the kinds of its files.
type MediaType string

// Media types of photos.
const (
	MediaImage MediaType = "image" // only pictures
	MediaRaw   MediaType = "raw"   // a RAW file, maybe with its JPEG
	MediaVideo MediaType = "video" // only video
	MediaLive  MediaType = "live"  // a picture and a video: a live photo
)

// Merged is a photo's metadata decided from its files.
type Merged struct {
	// Primary is the ID of the file that shows the photo. It is 0 when
	// the photo has no picture or video file left (only sidecars); the
	// rest is then meaningless and the photo has nothing to show.
	Primary int64
	// Missing: every picture and video file of the photo is missing.
	Missing   bool
	MediaType MediaType
	// Motion is the file that holds the photo's motion, for a live photo
	// whose motion can play: the primary itself when it carries its video
	// inside (a motion photo, Info.Motion), else the video of the stack
	// (an Apple Live Photo's MOV). 0 when there is none on disk.
	Motion int64
	// Info holds the photo's fields. Those named in Keep were edited by a
	// user: their values here are the files' and must not be stored.
	Info Info
	Keep EditedFields
	// Adopted are edited fields whose value Info takes from a sidecar
	// another program changed after the user's edit in Pinhole (or that a
	// Pinhole sidecar lists as edited while the database has no edit for
	// them, as after the database was lost). The caller stores them, keeps
	// them marked as edited, and dates the edits AdoptedAt.
	Adopted   EditedFields
	AdoptedAt time.Time
	// Faces are the photo's named face regions as it is shown: turned by
	// the photo's orientation (Region.DisplayRect).
	Faces []Region
}

// Writes reports whether the caller stores field from Info (false for
// fields a user edited).
func (m *Merged) Writes(field string) bool { return !m.Keep[field] }

// Merge decides a photo's fields from its files. It is the one place the
// policy lives:
//
//   - The primary file is a present one before a missing one, then a
//     Google Photos edited copy (IMG_1-edited.jpg, stacked with its original
//     by a Google Takeout import) before its original, then a JPEG, another
//     image, a RAW, a video, the oldest first; a sidecar never is.
//   - The primary's fields win; what it lacks is filled from the other
//     picture and video files in that order (RAW + JPEG: the RAW may carry
//     the lens while the JPEG carries GPS). Pixel size and orientation come
//     together from one file.
//   - A sidecar wins for what people write — title, description,
//     keywords, rating — and fills a missing position. With several
//     sidecars a present one beats a missing one, an .xmp beats a Google
//     Takeout .json, then the newer file wins.
//   - A date is taken from another file only when its source is stronger
//     (TimeSource.Strength): a date a file records beats one from a file
//     name, which beats a folder's, which beats a modification time. A
//     weak date never replaces a stronger one, whichever file holds it,
//     and at equal strength the primary's stands. So a photo's own EXIF
//     date beats a Takeout JSON's.
//   - Fields in edited are kept as the user set them (Merged.Keep), at
//     editedAt (zero: when is unknown). One exception, the newest edit
//     wins: an .xmp sidecar that is not Pinhole's own (FileInfo.Own) and
//     whose xmp:MetadataDate is later than editedAt — another program
//     changed it after the user's edit in Pinhole — gives its value for
//     an edited field it carries (Merged.Adopted). A sidecar without
//     xmp:MetadataDate cannot say when it changed and never overrides an
//     edit; its modification time is not trusted, as copying a library
//     resets it. Fields a Pinhole sidecar lists as edited (pinhole:Edited)
//     that the database has no edit for are adopted too: that is how the
//     edits come back after the database is lost.
//   - Face regions come whole from one file: the sidecar that wins
//     (as above) if any sidecar tags faces, else the first picture file
//     in primary order that does. They are turned by the photo's
//     orientation (Merged.Faces), as a sidecar's regions describe the
//     picture it sits beside.
//   - The media type: a video with a picture or RAW is a live photo, and
//     so is a picture with a video inside (a motion photo); a video alone
//     is a video, any RAW makes a raw photo, else an image.
//   - The motion of a live photo plays from the primary's own video when
//     it has one, else from the first present video of the stack; a
//     motion photo's duration is its video's.
//
// Merge does not change files.
func Merge(files []FileInfo, edited EditedFields, editedAt time.Time) Merged {
	out := Merged{Keep: EditedFields{}, Adopted: EditedFields{}}
	for f := range edited {
		if editable[f] {
			out.Keep[f] = true
		}
	}
	order := make([]*FileInfo, len(files))
	for i := range files {
		order[i] = &files[i]
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.Missing != b.Missing {
			return !a.Missing
		}
		if ea, eb := isEditedCopy(a), isEditedCopy(b); ea != eb {
			return ea
		}
		if ra, rb := kindRank(a), kindRank(b); ra != rb {
			return ra < rb
		}
		return a.ID < b.ID
	})
	var media, side []*FileInfo
	for _, f := range order {
		if f.Kind == KindSidecar {
			side = append(side, f)
		} else {
			media = append(media, f)
		}
	}
	if len(media) == 0 {
		out.Missing = true
		return out
	}

	primary := media[0]
	out.Primary = primary.ID
	m := primary.Info
	m.Keywords = append([]string(nil), m.Keywords...) // never share the caller's slice
	for _, f := range media[1:] {
		fillGaps(&m, &f.Info)
	}
	// Sidecars are applied so the one that must win comes last: missing
	// ones first, then present ones; Takeout JSON before XMP; older
	// before newer.
	sort.SliceStable(side, func(i, j int) bool {
		if side[i].Missing != side[j].Missing {
			return side[i].Missing
		}
		if ji, jj := isTakeout(side[i]), isTakeout(side[j]); ji != jj {
			return ji
		}
		return side[i].ID < side[j].ID
	})
	var regions []Region
	for _, f := range media {
		if len(f.Info.Regions) > 0 {
			regions = f.Info.Regions
			break
		}
	}
	for _, s := range side {
		applySidecar(&m, &s.Info)
		if len(s.Info.Regions) > 0 {
			regions = s.Info.Regions
		}
	}
	m.Regions = append([]Region(nil), regions...)
	for _, r := range regions {
		out.Faces = append(out.Faces, r.DisplayRect(m.Orientation))
	}
	adopt(&out, &m, side, edited, editedAt)
	out.Info = m

	out.Missing = true
	var hasRaw, hasVideo, hasImage bool
	for _, f := range media {
		if !f.Missing {
			out.Missing = false
		}
		switch f.Kind {
		case KindRaw:
			hasRaw = true
		case KindVideo:
			hasVideo = true
		case KindImage:
			hasImage = true
		}
	}
	embedded := primary.Kind == KindImage && primary.Info.Motion != nil
	if embedded {
		if !primary.Missing {
			out.Motion = primary.ID
		}
		if out.Info.Duration == 0 {
			out.Info.Duration = primary.Info.Motion.Duration
		}
	} else if hasImage || hasRaw {
		for _, f := range media {
			if f.Kind == KindVideo && !f.Missing {
				out.Motion = f.ID
				break
			}
		}
	}
	switch {
	case hasVideo && (hasImage || hasRaw), embedded:
		out.MediaType = MediaLive
	case hasVideo:
		out.MediaType = MediaVideo
	case hasRaw:
		out.MediaType = MediaRaw
	default:
		out.MediaType = MediaImage
	}
	return out
}

// adopt applies the newest-edit-wins rule (see Merge) to the merged info
// m: side is sorted so that, of two sidecars that qualify, the newer
// MetadataDate wins.
func adopt(out *Merged, m *Info, side []*FileInfo, edited EditedFields, editedAt time.Time) {
	var from []*FileInfo
	for _, s := range side {
		if s.Missing || s.Own || isTakeout(s) {
			continue
		}
		from = append(from, s)
	}
	sort.SliceStable(from, func(i, j int) bool { return from[i].Info.MetadataDate.Before(from[j].Info.MetadataDate) })
	for _, s := range from {
		x := &s.Info
		listed := map[string]bool{}
		for _, f := range x.EditedFields {
			listed[f] = true
		}
		for _, f := range []string{FieldTitle, FieldDescription, FieldKeywords, FieldRating, FieldTaken, FieldLocation} {
			if !carries(x, f) {
				continue
			}
			switch {
			case edited[f]:
				// Newer than the user's edit? An edit of unknown date
				// (made before edits were dated) stands.
				if x.MetadataDate.IsZero() || editedAt.IsZero() || !x.MetadataDate.After(editedAt) {
					continue
				}
			case listed[f]:
				// A Pinhole sidecar's edit the database does not know.
			default:
				continue // not an edit: the ordinary rules above decided
			}
			take(m, x, f)
			out.Adopted[f] = true
			delete(out.Keep, f)
			if x.MetadataDate.After(out.AdoptedAt) {
				out.AdoptedAt = x.MetadataDate
			}
		}
	}
}

// carries reports whether a sidecar has a value for field.
func carries(x *Info, f string) bool {
	switch f {
	case FieldTitle:
		return x.Title != ""
	case FieldDescription:
		return x.Description != ""
	case FieldKeywords:
		return len(x.Keywords) > 0
	case FieldRating:
		return x.Rating != 0
	case FieldTaken:
		return !x.Taken.IsZero() && x.TakenSource == SourceXMP
	case FieldLocation:
		return x.HasGPS
	}
	return false
}

// take copies field f from the sidecar x into m, whatever m had.
func take(m, x *Info, f string) {
	switch f {
	case FieldTitle:
		m.Title = x.Title
	case FieldDescription:
		m.Description = x.Description
	case FieldKeywords:
		m.Keywords = append([]string(nil), x.Keywords...)
	case FieldRating:
		m.Rating = x.Rating
	case FieldTaken:
		m.Taken, m.HasOffset, m.TakenSource = x.Taken, x.HasOffset, x.TakenSource
	case FieldLocation:
		m.HasGPS, m.Lat, m.Lng, m.Alt, m.HasAlt = true, x.Lat, x.Lng, x.Alt, x.HasAlt
	}
}

// SamePosition reports whether two positions are the same place to within
// a centimetre: what an XMP sidecar's "DDD,MM.mmmmmmmmN" form rounds away.
func SamePosition(lat1, lng1, lat2, lng2 float64) bool {
	return math.Abs(lat1-lat2) < 1e-7 && math.Abs(lng1-lng2) < 1e-7
}

// isTakeout reports whether a sidecar is a Google Takeout JSON.
func isTakeout(f *FileInfo) bool { return f.MIME == mimeTakeout }

// isEditedCopy reports whether a picture is a Google Photos edited copy
// (IMG_1-edited.jpg), which a Takeout import stacks with its original.
func isEditedCopy(f *FileInfo) bool {
	if f.Kind == KindSidecar || f.Name == "" {
		return false
	}
	_, ok := TakeoutOriginal(f.Name)
	return ok
}

// kindRank orders the files of a stack for choosing the primary one:
// JPEG first, then other images, RAW, video; sidecars are never primary.
func kindRank(f *FileInfo) int {
	switch {
	case f.Kind == KindImage && f.MIME == "image/jpeg":
		return 0
	case f.Kind == KindImage:
		return 1
	case f.Kind == KindRaw:
		return 2
	case f.Kind == KindVideo:
		return 3
	}
	return 9
}

// fillGaps copies into m what m lacks and o knows.
func fillGaps(m, o *Info) {
	if m.Make == "" {
		m.Make = o.Make
	}
	if m.Model == "" {
		m.Model = o.Model
	}
	if m.Lens == "" {
		m.Lens = o.Lens
	}
	if m.Serial == "" {
		m.Serial = o.Serial
	}
	if m.ExposureTime == 0 {
		m.ExposureTime = o.ExposureTime
	}
	if m.FNumber == 0 {
		m.FNumber = o.FNumber
	}
	if m.ISO == 0 {
		m.ISO = o.ISO
	}
	if m.FocalLength == 0 {
		m.FocalLength = o.FocalLength
	}
	fillPosition(m, o)
	takeStrongerDate(m, o)
	if m.Title == "" {
		m.Title = o.Title
	}
	if m.Description == "" {
		m.Description = o.Description
	}
	if len(m.Keywords) == 0 {
		m.Keywords = append([]string(nil), o.Keywords...)
	}
	if m.Rating == 0 {
		m.Rating = o.Rating
	}
	if m.Duration == 0 {
		m.Duration = o.Duration
	}
	if m.VideoCodec == "" && m.AudioCodec == "" {
		m.VideoCodec, m.AudioCodec = o.VideoCodec, o.AudioCodec
	}
	if m.Width == 0 {
		m.Width, m.Height, m.Orientation, m.Rotation = o.Width, o.Height, o.Orientation, o.Rotation
	}
}

// applySidecar lets a sidecar's XMP win for what people write, and fill
// what the pictures lack.
func applySidecar(m, x *Info) {
	if x.Title != "" {
		m.Title = x.Title
	}
	if x.Description != "" {
		m.Description = x.Description
	}
	if len(x.Keywords) > 0 {
		m.Keywords = append([]string(nil), x.Keywords...)
	}
	if x.Rating != 0 {
		m.Rating = x.Rating
	}
	fillPosition(m, x)
	// A sidecar without a date of its own is dated by its own name or
	// modification time: an editor that wrote it today must not move the
	// photo to today, and the strength rule sees to that.
	takeStrongerDate(m, x)
}

func fillPosition(m, o *Info) {
	if !m.HasGPS && o.HasGPS {
		m.HasGPS, m.Lat, m.Lng, m.Alt, m.HasAlt = true, o.Lat, o.Lng, o.Alt, o.HasAlt
	}
}

// takeStrongerDate replaces m's taken time by o's when o's source is
// stronger; a weak date never beats a stronger one.
func takeStrongerDate(m, o *Info) {
	if !o.Taken.IsZero() && o.TakenSource.Strength() > m.TakenSource.Strength() {
		m.Taken, m.HasOffset, m.TakenSource = o.Taken, o.HasOffset, o.TakenSource
	}
}
