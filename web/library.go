package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

func (s *Server) folders(c echo.Context) error {
	rel, err := cleanRel(c.QueryParam("path"))
	if err != nil {
		return err
	}
	cl := callerOf(c)
	ctx := c.Request().Context()
	v, err := s.deps.DB.Folder(ctx, rel, cl.reader)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		db.FolderView
		ThumbToken string `json:"thumb_token"`
	}{v, tt})
}

type yearCount struct {
	Year   int          `json:"year"`
	Count  int          `json:"count"`
	Months []monthCount `json:"months"`
}

type monthCount struct {
	Month int `json:"month"`
	Count int `json:"count"`
}

func (s *Server) calendar(c echo.Context) error {
	months, err := s.deps.DB.MonthCounts(c.Request().Context(), db.PhotoQuery{Reader: callerOf(c).reader})
	if err != nil {
		return err
	}
	years := []yearCount{}
	for _, m := range months {
		if len(years) == 0 || years[len(years)-1].Year != m.Year {
			years = append(years, yearCount{Year: m.Year, Months: []monthCount{}})
		}
		y := &years[len(years)-1]
		y.Count += m.Count
		y.Months = append(y.Months, monthCount{m.Month, m.Count})
	}
	return c.JSON(http.StatusOK, map[string]any{"years": years})
}

func (s *Server) places(c echo.Context) error {
	cl := callerOf(c)
	ctx := c.Request().Context()
	level, list, err := s.deps.DB.Places(ctx, c.QueryParam("country"), c.QueryParam("state"), cl.reader)
	if err != nil {
		return err
	}
	// The token the cover thumbnails' URLs need, as for folders.
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"level": level, "places": list, "thumb_token": tt})
}

func (s *Server) cameras(c echo.Context) error {
	cams, lenses, err := s.deps.DB.Cameras(c.Request().Context(), callerOf(c).reader)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"cameras": cams, "lenses": lenses})
}
