package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// helpers is what the thumbnail renderer can decode with the optional
// programs found at start; without the Helpers hook, none.
func (s *Server) helpers() db.Helpers {
	if s.deps.Helpers == nil {
		return db.Helpers{}
	}
	heif, ffmpeg := s.deps.Helpers()
	return db.Helpers{HEIF: heif, FFmpeg: ffmpeg}
}

// markProblems fills each photo's problem, so the grid draws a tile that
// says why instead of a thumbnail that cannot be made. Share visitors get
// the words but not the fix, which is for the owner.
func (s *Server) markProblems(photos []db.Photo, visitor bool) {
	h := s.helpers()
	for i := range photos {
		photos[i].CheckProblem(h)
		if visitor && photos[i].Problem != nil {
			photos[i].Problem.Fix = ""
		}
	}
}

// problems serves GET /api/v1/problems: every file with a problem, what
// went wrong and how to fix it, up to per_kind files of each kind (the
// counts cover all). Viewers see only files of photos they may see.
func (s *Server) problems(c echo.Context) error {
	cl := callerOf(c)
	ctx := c.Request().Context()
	q := db.ProblemQuery{Helpers: s.helpers(), Reader: cl.reader}
	if l := c.QueryParam("per_kind"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return echo.NewHTTPError(http.StatusBadRequest, "per_kind must be a positive number")
		}
		q.PerKind = n
	}
	list, err := s.deps.DB.Problems(ctx, q)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		db.ProblemList
		ThumbToken string `json:"thumb_token"`
	}{list, tt})
}
