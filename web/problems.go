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

// refusal is what the thumbnail renderer knows about a file it gives no
// thumbnail: refused as too large, broken, or of a kind nothing previews.
func (s *Server) refusal(hash string) (db.RenderRefusal, bool) {
	if s.deps.Refusals == nil || hash == "" {
		return db.RenderRefusal{}, false
	}
	return s.deps.Refusals.Refusal(hash)
}

// markProblems fills each photo's problem, so the grid draws a tile that
// says why instead of a thumbnail that cannot be made: what the index
// recorded about its file, else what the renderer found when it was first
// asked for a thumbnail. Share visitors get the words but not the fix,
// which is for the owner.
func (s *Server) markProblems(photos []db.Photo, visitor bool) {
	h := s.helpers()
	for i := range photos {
		p := &photos[i]
		p.CheckProblem(h)
		if p.Problem == nil || p.Problem.Preview {
			if r, ok := s.refusal(p.Hash); ok {
				if fp := db.RefusalProblem(r); fp != nil {
					p.Problem = fp
				}
			}
		}
		if visitor && p.Problem != nil {
			p.Problem.Fix = ""
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
	if s.deps.Refusals != nil {
		q.Refused = s.deps.Refusals.All()
	}
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
