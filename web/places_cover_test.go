package web_test

import (
	"context"
	"fmt"
	"testing"

	"pinhole/db"
)

type placesAnswer struct {
	Level      string
	Places     []db.PlaceCount
	ThumbToken string `json:"thumb_token"`
}

// TestPlacesCoverPhotos: each place in GET /api/v1/places names a cover
// photo, the newest favourite, else the newest photo, out of the photos
// the caller may see; the thumb token that comes with it loads the cover.
func TestPlacesCoverPhotos(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	cat, bridge := e.photo("2020/cat.jpg"), e.photo("2020/Porto/bridge.jpg")
	// Lisbon: the tram (2019, public), the secret (2023, private) and the
	// cat (2021, public); Porto: the bridge (2020).
	if err := e.db.SetPlaces(ctx, []db.PlaceFix{
		{PhotoID: cat.ID, CountryCode: "PT", Country: "Portugal", State: "Lisbon", City: "Lisbon", Source: "offline"},
		{PhotoID: bridge.ID, CountryCode: "PT", Country: "Portugal", State: "Porto", City: "Porto", Source: "offline"},
	}); err != nil {
		t.Fatal(err)
	}
	edit := func(id int64, body map[string]any) {
		t.Helper()
		e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/photos/%d", id), body, 200, nil)
	}
	edit(e.pub.ID, map[string]any{"taken_local": "2019-06-01 10:00:00"})
	edit(e.priv.ID, map[string]any{"taken_local": "2023-06-01 10:00:00"})
	edit(cat.ID, map[string]any{"taken_local": "2021-06-01 10:00:00"})
	edit(bridge.ID, map[string]any{"taken_local": "2020-06-01 10:00:00"})
	names := map[string]string{e.pub.Hash: "tram", e.priv.Hash: "secret", cat.Hash: "cat", bridge.Hash: "bridge", "": "none"}

	// covers lists as c sees them: country PT, then its states, then Lisbon.
	covers := func(c client) string {
		t.Helper()
		var out string
		for _, q := range []string{"", "?country=PT", "?country=PT&state=Lisbon"} {
			var a placesAnswer
			e.do(c, "GET", "/api/v1/places"+q, nil, 200, &a)
			if a.ThumbToken != e.thumbToken(c.role) {
				t.Fatalf("places%s as %s: thumb_token %q, want the %s token", q, c.role, a.ThumbToken, c.role)
			}
			for _, p := range a.Places {
				if p.CoverHash != "" {
					// The cover loads with the token that came along.
					e.do(client{}, "GET", "/api/v1/t/"+p.CoverHash+"/"+a.ThumbToken+"/tile_500", nil, 200, nil)
				}
				out += fmt.Sprintf("%s%s%s=%s ", p.CountryCode, p.State, p.City, names[p.CoverHash])
			}
		}
		return out
	}
	for _, c := range []struct {
		stage, user, viewer string
		change              func()
	}{
		// No favourites: the newest photo; a viewer never gets the private one.
		{"newest", "PT=secret PTLisbon=secret PTPorto=bridge PTLisbonLisbon=secret ",
			"PT=cat PTLisbon=cat PTPorto=bridge PTLisbonLisbon=cat ", func() {}},
		// The oldest photo made a favourite wins over newer ones.
		{"favourite", "PT=tram PTLisbon=tram PTPorto=bridge PTLisbonLisbon=tram ",
			"PT=tram PTLisbon=tram PTPorto=bridge PTLisbonLisbon=tram ", func() { edit(e.pub.ID, map[string]any{"favorite": true}) }},
		// The private photo as a newer favourite: the user's cover, not the viewer's.
		{"private favourite", "PT=secret PTLisbon=secret PTPorto=bridge PTLisbonLisbon=secret ",
			"PT=tram PTLisbon=tram PTPorto=bridge PTLisbonLisbon=tram ", func() { edit(e.priv.ID, map[string]any{"favorite": true}) }},
		// Archived photos are no covers, favourite or not.
		{"archived", "PT=cat PTLisbon=cat PTPorto=bridge PTLisbonLisbon=cat ",
			"PT=cat PTLisbon=cat PTPorto=bridge PTLisbonLisbon=cat ", func() {
				edit(e.pub.ID, map[string]any{"archived": true})
				edit(e.priv.ID, map[string]any{"archived": true})
			}},
		// The bridge archived leaves Porto without photos, so it goes.
		{"archived all", "PT=cat PTLisbon=cat PTLisbonLisbon=cat ",
			"PT=cat PTLisbon=cat PTLisbonLisbon=cat ", func() { edit(bridge.ID, map[string]any{"archived": true}) }},
	} {
		c.change()
		if got := covers(e.user); got != c.user {
			t.Errorf("%s: user's covers %q, want %q", c.stage, got, c.user)
		}
		if got := covers(e.viewer); got != c.viewer {
			t.Errorf("%s: viewer's covers %q, want %q", c.stage, got, c.viewer)
		}
	}
}
