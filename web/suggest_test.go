package web_test

import (
	"context"
	"testing"

	"pinhole/db"
)

// GET /search/suggest offers the library's spelling of a mistyped word,
// and never a word only a private photo carries to a viewer.
func TestSuggestRoute(t *testing.T) {
	e := newEnv(t, nil)
	title := "Zanzibar sunrise"
	if err := e.db.EditPhoto(context.Background(), e.priv.ID, db.PhotoEdit{Title: &title}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Q          string `json:"q"`
		Suggestion string `json:"suggestion"`
	}
	for _, c := range []struct {
		who  client
		path string
		want string
	}{
		{e.viewer, "/api/v1/search/suggest?q=lisbn", "Lisbon"},
		{e.viewer, "/api/v1/search/suggest?q=tram+2", ""}, // finds photos as typed
		{e.user, "/api/v1/search/suggest?q=zanzibr", "Zanzibar"},
		{e.viewer, "/api/v1/search/suggest?q=zanzibr", ""},
		{e.viewer, "/api/v1/search/suggest?q=lisbn&type=video", ""}, // no Lisbon video
	} {
		e.do(c.who, "GET", c.path, nil, 200, &got)
		if got.Suggestion != c.want {
			t.Errorf("%s as %s: %q, want %q", c.path, c.who.role, got.Suggestion, c.want)
		}
	}
	e.do(e.viewer, "GET", "/api/v1/search/suggest", nil, 400, nil)
}
