package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// dayLayout is how a day is written in requests: YYYY-MM-DD.
const dayLayout = "2006-01-02"

// memoriesAnswer is GET /api/v1/memories.
type memoriesAnswer struct {
	Date       string      `json:"date"`
	Memories   []db.Memory `json:"memories"`
	ThumbToken string      `json:"thumb_token"`
}

// memoriesPath is the request the web app makes for today's memories,
// as the boot data inlines it (the app sends its own "today"; on the
// server's it is the same day).
func memoriesPath(day time.Time) string { return "/memories?date=" + day.Format(dayLayout) }

// memories serves GET /api/v1/memories?date=YYYY-MM-DD: the memory cards
// of that day (default: today in the server's time zone) from what the
// caller may see. The web app sends the browser's own date, so a phone in
// another time zone gets its own today.
func (s *Server) memories(c echo.Context) error {
	day := time.Now()
	if v := c.QueryParam("date"); v != "" {
		t, err := time.Parse(dayLayout, v)
		if err != nil || t.Year() < 1 {
			return fmt.Errorf("parameter date: want a day as YYYY-MM-DD: %w", db.ErrInvalid)
		}
		day = t
	}
	cl := callerOf(c)
	ctx := c.Request().Context()
	ms, err := s.deps.DB.Memories(ctx, db.MemoryQuery{Date: day, Reader: cl.reader, Usable: s.showable})
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, memoriesAnswer{Date: day.Format(dayLayout), Memories: ms, ThumbToken: tt})
}

// showable marks a photo's problem, as lists do, and reports whether it
// has a picture to show: a story of "no preview" tiles remembers nothing.
func (s *Server) showable(p *db.Photo) bool {
	ps := []db.Photo{*p}
	s.markProblems(ps, false)
	*p = ps[0]
	return p.Problem == nil || p.Problem.Preview
}
