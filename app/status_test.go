package app

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/testkit"
)

// TestStatusShowsEachRoleWhatItMaySee: the admin's status has the
// originals' path, the errors naming files and counts of everything; a
// user's has no paths; a viewer's also counts no private photo. Keys
// added to the document later stay admin-only until allowed on purpose.
func TestStatusShowsEachRoleWhatItMaySee(t *testing.T) {
	f := newFakeOnline(t)
	data, originals := t.TempDir(), t.TempDir()
	ctx := context.Background()
	for i, name := range []string{"Family/Home/a.jpg", "Family/Home/b.jpg", "Holiday/c.jpg"} {
		testkit.WriteFile(t, originals, name, testkit.JPEG(testkit.Photo{W: 8 + i, H: 8, Gray: true}))
	}
	// A file the indexer cannot read leaves an error naming its folder.
	if err := os.WriteFile(filepath.Join(originals, "Family", "Home", "broken.jpg"), []byte("\xff\xd8 not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := openPauseServer(t, f, data, originals)
	defer p.close()
	if _, err := p.s.Indexer.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	priv, err := p.s.DB.PhotoByPath(ctx, "Family/Home/a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.s.DB.SetFlag(ctx, priv.ID, "private", true); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.AddUser(ctx, p.s.DB, "vera", "a long passphrase", "viewer"); err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token string `json:"token"`
	}
	p.call("", "POST", "/api/v1/session", `{"username":"vera","password":"a long passphrase","bearer":true}`, 200, &login)

	get := func(tok string) (map[string]any, string) {
		var raw json.RawMessage
		p.call(tok, "GET", "/api/v1/status", "", 200, &raw)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m, string(raw)
	}
	photos := func(m map[string]any) float64 {
		c, _ := m["counts"].(map[string]any)
		n, _ := c["photos"].(float64)
		return n
	}

	admin, adminText := get(p.admin)
	if admin["originals"] != originals || photos(admin) != 4 || admin["recent_errors"] == nil {
		t.Errorf("admin status: originals %v, photos %v, recent_errors %v; want the path, 4 (the broken file is a photo too) and the broken file",
			admin["originals"], photos(admin), admin["recent_errors"])
	}
	if !strings.Contains(adminText, "broken.jpg") {
		t.Errorf("admin status does not name the broken file: %s", adminText)
	}

	for _, who := range []struct {
		name, tok string
		photos    float64
	}{{"user", p.user, 4}, {"viewer", login.Token, 3}} {
		m, text := get(who.tok)
		if n := photos(m); n != who.photos {
			t.Errorf("%s: counts.photos %v, want %v", who.name, n, who.photos)
		}
		for _, leak := range []string{originals, data, "Family/Home", "broken.jpg", "/usr/", "/bin/"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s status contains %q: %s", who.name, leak, text)
			}
		}
		for _, k := range []string{"originals", "recent_errors", "error"} {
			if _, ok := m[k]; ok {
				t.Errorf("%s status has %q", who.name, k)
			}
		}
		for _, k := range []string{"status", "version", "counts", "index", "thumbs", "places", "maps", "helpers", "setup_required"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s status lacks %q: %s", who.name, k, text)
			}
		}
	}
	viewer, _ := get(login.Token)
	if pl, _ := viewer["places"].(map[string]any); pl["resolved"] != nil || pl["pending"] != nil {
		t.Errorf("viewer sees place counts that include private photos: %v", pl)
	}
	if c, _ := viewer["counts"].(map[string]any); c["files"] != nil || c["folders"] != nil {
		t.Errorf("viewer sees file or folder counts: %v", c)
	}

	// The live progress the web app shows while a scan runs (the same
	// shape as the status's index.progress) is the index's progress and
	// nothing more, for everyone: it was the whole index block, with the
	// root problem naming the originals and the watcher's reason, and the
	// app, reading .running off it, showed a running scan as idle.
	for _, who := range []struct{ name, tok string }{{"admin", p.admin}, {"viewer", login.Token}} {
		var ev map[string]any
		if err := json.Unmarshal(firstProgressEvent(t, p.http.URL, who.tok), &ev); err != nil {
			t.Fatal(err)
		}
		for k := range ev {
			if !slices.Contains([]string{"running", "phase", "seen", "indexed", "skipped", "failed", "queued", "current"}, k) {
				t.Errorf("%s: the progress event carries %q: %v", who.name, k, ev)
			}
		}
		if ev["running"] != false || ev["seen"] != float64(4) {
			t.Errorf("%s: progress event %v, want a finished scan that saw 4 files", who.name, ev)
		}
	}
}

// firstProgressEvent opens /api/v1/events and returns the data of the
// first "progress" event.
func firstProgressEvent(t *testing.T, base, tok string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for name := ""; sc.Scan(); {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "event: "); ok {
			name = n
		} else if d, ok := strings.CutPrefix(line, "data: "); ok && name == "progress" {
			return []byte(d)
		}
	}
	t.Fatalf("no progress event: %v", sc.Err())
	return nil
}
