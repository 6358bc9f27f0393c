package web

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

// shareView is a share as its owner sees it, with the visitor link. The
// link is empty when the server key that sealed it is gone (it still
// works for whoever has it).
type shareView struct {
	db.Share
	URL string `json:"url"`
}

// viewOf is the owner's view of a share whose secrets are already
// unsealed (auth.Service.Shares, CreateShare) or are unsealed here.
func (s *Server) viewOf(sh db.Share) shareView {
	if sh.Token == "" {
		s.auth.UnsealShare(&sh)
	}
	v := shareView{Share: sh}
	if sh.Token != "" {
		v.URL = "/s/" + sh.Token
	}
	return v
}

func (s *Server) views(list []db.Share) []shareView {
	out := make([]shareView, len(list))
	for i, sh := range list {
		out[i] = s.viewOf(sh)
	}
	return out
}

func (s *Server) listShares(c echo.Context) error {
	var album int64
	if a := c.QueryParam("album"); a != "" {
		n, err := intParam("album", a, 1, math.MaxInt64)
		if err != nil {
			return err
		}
		album = n
	}
	list, err := s.auth.Shares(c.Request().Context(), album)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"shares": s.views(list)})
}

func (s *Server) albumShares(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.deps.DB.AlbumByID(ctx, id, callerOf(c).reader); err != nil {
		return err
	}
	list, err := s.auth.Shares(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"shares": s.views(list)})
}

func (s *Server) createShare(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		ExpiresAt     string `json:"expires_at"`
		ExpiresInDays int    `json:"expires_in_days"`
		Password      string `json:"password"`
		Downloads     *bool  `json:"downloads"` // default true
		// IncludeLocations gives visitors exact positions; default off.
		IncludeLocations bool `json:"include_locations"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	var exp *time.Time
	switch {
	case in.ExpiresAt != "":
		t, err := time.ParseInLocation(db.TimeLayout, in.ExpiresAt, time.UTC)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, in.ExpiresAt); err != nil {
				return fmt.Errorf("expires_at: want YYYY-MM-DD HH:MM:SS (UTC) or RFC 3339: %w", db.ErrInvalid)
			}
		}
		exp = &t
	case in.ExpiresInDays < 0 || in.ExpiresInDays > 3650:
		return fmt.Errorf("expires_in_days: want 1 to 3650: %w", db.ErrInvalid)
	case in.ExpiresInDays > 0:
		t := time.Now().Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour)
		exp = &t
	}
	opt := auth.ShareOptions{Password: in.Password, Expires: exp, NoDownloads: in.Downloads != nil && !*in.Downloads}
	ctx := c.Request().Context()
	sh, err := s.auth.CreateShare(ctx, id, opt, callerOf(c).session.UserID)
	if err != nil {
		return err
	}
	if in.IncludeLocations {
		// A second step: should it fail, the link exists with the safe
		// default (no positions) and the error says so.
		on := true
		if sh, err = s.deps.DB.EditShare(ctx, sh.ID, db.ShareEdit{Locations: &on}); err != nil {
			return fmt.Errorf("share created without locations: %w", err)
		}
	}
	return c.JSON(http.StatusCreated, s.viewOf(sh))
}

// editShare changes a live link's settings: whether visitors may download
// originals and whether they get exact locations.
func (s *Server) editShare(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Downloads        *bool `json:"downloads"`
		IncludeLocations *bool `json:"include_locations"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Downloads == nil && in.IncludeLocations == nil {
		return fmt.Errorf("nothing to change: send downloads and/or include_locations (true or false): %w", db.ErrInvalid)
	}
	sh, err := s.deps.DB.EditShare(c.Request().Context(), id, db.ShareEdit{Downloads: in.Downloads, Locations: in.IncludeLocations})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.viewOf(sh))
}

func (s *Server) revokeShare(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.DB.RevokeShare(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// shareCookie carries a visitor's access secret after the password; it is
// scoped to the visitor API path.
const shareCookie = "pinhole_share"

// openShare checks the link token and, for a password-protected share,
// that the visitor presents its access secret (header or cookie).
func (s *Server) openShare(c echo.Context) (db.Share, error) {
	tok := c.Param("token")
	if !validToken(tok) {
		return db.Share{}, fmt.Errorf("share link: %w", db.ErrNotFound)
	}
	sh, err := s.auth.OpenShare(c.Request().Context(), tok)
	if err != nil {
		return sh, err
	}
	if sh.HasPassword {
		got := c.Request().Header.Get("X-Share-Access")
		if got == "" {
			if ck, err := c.Cookie(shareCookie); err == nil {
				got = ck.Value
			}
		}
		if !auth.Equal(got, sh.Access) {
			return sh, &echo.HTTPError{Code: http.StatusUnauthorized, Message: "this album needs a password"}
		}
	}
	return sh, nil
}

func (s *Server) visitShare(c echo.Context) error {
	sh, err := s.openShare(c)
	if he, ok := err.(*echo.HTTPError); ok && he.Code == http.StatusUnauthorized {
		return c.JSON(http.StatusUnauthorized, map[string]any{"error": he.Message, "password_required": true})
	} else if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.deps.DB.AlbumByID(ctx, sh.AlbumID, db.ShareReader(sh))
	if err != nil {
		return err
	}
	if err := s.deps.DB.CountShareView(ctx, sh.ID); err != nil {
		s.log.Warn("count share view", "err", err)
	}
	return c.JSON(http.StatusOK, visitorShare{Album: forVisitorAlbum(a), ThumbToken: sh.Access, ExpiresAt: sh.ExpiresAt,
		Downloads: sh.Downloads, IncludeLocations: sh.Locations})
}

func (s *Server) unlockShare(c echo.Context) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	tok := c.Param("token")
	if !validToken(tok) {
		return fmt.Errorf("share link: %w", db.ErrNotFound)
	}
	access, err := s.auth.UnlockShare(c.Request().Context(), tok, in.Password, c.RealIP())
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: shareCookie, Value: access, Path: "/api/v1/s/" + tok, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
	return c.JSON(http.StatusOK, map[string]string{"access": access})
}

func (s *Server) sharePhotos(c echo.Context) error {
	sh, err := s.openShare(c)
	if err != nil {
		return err
	}
	limit := 0
	if l := c.QueryParam("limit"); l != "" {
		n, err := intParam("limit", l, 1, maxLimit)
		if err != nil {
			return err
		}
		limit = int(n)
	}
	page, err := s.deps.DB.SearchPhotos(c.Request().Context(), db.PhotoQuery{
		Album: sh.AlbumID, Sort: "position", Reader: db.ShareReader(sh), Limit: limit, Cursor: c.QueryParam("cursor"),
	})
	if err != nil {
		return err
	}
	s.markProblems(page.Photos, true)
	s.markPlayable(c.Request().Context(), page.Photos)
	return c.JSON(http.StatusOK, visitorPhotoList{forVisitorPhotos(sh, page.Photos), page.Next, sh.Access})
}

// sharePhoto is one photo of a shared album for its info panel: the
// photo's own metadata and place names, its keywords and files, projected
// for the visitor (web/visitor.go).
func (s *Server) sharePhoto(c echo.Context) error {
	sh, err := s.openShare(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := s.deps.DB.PhotoDetail(ctx, id, db.ShareReader(sh))
	if err != nil {
		return err
	}
	ps := []db.Photo{d.Photo}
	s.markProblems(ps, true)
	s.markPlayable(ctx, ps)
	kw := d.Keywords
	if kw == nil {
		kw = []string{}
	}
	return c.JSON(http.StatusOK, visitorDetail{Photo: forVisitor(sh, ps[0]), Keywords: kw, Files: forVisitorFiles(d.Files),
		Downloads: sh.Downloads, ThumbToken: sh.Access})
}
