package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"pinhole/app/meta"
)

// Person is someone named in face regions. Count is the number of photos
// the reader may see them in; Face is the face their avatar is cropped
// from (the best one the reader may see: the highest rated photo, then
// the largest face).
type Person struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Hidden bool   `json:"hidden"`
	Count  int    `json:"count"`
	Face   *Face  `json:"face,omitempty"`
}

// Face is one face on a photo: a rectangle in fractions of the photo as
// shown, X and Y its top-left corner.
type Face struct {
	ID       int64   `json:"id"`
	PhotoID  int64   `json:"photo_id"`
	PersonID int64   `json:"person_id"`
	Name     string  `json:"name,omitempty"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
}

// MaxPersonName is the longest name a person may be given.
const MaxPersonName = 200

// faceSeen is the condition for a face f on photo p that r may see: the
// photo is not missing and r may see it (private spaces included).
func (r Reader) faceSeen() string { return "p.missing = 0 AND " + r.readCond() }

// faceListed is faceSeen for lists and counts: without the photos in the
// Trash, which an owner may open but no list shows.
func (r Reader) faceListed() string { return "p.missing = 0 AND " + r.listCond() }

// setFaces replaces a photo's faces by those meta.Merge decided. A name is
// looked up in person_names (so renames and merges stand), then among
// people's names; a name never seen makes a new person.
func (d *DB) setFaces(ctx context.Context, tx *sql.Tx, photoID int64, faces []meta.Region) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM faces WHERE photo_id = ?`, photoID); err != nil {
		return fmt.Errorf("clear faces: %w", err)
	}
	for _, f := range faces {
		pid, err := d.personFor(ctx, tx, f.Name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO faces (photo_id, person_id, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?)`,
			photoID, pid, f.X, f.Y, f.W, f.H); err != nil {
			return fmt.Errorf("add face: %w", err)
		}
	}
	return nil
}

func (d *DB) personFor(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT person_id FROM person_names WHERE file_name = ?`, name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find person: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM people WHERE name = ? COLLATE NOCASE`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := tx.ExecContext(ctx, `INSERT INTO people (name, created_at) VALUES (?, ?)`, name, d.stamp())
		if err != nil {
			return 0, fmt.Errorf("add person: %w", err)
		}
		id, err = res.LastInsertId()
		if err != nil {
			return 0, err
		}
	} else if err != nil {
		return 0, fmt.Errorf("find person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_names (file_name, person_id) VALUES (?, ?)`, name, id); err != nil {
		return 0, fmt.Errorf("name person: %w", err)
	}
	return id, nil
}

// peopleSelect lists people with the photos r may see them in; where is a
// condition on pe.
func peopleSelect(r Reader, where string) string {
	seen := r.faceListed()
	return `SELECT x.id, x.name, x.hidden, x.n, f.id, f.photo_id, f.x, f.y, f.w, f.h FROM (
		SELECT pe.id, pe.name, pe.hidden, count(DISTINCT f.photo_id) AS n,
			(SELECT f2.id FROM faces f2 JOIN photos p ON p.id = f2.photo_id
				WHERE f2.person_id = pe.id AND ` + seen + `
				ORDER BY p.rating DESC, f2.w * f2.h DESC, p.id DESC LIMIT 1) AS cover
		FROM people pe JOIN faces f ON f.person_id = pe.id JOIN photos p ON p.id = f.photo_id
		WHERE ` + seen + ` AND ` + where + `
		GROUP BY pe.id) x LEFT JOIN faces f ON f.id = x.cover`
}

func (d *DB) scanPeople(ctx context.Context, q string, args ...any) ([]Person, error) {
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var p Person
		var fid, photo sql.NullInt64
		var x, y, w, h sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.Name, &p.Hidden, &p.Count, &fid, &photo, &x, &y, &w, &h); err != nil {
			return nil, err
		}
		if fid.Valid {
			p.Face = &Face{ID: fid.Int64, PhotoID: photo.Int64, PersonID: p.ID, Name: p.Name, X: x.Float64, Y: y.Float64, W: w.Float64, H: h.Float64}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (d *DB) face(ctx context.Context, id int64) (Face, error) {
	var f Face
	err := d.sql.QueryRowContext(ctx, `SELECT f.id, f.photo_id, f.person_id, pe.name, f.x, f.y, f.w, f.h
		FROM faces f JOIN people pe ON pe.id = f.person_id WHERE f.id = ?`, id).
		Scan(&f.ID, &f.PhotoID, &f.PersonID, &f.Name, &f.X, &f.Y, &f.W, &f.H)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// People lists the people r may see in at least one photo, most
// photographed first: the hidden ones when hidden is true, else the others.
func (d *DB) People(ctx context.Context, r Reader, hidden bool) ([]Person, error) {
	return d.scanPeople(ctx, peopleSelect(r, "pe.hidden = ?")+` ORDER BY x.n DESC, x.name COLLATE NOCASE`, boolInt(hidden))
}

// Person is one person as r sees them; ErrNotFound when r sees them in no
// photo.
func (d *DB) Person(ctx context.Context, r Reader, id int64) (Person, error) {
	ps, err := d.scanPeople(ctx, peopleSelect(r, "pe.id = ?"), id)
	if err != nil {
		return Person{}, err
	}
	if len(ps) == 0 {
		return Person{}, fmt.Errorf("person %d: %w", id, ErrNotFound)
	}
	return ps[0], nil
}

// PersonNamed is the person of that name (case aside) r sees in some
// photo, hidden or not; ErrNotFound otherwise.
func (d *DB) PersonNamed(ctx context.Context, r Reader, name string) (Person, error) {
	ps, err := d.scanPeople(ctx, peopleSelect(r, "pe.name = ? COLLATE NOCASE"), strings.TrimSpace(name))
	if err != nil {
		return Person{}, err
	}
	if len(ps) == 0 {
		return Person{}, fmt.Errorf("person %q: %w", name, ErrNotFound)
	}
	return ps[0], nil
}

// FaceFor is a face on a photo r may see; ErrNotFound otherwise (a
// viewer never learns of faces on private photos).
func (d *DB) FaceFor(ctx context.Context, r Reader, id int64) (Face, error) {
	var ok bool
	err := d.sql.QueryRowContext(ctx, `SELECT count(*) > 0 FROM faces f JOIN photos p ON p.id = f.photo_id
		WHERE f.id = ? AND `+r.faceSeen(), id).Scan(&ok)
	if err != nil {
		return Face{}, err
	}
	if !ok {
		return Face{}, fmt.Errorf("face %d: %w", id, ErrNotFound)
	}
	return d.face(ctx, id)
}

// PhotoFaces lists the faces on a photo r may see, hidden people's too.
func (d *DB) PhotoFaces(ctx context.Context, r Reader, photoID int64) ([]Face, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT f.id, f.photo_id, f.person_id, pe.name, f.x, f.y, f.w, f.h
		FROM faces f JOIN people pe ON pe.id = f.person_id JOIN photos p ON p.id = f.photo_id
		WHERE f.photo_id = ? AND `+r.faceSeen()+` ORDER BY f.x`, photoID)
	if err != nil {
		return nil, fmt.Errorf("list faces: %w", err)
	}
	defer rows.Close()
	out := []Face{}
	for rows.Next() {
		var f Face
		if err := rows.Scan(&f.ID, &f.PhotoID, &f.PersonID, &f.Name, &f.X, &f.Y, &f.W, &f.H); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// cleanPersonName checks a name a user gives.
func cleanPersonName(name string) (string, error) {
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) >= 0 {
		return "", fmt.Errorf("a name without control characters: %w", ErrInvalid)
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxPersonName {
		return "", fmt.Errorf("a name of 1 to %d characters: %w", MaxPersonName, ErrInvalid)
	}
	return name, nil
}

// RenamePerson gives a person a new name. The names files write keep
// meaning this person. Another person's name is refused (ErrConflict):
// that is a merge.
func (d *DB) RenamePerson(ctx context.Context, id int64, name string) error {
	name, err := cleanPersonName(name)
	if err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM people WHERE name = ? COLLATE NOCASE AND id <> ?`, name, id).Scan(&other)
		if err == nil {
			return fmt.Errorf("%q is another person: merge them instead: %w", name, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE people SET name = ? WHERE id = ?`, name, id)
		if err != nil {
			return fmt.Errorf("rename person: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("person %d: %w", id, ErrNotFound)
		}
		return d.syncPersonSearch(ctx, tx, id)
	})
}

// MergePeople makes from the same person as into: from's faces and the
// names files write for from move to into, and from is gone.
func (d *DB) MergePeople(ctx context.Context, into, from int64) error {
	if into == from {
		return fmt.Errorf("a person cannot be merged into themselves: %w", ErrInvalid)
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id IN (?, ?)`, into, from).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			return fmt.Errorf("person: %w", ErrNotFound)
		}
		for _, q := range []string{
			`UPDATE person_names SET person_id = ?1 WHERE person_id = ?2`,
			`UPDATE faces SET person_id = ?1 WHERE person_id = ?2`,
			`DELETE FROM people WHERE id = ?2`,
		} {
			if _, err := tx.ExecContext(ctx, q, into, from); err != nil {
				return fmt.Errorf("merge people: %w", err)
			}
		}
		return d.syncPersonSearch(ctx, tx, into)
	})
}

// SetPersonHidden hides a person from the people list and suggestions, or
// shows them again.
func (d *DB) SetPersonHidden(ctx context.Context, id int64, hidden bool) error {
	res, err := d.sql.ExecContext(ctx, `UPDATE people SET hidden = ? WHERE id = ?`, boolInt(hidden), id)
	if err != nil {
		return fmt.Errorf("hide person: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("person %d: %w", id, ErrNotFound)
	}
	return nil
}

// syncPersonSearch rewrites the full-text rows of a person's photos, which
// hold their name.
func (d *DB) syncPersonSearch(ctx context.Context, tx *sql.Tx, id int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT photo_id FROM faces WHERE person_id = ?`, id)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range ids {
		if err := d.syncSearch(ctx, tx, p); err != nil {
			return err
		}
	}
	return nil
}
