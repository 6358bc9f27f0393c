package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

func (s *Server) listUsers(c echo.Context) error {
	us, err := auth.List(c.Request().Context(), s.deps.DB)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": us})
}

func (s *Server) createUser(c echo.Context) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := auth.AddUser(c.Request().Context(), s.deps.DB, in.Username, in.Password, in.Role)
	if err != nil {
		return err
	}
	s.log.Info("user created", "user", u.Username, "role", u.Role, "by", callerOf(c).session.Username)
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) editUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Role     *string `json:"role"`
		Password *string `json:"password"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if in.Role != nil {
		if !auth.ValidRole(*in.Role) {
			return fmt.Errorf("role %q: want admin, user or viewer: %w", *in.Role, db.ErrInvalid)
		}
		if err := s.deps.DB.SetRole(ctx, id, *in.Role); err != nil {
			return err
		}
	}
	if in.Password != nil {
		if err := auth.CheckPasswordRules(*in.Password); err != nil {
			return err
		}
		h, err := auth.HashPassword(*in.Password)
		if err != nil {
			return err
		}
		if err := s.deps.DB.SetPassword(ctx, id, h, 0); err != nil {
			return err
		}
	}
	u, err := s.deps.DB.UserByID(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) deleteUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.DB.DeleteUser(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) rotateTokens(c echo.Context) error {
	full, _, err := s.auth.RotateThumbTokens(c.Request().Context())
	if err != nil {
		return err
	}
	s.log.Info("thumbnail tokens rotated", "by", callerOf(c).session.Username)
	return c.JSON(http.StatusOK, map[string]string{"thumb_token": full})
}
