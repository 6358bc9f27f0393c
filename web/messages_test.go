package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
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
