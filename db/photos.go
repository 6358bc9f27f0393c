package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Photo is one picture as the API shows it.
type Photo struct {
	ID          int64    `json:"id"`
	UID         string   `json:"uid"`
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
	Lat         *float64 `json:"lat,omitempty"`
	Lng         *float64 `json:"lng,omitempty"`
	Alt         *float64 `json:"alt,omitempty"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	Orientation int      `json:"orientation"`
	Duration    *float64 `json:"duration,omitempty"`
	Rating      int      `json:"rating"`
	Favorite    bool     `json:"favorite"`
	Private     bool     `json:"private"`
	Archived    bool     `json:"archived"`
	Missing     bool     `json:"missing"`
	CountryCode string   `json:"country_code,omitempty"`
	Country     string   `json:"country,omitempty"`
	State       string   `json:"state,omitempty"`
	City        string   `json:"city,omitempty"`
	PlaceSource string   `json:"place_source,omitempty"`
	Hash        string   `json:"hash"` // content hash of the primary file (thumbnail URLs)
	AddedAt     string   `json:"added_at"`
	UpdatedAt   string   `json:"updated_at"`
	// TrashedAt is when the photo was moved to the Trash; "" (left out)
	// while it is in the library. Only the Trash screen lists such photos.
	TrashedAt string `json:"trashed_at,omitempty"`
	// Motion says where a live photo's motion plays from; absent for
	// photos that do not move (or whose video is missing).
	Motion *Motion `json:"motion,omitempty"`
	// Problem is set by CheckProblem when the primary file cannot be
	// shown or read as it should (the grid draws a tile saying why).
	Problem *FileProblem `json:"problem,omitempty"`
	// Playable is set on videos by the web layer: whether browsers play the
	// file as it is (false: the server converts it first); nil: not known
	// until the video is first played.
	Playable *bool `json:"playable,omitempty"`

	fileError, fileMIME, fileKind string // the primary file's, for CheckProblem

	// OwnerUser is the user whose private space holds the photo (nil: the
	// library's, everyone's); OnlyMe keeps it from that user's partners
	// too (docs/security.md, "Private spaces").
	OwnerUser *int64 `json:"owner_user,omitempty"`
	OnlyMe    bool   `json:"only_me"`
}

// Motion is the moving part of a live photo: the file to ask for by its
// hash, from GET /video/:hash for a video stacked with the picture, or
// from GET /motion/:hash for a video embedded in the picture's own file.
type Motion struct {
	Hash     string `json:"hash"`
	Embedded bool   `json:"embedded"`
}

// photoColumns lists the columns scanPhoto reads, from photos p joined to
// the primary file f and the motion file m (photoJoins).
const photoColumns = `p.id, p.uid, p.media_type, p.taken_at, p.taken_local, p.taken_offset, p.taken_source,
	p.title, p.description, p.make, p.model, p.lens, p.exposure_time, p.f_number, p.iso, p.focal_length,
	p.lat, p.lng, p.alt, p.width, p.height, p.orientation, p.duration, p.rating, p.favorite, p.private,
	p.archived, p.missing, p.country_code, p.country, p.state, p.city, p.place_source, COALESCE(f.hash, ''),
	p.added_at, p.updated_at, p.trashed_at, COALESCE(f.error, ''), COALESCE(f.mime, ''), COALESCE(f.kind, ''),
	COALESCE(CASE WHEN m.missing = 0 THEN m.hash END, ''), COALESCE(m.id = f.id, 0),
	p.owner_user, p.only_me`

// photoJoins joins what photoColumns reads besides photos p: the primary
// file f, and m, the file a live photo's motion plays from.
const photoJoins = `LEFT JOIN files f ON f.id = p.primary_file_id LEFT JOIN files m ON m.id = p.motion_file_id`

type scanner interface{ Scan(dest ...any) error }

func scanPhoto(s scanner) (Photo, error) {
	var p Photo
	var motionHash string
	var embedded bool
	err := s.Scan(&p.ID, &p.UID, &p.MediaType, &p.TakenAt, &p.TakenLocal, &p.TakenOffset, &p.TakenSource,
		&p.Title, &p.Description, &p.Make, &p.Model, &p.Lens, &p.Exposure, &p.FNumber, &p.ISO, &p.FocalLength,
		&p.Lat, &p.Lng, &p.Alt, &p.Width, &p.Height, &p.Orientation, &p.Duration, &p.Rating, &p.Favorite, &p.Private,
		&p.Archived, &p.Missing, &p.CountryCode, &p.Country, &p.State, &p.City, &p.PlaceSource, &p.Hash,
		&p.AddedAt, &p.UpdatedAt, &p.TrashedAt, &p.fileError, &p.fileMIME, &p.fileKind, &motionHash, &embedded,
		&p.OwnerUser, &p.OnlyMe)
	if motionHash != "" {
		p.Motion = &Motion{Hash: motionHash, Embedded: embedded}
	}
	return p, err
}

// PhotoByID loads one photo.
func (d *DB) PhotoByID(ctx context.Context, id int64) (Photo, error) {
	row := d.sql.QueryRowContext(ctx, `SELECT `+photoColumns+`
		FROM photos p `+photoJoins+` WHERE p.id = ?`, id)
	p, err := scanPhoto(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	return p, err
}

// PhotoByPath loads the photo a file (relative path) belongs to.
func (d *DB) PhotoByPath(ctx context.Context, rel string) (Photo, error) {
	var id int64
	err := d.sql.QueryRowContext(ctx, `SELECT photo_id FROM files WHERE path = ? AND photo_id IS NOT NULL`, rel).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Photo{}, fmt.Errorf("file %s: %w", rel, ErrNotFound)
	} else if err != nil {
		return Photo{}, err
	}
	return d.PhotoByID(ctx, id)
}

// PublicPhotoIDs returns the ids among ids of photos that are neither
// private nor in the Trash, in the given order: what a viewer's live
// updates may name.
func (d *DB) PublicPhotoIDs(ctx context.Context, ids []int64) ([]int64, error) {
	return d.idsAmong(ctx, ids, "p.private = 0 AND p.owner_user IS NULL AND "+notTrashed)
}

// idsAmong returns the ids among ids of photos p that meet cond, in the
// given order (never nil: answers list them).
func (d *DB) idsAmong(ctx context.Context, ids []int64, cond string) ([]int64, error) {
	if len(ids) == 0 {
		return []int64{}, nil
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	out, err := d.photoIDs(ctx, `SELECT j.value FROM json_each(?) j JOIN photos p ON p.id = j.value
		WHERE `+cond+` ORDER BY j.key`, string(js))
	if out == nil && err == nil {
		out = []int64{}
	}
	return out, err
}
