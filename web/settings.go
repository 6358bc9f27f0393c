package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OnlineSwitch is the owner's "pause online services" switch: while it is
// on, the online geocoder and the tile proxy send nothing and answer from
// the offline dataset, the caches and the offline base map.
type OnlineSwitch interface {
	OnlineState() OnlineState
	// SetOnlinePaused turns the switch, at once and for good (it is
	// stored), and returns the new state.
	SetOnlinePaused(ctx context.Context, paused bool) (OnlineState, error)
}

// OnlineState is the switch and which online services are configured.
type OnlineState struct {
	Paused   bool `json:"paused"`
	Geocoder bool `json:"geocoder"`
	Tiles    bool `json:"tiles"`
}

var errNoSwitch = echo.NewHTTPError(http.StatusServiceUnavailable, "this server has no online services switch")

// onlineSettings serves GET /api/v1/settings/online.
func (s *Server) onlineSettings(c echo.Context) error {
	if s.deps.Online == nil {
		return errNoSwitch
	}
	return c.JSON(http.StatusOK, s.deps.Online.OnlineState())
}

// setOnlineSettings serves PUT /api/v1/settings/online {"paused": bool}.
func (s *Server) setOnlineSettings(c echo.Context) error {
	var in struct {
		Paused *bool `json:"paused"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Paused == nil {
		return echo.NewHTTPError(http.StatusBadRequest, `send {"paused": true} or {"paused": false}`)
	}
	if s.deps.Online == nil {
		return errNoSwitch
	}
	st, err := s.deps.Online.SetOnlinePaused(c.Request().Context(), *in.Paused)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
