package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/testkit"
	"pinhole/db"
	"pinhole/web"
)

// Live updates (issue 13 item 7), over real streams: bound to the
// session that opened them, ended by logout, revocation, role and
// password changes and deletion, capped per user, filtered for viewers.

// sse is one open /api/v1/events stream read in the background.
type sse struct {
	events chan sseEvent // closed when the server ends the stream
	retry  chan string   // "retry:" values the server sent
	cancel context.CancelFunc
}

type sseEvent struct{ name, data string }

func (e *env) openStream(c client) *sse {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		cancel()
		resp.Body.Close()
		e.t.Fatalf("events as %s: %d", c.role, resp.StatusCode)
	}
	s := &sse{events: make(chan sseEvent, 64), retry: make(chan string, 4), cancel: cancel}
	e.t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				s.events <- sseEvent{name, strings.TrimPrefix(line, "data: ")}
			case strings.HasPrefix(line, "retry: "):
				s.retry <- strings.TrimPrefix(line, "retry: ")
			}
		}
	}()
	return s
}

// next returns the next event named name, skipping others; ok is false
// when the stream ended first or nothing came within the wait.
func (s *sse) next(name string, wait time.Duration) (sseEvent, bool) {
	timeout := time.After(wait)
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				return sseEvent{}, false
			}
			if ev.name == name {
				return ev, true
			}
		case <-timeout:
			return sseEvent{}, false
		}
	}
}

// ended waits for the server to end the stream and returns the reason
// of its "closed" event.
func (s *sse) ended(t *testing.T, what string, wait time.Duration) string {
	t.Helper()
	timeout := time.After(wait)
	reason := ""
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				if reason == "" {
					t.Errorf("%s: the stream ended without a closed event", what)
				}
				return reason
			}
			if ev.name == "closed" {
				var v struct{ Reason string }
				json.Unmarshal([]byte(ev.data), &v)
				reason = v.Reason
			}
		case <-timeout:
			t.Fatalf("%s: the stream is still open after %s", what, wait)
			return ""
		}
	}
}

// alive checks the stream still delivers: a photo edit reaches it.
func (e *env) alive(s *sse, what string) {
	e.t.Helper()
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/photos/%d", e.pub.ID), map[string]any{"title": what}, 200, nil)
	if _, ok := s.next("photos", 5*time.Second); !ok {
		e.t.Fatalf("%s: the stream no longer delivers", what)
	}
}

// A stream ends when its own session logs out or is revoked; another
// session's stream of the same user stays.
func TestLiveUpdatesEndWithTheirSession(t *testing.T) {
	e := newEnv(t, nil)
	a, b, c := e.login("user", true), e.login("user", true), e.login("user", true)
	sa, sb, sc := e.openStream(a), e.openStream(b), e.openStream(c)
	e.do(a, "DELETE", "/api/v1/session", nil, 204, nil)
	if r := sa.ended(t, "logged-out session", 5*time.Second); !strings.Contains(r, "logged out") {
		t.Errorf("reason %q", r)
	}
	e.alive(sb, "after another session's logout")

	// Revoked by the admin.
	var cur struct {
		Sessions []struct {
			ID      int64
			Current bool
		}
	}
	e.do(b, "GET", "/api/v1/sessions", nil, 200, &cur)
	var bID int64
	for _, s := range cur.Sessions {
		if s.Current {
			bID = s.ID
		}
	}
	e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/sessions/%d", bID), nil, 204, nil)
	if r := sb.ended(t, "revoked session", 5*time.Second); !strings.Contains(r, "revoked") {
		t.Errorf("reason %q", r)
	}
	e.alive(sc, "after another session's revocation")
}

// Role and password changes and deletion end the user's streams at once:
// what they carried was chosen for the old role.
func TestLiveUpdatesEndWithAccountChanges(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, n := range []string{"ann", "ben", "cat"} {
		if _, err := auth.AddUser(ctx, e.db, n, testPassword, db.RoleUser); err != nil {
			t.Fatal(err)
		}
	}
	ann, ben, cat := e.login("ann", true), e.login("ben", true), e.login("cat", true)
	sAnn, sBen, sCat := e.openStream(ann), e.openStream(ben), e.openStream(cat)
	other := e.openStream(e.user)

	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", ann.userID), map[string]any{"role": "viewer"}, 200, nil)
	if r := sAnn.ended(t, "demoted user", 5*time.Second); !strings.Contains(r, "role") {
		t.Errorf("reason %q", r)
	}
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", ben.userID), map[string]any{"password": "a new long one"}, 200, nil)
	sBen.ended(t, "user whose password the admin changed", 5*time.Second)
	e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/users/%d", cat.userID), nil, 204, nil)
	sCat.ended(t, "deleted user", 5*time.Second)
	e.alive(other, "another user's stream")

	// Changing one's own password ends the other sessions' streams only.
	mine, elsewhere := e.login("viewer", true), e.login("viewer", true)
	sMine, sElse := e.openStream(mine), e.openStream(elsewhere)
	e.do(mine, "PUT", "/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": "another long one"}, 204, nil)
	sElse.ended(t, "other session after a password change", 5*time.Second)
	e.alive(sMine, "the session that changed the password")
}

// Sessions ended by another process (the users command writes the
// database directly) end their streams at the next check.
func TestLiveUpdatesNoticeOutsideChanges(t *testing.T) {
	old := web.SetStreamCheckEvery(200 * time.Millisecond)
	defer web.SetStreamCheckEvery(old)
	e := newEnv(t, nil)
	s := e.openStream(e.user)
	if err := auth.Passwd(context.Background(), e.db, "user", "changed elsewhere"); err != nil {
		t.Fatal(err)
	}
	s.ended(t, "stream of a session deleted by another process", 5*time.Second)
}

// One account gets at most 8 streams: a ninth ends the oldest (telling
// it to wait before reconnecting) instead of taking another user's
// place; other users open theirs as before.
func TestLiveUpdatesCappedPerUser(t *testing.T) {
	e := newEnv(t, nil)
	var streams []*sse
	for i := 0; i < 9; i++ {
		streams = append(streams, e.openStream(e.viewer))
	}
	if r := streams[0].ended(t, "oldest of nine", 5*time.Second); !strings.Contains(r, "more live-update streams") {
		t.Errorf("reason %q", r)
	}
	select {
	case v := <-streams[0].retry:
		if v != "60000" {
			t.Errorf("retry %q, want 60000", v)
		}
	default:
		t.Error("the pushed-out stream got no retry delay: it would reconnect at once and push out another")
	}
	e.alive(streams[8], "the ninth stream")
	for i := 1; i < 8; i++ {
		if _, ok := streams[i].next("photos", 5*time.Second); !ok {
			t.Errorf("stream %d of 9 ended too", i+1)
		}
	}
	e.alive(e.openStream(e.user), "another user's stream")
}

// A viewer's stream never names a private photo; a user's names all.
func TestLiveUpdatesFilteredForViewers(t *testing.T) {
	e := newEnv(t, nil)
	sv, su := e.openStream(e.viewer), e.openStream(e.user)
	ids := func(ev sseEvent) []int64 {
		var v struct {
			Changed  []int64
			Uploaded []string
		}
		if err := json.Unmarshal([]byte(ev.data), &v); err != nil {
			t.Fatalf("event %q: %v", ev.data, err)
		}
		return v.Changed
	}
	has := func(list []int64, id int64) bool {
		for _, x := range list {
			if x == id {
				return true
			}
		}
		return false
	}
	e.do(e.user, "POST", "/api/v1/photos/batch", map[string]any{"photo_ids": []int64{e.pub.ID, e.priv.ID}, "favorite": true}, 200, nil)
	ev, ok := sv.next("photos", 5*time.Second)
	if !ok {
		t.Fatal("the viewer got no photos event")
	}
	if got := ids(ev); has(got, e.priv.ID) || !has(got, e.pub.ID) {
		t.Errorf("viewer's event %s: want the public photo only", ev.data)
	}
	ev, _ = su.next("photos", 5*time.Second)
	if got := ids(ev); !has(got, e.priv.ID) || !has(got, e.pub.ID) {
		t.Errorf("user's event %s: want both photos", ev.data)
	}
	// An edit of the private photo alone still tells the viewer to
	// refresh, naming nothing.
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/photos/%d", e.priv.ID), map[string]any{"title": "still private"}, 200, nil)
	ev, ok = sv.next("photos", 5*time.Second)
	if !ok || ev.data != `{"changed":[]}` {
		t.Errorf("viewer's event for a private edit: %q", ev.data)
	}
	// The indexer's notifications are filtered the same way.
	e.srv.NotifyPhotos([]int64{e.priv.ID, e.video.ID})
	ev, _ = sv.next("photos", 5*time.Second)
	if got := ids(ev); has(got, e.priv.ID) || !has(got, e.video.ID) {
		t.Errorf("viewer's index event %s", ev.data)
	}
	// Uploads: the user sees the saved paths; the viewer neither paths
	// nor the id, the photo being in the user's private space.
	body, ct := testkit.Multipart([2]string{"new.jpg", string(testkit.JPEG(testkit.Photo{Seed: 77}))})
	resp := e.request(e.user, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
	resp.Body.Close()
	ev, _ = sv.next("photos", 5*time.Second)
	if strings.Contains(ev.data, "uploaded") || len(ids(ev)) != 0 {
		t.Errorf("viewer's upload event %s: want no id and no paths", ev.data)
	}
	for {
		ev, ok = su.next("photos", 5*time.Second)
		if !ok || strings.Contains(ev.data, "uploaded") {
			break
		}
	}
	if !ok || !strings.Contains(ev.data, "new.jpg") {
		t.Errorf("user's upload event %q", ev.data)
	}
}
