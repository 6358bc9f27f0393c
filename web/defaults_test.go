package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/config"
	"pinhole/web"
)

// Option defaults live in app/config alone. The web server used to fill
// in its own (upload folder "Uploads", 2048 MB, 200 MP, 30-day sessions),
// so a value the caller forgot was silently replaced, and config's
// default and web's could drift apart. Now what the caller passes is what
// happens: uploads left unset are off and say why, the session lifetime
// is the caller's, none at all is refused, and config's defaults passed
// down turn uploads on in "Uploads".
func TestWebTakesOptionsFromItsCaller(t *testing.T) {
	type uploads struct {
		Enabled bool
		Folder  string
		Reason  string
	}
	var answer struct {
		Uploads   uploads
		ExpiresAt string `json:"expires_at"`
	}

	unset := newEnv(t, func(d *web.Deps) { d.UploadFolder, d.UploadLimitMB, d.MaxMegapixels = "", 0, 0 })
	unset.do(unset.user, "GET", "/api/v1/session", nil, 200, &answer)
	if answer.Uploads.Enabled || !strings.Contains(answer.Uploads.Reason, "upload-folder") {
		t.Errorf("no upload folder given: uploads %+v, want off and saying which option", answer.Uploads)
	}
	if code, body := unset.uploadOne("a.jpg", []byte("x")); code != 503 {
		t.Errorf("upload with no upload folder given: %d %s, want 503", code, body)
	}
	if _, err := os.Stat(filepath.Join(unset.root, "Uploads")); err == nil {
		t.Error("an Uploads folder appeared although none was configured")
	}

	nolimit := newEnv(t, func(d *web.Deps) { d.UploadLimitMB, d.MaxMegapixels = 0, 0 })
	nolimit.do(nolimit.user, "GET", "/api/v1/session", nil, 200, &answer)
	if answer.Uploads.Enabled || !strings.Contains(answer.Uploads.Reason, "upload-limit-mb") {
		t.Errorf("no upload limits given: uploads %+v, want off and saying which options", answer.Uploads)
	}
	if code, body := nolimit.uploadOne("a.jpg", []byte("x")); code != 503 {
		t.Errorf("upload with no limits given: %d %s, want 503", code, body)
	}

	def := config.Defaults()
	given := newEnv(t, func(d *web.Deps) {
		d.UploadFolder, d.UploadLimitMB, d.MaxMegapixels = def.UploadFolder, def.UploadLimitMB, def.MaxMegapixels
		d.SessionTTL = 90 * time.Minute
	})
	given.do(given.user, "GET", "/api/v1/session", nil, 200, &answer)
	if !answer.Uploads.Enabled || answer.Uploads.Folder != def.UploadFolder || def.UploadFolder != "Uploads" {
		t.Errorf("config's defaults passed down: uploads %+v, want on in %q", answer.Uploads, def.UploadFolder)
	}
	exp, err := time.ParseInLocation("2006-01-02 15:04:05", answer.ExpiresAt, time.UTC)
	if left := time.Until(exp); err != nil || left < 80*time.Minute || left > 100*time.Minute {
		t.Errorf("a login with a 90-minute session lifetime expires at %q (%v): in %v", answer.ExpiresAt, err, left)
	}

	defer func() {
		if recover() == nil {
			t.Error("web.New without a session lifetime did not refuse")
		}
	}()
	web.New(web.Deps{DB: unset.db})
}
