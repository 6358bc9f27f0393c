package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"pinhole/app/dupes"
	"pinhole/db"
)

// Dupes is what the web server needs of near-duplicate review
// (app/dupes): the groups of near-identical photos.
type Dupes interface {
	Groups(ctx context.Context) ([]dupes.Group, error)
	Dismiss(ctx context.Context, ids []int64) error
}

var errNoDupes = echo.NewHTTPError(http.StatusServiceUnavailable, "near-duplicate review is not available on this server")

// dupePhoto is a photo of a group with what choosing the keeper weighs.
type dupePhoto struct {
	db.Photo
	Bytes  int64 `json:"bytes"`
	Albums int   `json:"albums"`
	Edited bool  `json:"edited"`
}

type dupeGroup struct {
	Kind string `json:"kind"`
	// Keeper is the suggested photo to keep (the first of Photos).
	Keeper int64       `json:"keeper"`
	Photos []dupePhoto `json:"photos"`
}

type dupeList struct {
	Groups []dupeGroup `json:"groups"`
	Total  int         `json:"total"`
	// Pending counts photos whose picture is not compared yet (hashing
	// runs in the background).
	Pending    int    `json:"pending"`
	ThumbToken string `json:"thumb_token"`
}

// listDupes is GET /dupes: a page of groups, largest first.
func (s *Server) listDupes(c echo.Context) error {
	if s.deps.Dupes == nil {
		return errNoDupes
	}
	limit, offset := int64(20), int64(0)
	var err error
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = intParam("limit", v, 1, 100); err != nil {
			return err
		}
	}
	if v := c.QueryParam("offset"); v != "" {
		if offset, err = intParam("offset", v, 0, 1<<30); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	groups, err := s.deps.Dupes.Groups(ctx)
	if err != nil {
		return err
	}
	pending, err := s.deps.DB.CountToHash(ctx)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, callerOf(c))
	if err != nil {
		return err
	}
	out := dupeList{Groups: []dupeGroup{}, Total: len(groups), Pending: pending, ThumbToken: tt}
	for _, g := range groups[min(int(offset), len(groups)):min(int(offset+limit), len(groups))] {
		dg := dupeGroup{Kind: g.Kind, Keeper: g.Photos[0].ID}
		for _, p := range g.Photos {
			dg.Photos = append(dg.Photos, dupePhoto{p.Photo, p.Bytes, p.Albums, p.Edited})
		}
		out.Groups = append(out.Groups, dg)
	}
	return c.JSON(http.StatusOK, out)
}

// dupesBody names a group's photos, and for resolve the one to keep.
type dupesBody struct {
	PhotoIDs []int64 `json:"photo_ids"`
	Keep     int64   `json:"keep"`
}

func (b dupesBody) check() error {
	if len(b.PhotoIDs) < 2 || len(b.PhotoIDs) > 500 {
		return fmt.Errorf("give photo_ids (2 to 500 photos of one group): %w", db.ErrInvalid)
	}
	return nil
}

// dismissDupes is POST /dupes/dismiss: "not duplicates" for a group.
func (s *Server) dismissDupes(c echo.Context) error {
	if s.deps.Dupes == nil {
		return errNoDupes
	}
	var in dupesBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if err := s.deps.Dupes.Dismiss(c.Request().Context(), in.PhotoIDs); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"dismissed": len(in.PhotoIDs)})
}

// resolveDupes is POST /dupes/resolve: keep one photo of a group and move
// the others to the Trash (undone by restoring them).
func (s *Server) resolveDupes(c echo.Context) error {
	if s.deps.Trash == nil {
		return errNoTrash
	}
	var in dupesBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if !slices.Contains(in.PhotoIDs, in.Keep) {
		return fmt.Errorf("keep must be one of photo_ids: %w", db.ErrInvalid)
	}
	others := slices.DeleteFunc(slices.Clone(in.PhotoIDs), func(id int64) bool { return id == in.Keep })
	ctx := c.Request().Context()
	n, err := s.deps.Trash.Trash(ctx, others)
	if err != nil {
		return err
	}
	s.publishPhotos(ctx, photosEvent{Changed: others})
	return c.JSON(http.StatusOK, map[string]int{"trashed": n})
}
