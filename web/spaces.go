package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// Private spaces and partner sharing (docs/security.md, "Private
// spaces"): each user's settings, who they share their space with, the
// only-me flag of a photo, and the folders an admin gives to users.

// spaceAnswer is GET /api/v1/space: the caller's settings, the sharings
// they are part of, and the accounts they may share with.
type spaceAnswer struct {
	db.SpaceSettings
	UserID   int64        `json:"user_id"`
	Admin    bool         `json:"admin"` // sees every space, others' only-me photos included
	Partners []db.Partner `json:"partners"`
	Accounts []spaceUser  `json:"accounts"`
}

type spaceUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

func (s *Server) space(c echo.Context) error { return s.spaceWith(c, http.StatusOK) }

// spaceWith answers the caller's space with the status code.
func (s *Server) spaceWith(c echo.Context, code int) error {
	ctx := c.Request().Context()
	cl := callerOf(c)
	me := cl.session.UserID
	set, err := s.deps.DB.SpaceSettingsOf(ctx, me)
	if err != nil {
		return err
	}
	partners, err := s.deps.DB.Partners(ctx, me)
	if err != nil {
		return err
	}
	users, err := s.deps.DB.Users(ctx)
	if err != nil {
		return err
	}
	out := spaceAnswer{SpaceSettings: set, UserID: me, Admin: cl.reader.SeesAllSpaces(), Partners: partners, Accounts: []spaceUser{}}
	for _, u := range users {
		if u.ID != me {
			out.Accounts = append(out.Accounts, spaceUser{u.ID, u.Username})
		}
	}
	return c.JSON(code, out)
}

func (s *Server) setSpace(c echo.Context) error {
	var in db.SpaceSettings
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.deps.DB.SetSpaceSettings(ctx, callerOf(c).session.UserID, in); err != nil {
		return err
	}
	return s.space(c)
}

// sharePartner shares the caller's space with another account (by name),
// read-only, from a date or all of it; sharing again changes the date.
func (s *Server) sharePartner(c echo.Context) error {
	var in struct {
		Partner string `json:"partner"`
		Since   string `json:"since"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.deps.DB.UserByName(ctx, strings.TrimSpace(in.Partner))
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusBadRequest, "there is no account named "+in.Partner)
	} else if err != nil {
		return err
	}
	if err := s.deps.DB.SharePartner(ctx, callerOf(c).session.UserID, u.ID, in.Since); err != nil {
		return err
	}
	s.log.Info("partner sharing", "sharer", callerOf(c).session.UserID, "partner", u.ID, "since", in.Since)
	return s.spaceWith(c, http.StatusCreated)
}

// revokePartner ends a sharing: the sharer stops sharing with partner :id,
// or a partner gives up a sharing of user :id with them.
func (s *Server) revokePartner(c echo.Context) error {
	other, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	me := callerOf(c).session.UserID
	err = s.deps.DB.RevokePartner(ctx, me, other)
	if errors.Is(err, db.ErrNotFound) {
		err = s.deps.DB.RevokePartner(ctx, other, me)
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// setOnlyMe marks a photo of the caller's space only-me, or not.
func (s *Server) setOnlyMe(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		OnlyMe *bool `json:"only_me"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.OnlyMe == nil {
		return echo.NewHTTPError(http.StatusBadRequest, "send only_me: true or false")
	}
	ctx := c.Request().Context()
	r := callerOf(c).reader
	err = s.deps.DB.SetOnlyMe(ctx, id, *in.OnlyMe, r)
	if err != nil {
		return err
	}
	s.publishPhotos(ctx, photosEvent{Changed: []int64{id}})
	d, err := s.deps.DB.PhotoDetail(ctx, id, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) spaceFolders(c echo.Context) error {
	list, err := s.deps.DB.SpaceFolders(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"folders": list})
}

// assignFolder gives a folder of the originals to a user's space: its
// library photos move there now, and new ones as they are indexed.
func (s *Server) assignFolder(c echo.Context) error {
	var in struct {
		Path     string `json:"path"`
		Username string `json:"username"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	rel, err := cleanRel(strings.Trim(in.Path, "/"))
	if err != nil || rel == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "path must be a folder inside the originals, such as Family/Ana")
	}
	ctx := c.Request().Context()
	u, err := s.deps.DB.UserByName(ctx, strings.TrimSpace(in.Username))
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusBadRequest, "there is no account named "+in.Username)
	} else if err != nil {
		return err
	}
	n, err := s.deps.DB.AssignFolder(ctx, rel, u.ID)
	if err != nil {
		return err
	}
	s.log.Info("folder assigned", "path", rel, "user", u.ID, "photos", n)
	return c.JSON(http.StatusOK, map[string]any{"path": rel, "user_id": u.ID, "username": u.Username, "photos": n})
}

func (s *Server) unassignFolder(c echo.Context) error {
	rel := strings.Trim(c.QueryParam("path"), "/")
	if rel == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "path is needed")
	}
	if err := s.deps.DB.UnassignFolder(c.Request().Context(), rel); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// mayEdit refuses a change to photos in a space other than the caller's
// (partners see them read-only; others do not see them at all); a
// db.ErrNotYours answers 403 (statusOf).
func (s *Server) mayEdit(c echo.Context, ids []int64) error {
	return s.deps.DB.EditableBy(c.Request().Context(), ids, callerOf(c).reader)
}

// setOnlyMeMany is the selection's "Only me": every photo must be in the
// caller's space (an admin's: anyone's), else nothing changes.
func (s *Server) setOnlyMeMany(c echo.Context) error {
	var in struct {
		PhotoIDs []int64 `json:"photo_ids"`
		OnlyMe   *bool   `json:"only_me"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.OnlyMe == nil {
		return echo.NewHTTPError(http.StatusBadRequest, "send only_me: true or false")
	}
	ctx := c.Request().Context()
	n, err := s.deps.DB.SetOnlyMeMany(ctx, in.PhotoIDs, *in.OnlyMe, callerOf(c).reader)
	if err != nil {
		return err
	}
	s.publishPhotos(ctx, photosEvent{Changed: in.PhotoIDs})
	return c.JSON(http.StatusOK, map[string]int64{"updated": n})
}
