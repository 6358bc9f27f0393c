package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// CacheClearer is a cache an admin can empty: the thumbnail renderer's and
// the tile proxy's. What goes is made again on demand.
type CacheClearer interface {
	ClearCache() (files int, bytes int64)
}

// clearCache serves DELETE /api/v1/caches/{thumbs|tiles}: it frees the
// disk a cache uses, for example before moving the data folder.
func (s *Server) clearCache(c echo.Context) error {
	var cc CacheClearer
	switch c.Param("name") {
	case "thumbs":
		cc, _ = s.deps.Thumbs.(CacheClearer)
	case "tiles":
		cc, _ = s.deps.Tiles.(CacheClearer)
	default:
		return echo.NewHTTPError(http.StatusNotFound, "no such cache; use thumbs or tiles")
	}
	if cc == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "this cache is not available")
	}
	files, bytes := cc.ClearCache()
	s.log.Info("cache cleared", "cache", c.Param("name"), "files", files, "bytes", bytes)
	return c.JSON(http.StatusOK, map[string]any{"removed_files": files, "removed_bytes": bytes})
}
