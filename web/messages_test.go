package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
	"pinhole/db"
)

func catalogOf(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("locales/" + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// An error answer is in the language the browser asks for, with the
// values the message names kept; English for languages Pinhole lacks.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	answer := func(c client, method, path string, body any, al string, wantStatus int) (string, string) {
		t.Helper()
		resp := e.request(c, method, path, body, http.Header{"Accept-Language": {al}})
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s (%s): %d %s, want %d", method, path, al, resp.StatusCode, b, wantStatus)
		}
		var v struct{ Error string }
		if err := json.Unmarshal(b, &v); err != nil || v.Error == "" {
			t.Fatalf("%s %s: no error message in %s", method, path, b)
		}
		return v.Error, resp.Header.Get("Content-Language")
	}
	wrong := map[string]any{"username": "admin", "password": "not the password at all"}
	for _, lang := range []string{"de", "fr", "es", "it", "nl", "pt"} {
		cat := catalogOf(t, lang)
		got, cl := answer(client{}, "POST", "/api/v1/session", wrong, lang+";q=0.9,en;q=0.5", http.StatusUnauthorized)
		if want := cat["wrong user name or password"]; got != want || cl != lang {
			t.Errorf("wrong password in %s: %q (Content-Language %q), want %q", lang, got, cl, want)
		}
	}
	got, _ := answer(client{}, "POST", "/api/v1/session", wrong, "ja-JP,ja", http.StatusUnauthorized)
	if got != "wrong user name or password" {
		t.Errorf("a language Pinhole lacks: %q, want the English", got)
	}

	// A message with a value in it: the album's number survives.
	got, _ = answer(e.viewer, "GET", "/api/v1/albums/987654", nil, "pt-BR", http.StatusNotFound)
	want := strings.ReplaceAll(catalogOf(t, "pt")["album {1}: not found"], "{1}", "987654")
	if got != want {
		t.Errorf("missing album in Portuguese: %q, want %q", got, want)
	}
}

// What is wrong with a file reads in the reader's language on the
// Problems screen and in the photo lists (a tile's words), with the
// decoder's own words kept; English readers get the English.
func TestProblemsInTheReadersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	cam, err := os.ReadFile(corpus.Path(t, "exif-py/jpg/exif-org/canon-ixus.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, e.root, "2021/Card/cut.jpg", cam[:len(cam)*6/10])
	if _, err := e.ix.Scan(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	get := func(path, al string, out any) {
		t.Helper()
		resp := e.request(e.user, "GET", path, nil, http.Header{"Accept-Language": {al}})
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var en, de problemList
	get("/api/v1/problems", "en-US", &en)
	get("/api/v1/problems", "de-DE,de", &de)
	enP, deP := byPath(en.Problems)["2021/Card/cut.jpg"], byPath(de.Problems)["2021/Card/cut.jpg"]
	if enP.Reason != "Incomplete file" {
		t.Fatalf("the cut-off JPEG in English: %+v", enP.FileProblem)
	}
	cat := catalogOf(t, "de")
	if deP.Reason != cat["Incomplete file"] || deP.Fix != cat["Copy it again from the camera, phone or a backup: this copy was cut off."] {
		t.Errorf("the cut-off JPEG in German: %q / %q", deP.Reason, deP.Fix)
	}
	// The detail keeps what the decoder said, inside the German sentence.
	cause := strings.TrimSuffix(strings.TrimPrefix(enP.Detail, "The file is incomplete: "), "; only the part before the cut shows.")
	if cause == enP.Detail || !strings.Contains(deP.Detail, cause) || deP.Detail == enP.Detail {
		t.Errorf("German detail %q, English %q", deP.Detail, enP.Detail)
	}
	// The photo list marks the photo for its tile, in German too.
	var list struct{ Photos []db.Photo }
	get("/api/v1/photos?limit=500", "de", &list)
	found := false
	for _, p := range list.Photos {
		if p.Problem != nil && p.Problem.Kind == db.ProblemIncomplete {
			found = true
			if p.Problem.Reason != cat["Incomplete file"] {
				t.Errorf("the tile's words in German: %q", p.Problem.Reason)
			}
		}
	}
	if !found {
		t.Error("the photo list does not mark the cut-off photo")
	}
}

// Why uploads are off is the server's sentence too: in the reader's
// language in the session answer.
func TestUploadsReasonInTheReadersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range []string{"en", "nl"} {
		var s struct{ Uploads struct{ Reason string } }
		resp := e.request(e.viewer, "GET", "/api/v1/session", nil, http.Header{"Accept-Language": {lang}})
		err := json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := "Viewers cannot upload; an admin can make you a user in Settings."
		if lang != "en" {
			want = catalogOf(t, lang)[want]
		}
		if s.Uploads.Reason != want {
			t.Errorf("%s: why a viewer cannot upload: %q, want %q", lang, s.Uploads.Reason, want)
		}
	}
}
