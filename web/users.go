package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
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
		before, err := s.deps.DB.UserByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.auth.SetRole(ctx, id, *in.Role); err != nil {
			return err
		}
		if before.Role != *in.Role {
			// Their open streams were filtered for the old role.
			s.events.endUser(id, 0, "the account's role changed")
			s.log.Info("role changed", "user", before.Username, "from", before.Role, "to", *in.Role, "by", callerOf(c).session.Username)
		}
	}
	if in.Password != nil {
		if err := s.auth.SetPassword(ctx, id, *in.Password); err != nil {
			return err
		}
		s.events.endUser(id, 0, "the password changed")
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
	if err := s.auth.DeleteUser(c.Request().Context(), id); err != nil {
		return err
	}
	s.events.endUser(id, 0, "the account was removed")
	return c.NoContent(http.StatusNoContent)
}

// rotateTokens gives every user a new thumbnail/download secret and
// answers with the caller's.
func (s *Server) rotateTokens(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.auth.RotateThumbTokens(ctx); err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, callerOf(c))
	if err != nil {
		return err
	}
	s.log.Info("thumbnail tokens rotated", "by", callerOf(c).session.Username)
	return c.JSON(http.StatusOK, map[string]string{"thumb_token": tt})
}
