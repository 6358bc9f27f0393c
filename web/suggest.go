package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// suggest serves GET /api/v1/search/suggest?q=berln (with the photo search
// filters): the spelling nearest to q among the words of the library the
// caller may see that finds photos, for "Did you mean Berlin?" when a
// search finds nothing.
func (s *Server) suggest(c echo.Context) error {
	q, err := parseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	if q.Text == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "parameter q: want the words searched for")
	}
	q.Reader = callerOf(c).reader
	sg, err := s.deps.DB.Suggest(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Query string `json:"q"`
		db.Suggestion
	}{q.Text, sg})
}
