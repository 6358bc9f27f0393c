package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/app/maps"
	"pinhole/db"
)

// geoAnswer is the map's data for one view: clusters, plus how to draw
// the tiles under them.
type geoAnswer struct {
	Clusters   []db.GeoCluster `json:"clusters"`
	ThumbToken string          `json:"thumb_token"`
	// TileURL is a Leaflet URL template on this server, in the asked style.
	TileURL       string `json:"tile_url"`
	Style         string `json:"style"`
	Attribution   string `json:"attribution"`
	MaxNativeZoom int    `json:"max_native_zoom"`
	OnlineTiles   bool   `json:"online_tiles"`
}

// geo serves GET /api/v1/geo?bbox=minLng,minLat,maxLng,maxLat&zoom=N with
// the photo search filters (favorite, type, after, before, album, q, …),
// clustered on the server so the browser draws a few hundred markers at
// most whatever the library's size.
func (s *Server) geo(c echo.Context) error {
	q, err := parseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	zoom := 2
	if v := c.QueryParam("zoom"); v != "" {
		z, err := intParam("zoom", v, 0, maxZoom)
		if err != nil {
			return err
		}
		zoom = int(z)
	}
	style := c.QueryParam("style")
	if style == "" {
		style = "dark"
	}
	if !maps.ValidStyle(style) {
		return echo.NewHTTPError(http.StatusBadRequest, "parameter style: want dark or light")
	}
	cl := callerOf(c)
	q.Reader = cl.reader
	ctx := c.Request().Context()
	// MarkerPx is the web app's marker (map.css .cl): markers that would
	// cover each other are merged here rather than drawn as a heap.
	clusters, err := s.deps.DB.GeoClusters(ctx, q, db.GeoGrid{Zoom: zoom, MarkerPx: 56})
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	a := geoAnswer{Clusters: clusters, ThumbToken: tt, Style: style, MaxNativeZoom: maps.BaseDetailZoom}
	if s.deps.Tiles != nil {
		info := s.deps.Tiles.Info()
		a.TileURL = "/api/v1/tiles/" + style + "/{z}/{x}/{y}"
		a.Attribution, a.MaxNativeZoom, a.OnlineTiles = info.Attribution, info.MaxNativeZoom, info.Online
	}
	return c.JSON(http.StatusOK, a)
}
