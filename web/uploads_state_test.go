package web_test

import (
	"strings"
	"testing"

	"pinhole/web"
)

// The session says whether this user can upload before any file is
// picked: not on read-only originals, not as a viewer, and the reason
// says how to turn uploads on.
func TestSessionSaysWhetherUploadsWork(t *testing.T) {
	type uploads struct {
		Enabled bool
		Folder  string
		Reason  string
	}
	type answer struct{ Uploads uploads }
	var user, viewer, login, admin answer
	rw := newEnv(t, nil)
	rw.do(rw.user, "GET", "/api/v1/session", nil, 200, &user)
	if !user.Uploads.Enabled || user.Uploads.Folder != "Uploads" {
		t.Errorf("writable originals, user: uploads %+v", user.Uploads)
	}
	rw.do(rw.viewer, "GET", "/api/v1/session", nil, 200, &viewer)
	if viewer.Uploads.Enabled || viewer.Uploads.Reason == "" {
		t.Errorf("viewer: uploads %+v", viewer.Uploads)
	}

	ro := newEnv(t, func(d *web.Deps) { d.ReadOnly = true })
	ro.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": testPassword, "bearer": true}, 200, &login)
	ro.do(ro.admin, "GET", "/api/v1/session", nil, 200, &admin)
	for _, u := range []uploads{login.Uploads, admin.Uploads} {
		if u.Enabled || !strings.Contains(u.Reason, "--read-only=false") || !strings.Contains(u.Reason, "ReadWritePaths") {
			t.Errorf("read-only originals: uploads %+v, want off with how to turn them on", u)
		}
	}
}
