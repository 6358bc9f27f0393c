package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/app/trash"
	"pinhole/db"
)

// Trasher is what the web server needs of the Trash (app/trash): moving
// photos in and out, emptying it, and what it holds.
type Trasher interface {
	Trash(ctx context.Context, ids []int64) (int, error)
	Restore(ctx context.Context, ids []int64) (int, error)
	Empty(ctx context.Context, ids []int64) (trash.Emptied, error)
	State(ctx context.Context) (trash.State, error)
}

var errNoTrash = echo.NewHTTPError(http.StatusServiceUnavailable, "the Trash is not available on this server")

// trashList is GET /trash: a page of the Trash and what emptying it does.
type trashList struct {
	db.TrashPage
	ThumbToken string      `json:"thumb_token"`
	State      trash.State `json:"trash"`
}

func (s *Server) listTrash(c echo.Context) error {
	if s.deps.Trash == nil {
		return errNoTrash
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := intParam("limit", v, 1, maxLimit)
		if err != nil {
			return err
		}
		limit = int(n)
	}
	if len(c.QueryParam("cursor")) > 500 {
		return fmt.Errorf("parameter cursor: want at most 500 characters: %w", db.ErrInvalid)
	}
	ctx := c.Request().Context()
	page, err := s.deps.DB.TrashedPhotos(ctx, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	st, err := s.deps.Trash.State(ctx)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, callerOf(c))
	if err != nil {
		return err
	}
	s.markProblems(page.Photos, false)
	return c.JSON(http.StatusOK, trashList{page, tt, st})
}

// trashBody names photos; All stands for the whole Trash where a route
// allows it, so that an empty body never empties or restores everything.
type trashBody struct {
	PhotoIDs []int64 `json:"photo_ids"`
	All      bool    `json:"all"`
}

func (b trashBody) ids(allowAll bool) ([]int64, error) {
	switch {
	case b.All && len(b.PhotoIDs) > 0:
		return nil, fmt.Errorf("give photo_ids or all, not both: %w", db.ErrInvalid)
	case b.All && allowAll:
		return nil, nil
	case b.All:
		return nil, fmt.Errorf("all is not allowed here: give photo_ids: %w", db.ErrInvalid)
	case len(b.PhotoIDs) == 0 || len(b.PhotoIDs) > 10000:
		want := "photo_ids (1 to 10000)"
		if allowAll {
			want += " or all: true"
		}
		return nil, fmt.Errorf("give %s: %w", want, db.ErrInvalid)
	}
	return b.PhotoIDs, nil
}

func (s *Server) trashPhotos(c echo.Context) error {
	return s.trashMove(c, false, "trashed", func(ctx context.Context, t Trasher, ids []int64) (int, error) {
		return t.Trash(ctx, ids)
	})
}

func (s *Server) restoreTrash(c echo.Context) error {
	return s.trashMove(c, true, "restored", func(ctx context.Context, t Trasher, ids []int64) (int, error) {
		return t.Restore(ctx, ids)
	})
}

// trashMove moves the photos a request names into or out of the Trash and
// tells every open page they changed.
func (s *Server) trashMove(c echo.Context, inTrash bool, key string, move func(context.Context, Trasher, []int64) (int, error)) error {
	if s.deps.Trash == nil {
		return errNoTrash
	}
	var in trashBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ids, err := in.ids(inTrash)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := move(ctx, s.deps.Trash, ids)
	if err != nil {
		return err
	}
	s.publishPhotos(ctx, photosEvent{Changed: ids})
	return c.JSON(http.StatusOK, map[string]int{key: n})
}

func (s *Server) emptyTrash(c echo.Context) error {
	if s.deps.Trash == nil {
		return errNoTrash
	}
	var in trashBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ids, err := in.ids(true)
	if err != nil {
		return err
	}
	e, err := s.deps.Trash.Empty(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if e.Deleting > 0 {
		status = http.StatusAccepted // the files go in the background
	}
	return c.JSON(status, e)
}
