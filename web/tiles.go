package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinhole/app/maps"
	"pinhole/app/upstream"
)

// TileServer serves map tiles (app/maps: the caching proxy or the offline
// base map), so the browser only ever talks to Pinhole.
type TileServer interface {
	Tile(ctx context.Context, style string, z, x, y int) ([]byte, maps.Meta, error)
	// Info is the attribution and zoom range the web app's map shows.
	Info() maps.Info
}

// tile serves GET /api/v1/tiles/:style/:z/:x/:y (y may end in .png).
func (s *Server) tile(c echo.Context) error {
	if !maps.ValidStyle(c.Param("style")) {
		return echo.NewHTTPError(http.StatusBadRequest, "parameter style: want dark or light")
	}
	z, err := intParam("tile z", c.Param("z"), 0, maps.MaxZoom)
	if err != nil {
		return err
	}
	edge := int64(1)<<z - 1 // tiles across the world at zoom z, less one
	x, err := intParam("tile x", c.Param("x"), 0, edge)
	if err != nil {
		return err
	}
	y, err := intParam("tile y", strings.TrimSuffix(c.Param("y"), ".png"), 0, edge)
	if err != nil {
		return err
	}
	n := [3]int{int(z), int(x), int(y)}
	if s.deps.Tiles == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "map tiles are not available on this server")
	}
	// The tile upstream's budget is charged to this user.
	ctx := upstream.WithClient(c.Request().Context(), "user:"+strconv.FormatInt(callerOf(c).session.UserID, 10))
	b, meta, err := s.deps.Tiles.Tile(ctx, c.Param("style"), n[0], n[1], n[2])
	switch {
	case errors.Is(err, maps.ErrInvalid):
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	case errors.Is(err, maps.ErrUnavailable):
		return echo.NewHTTPError(http.StatusServiceUnavailable, "map tile unavailable: the tile server cannot be reached and no copy is kept")
	case err != nil:
		return err
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := c.Response().Header()
	// private: tiles need a login, so shared caches must not keep them.
	h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", int(meta.MaxAge.Seconds())))
	h.Set("ETag", etag)
	h.Set("X-Tile-Source", meta.Source)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, meta.ContentType, b)
}
