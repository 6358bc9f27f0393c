package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinhole/web"
)

// docs/api.md documents every route the router has.
func TestAPIDocsListEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	s := web.New(web.Deps{SessionTTL: time.Hour})
	for _, r := range s.Echo().Routes() {
		if strings.HasSuffix(r.Path, "/*") && r.Path != "/*" {
			continue // the JSON 404 for unknown API paths
		}
		method := r.Method
		if method == "HEAD" && strings.Contains(doc, "**HEAD**") {
			method = "GET" // one convention covers HEAD on every GET route
		}
		if !strings.Contains(doc, "`"+method+" "+r.Path) {
			t.Errorf("docs/api.md does not document %s %s", r.Method, r.Path)
		}
	}
}

// The Errors paragraph of docs/api.md names every error status the API
// code can answer with (found in the source by name), so a new one cannot
// go undocumented as 507 did.
func TestAPIDocsListEveryErrorStatus(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "**Errors**")
	if start < 0 {
		t.Fatal("docs/api.md has no **Errors** paragraph")
	}
	errorsPara := doc[start:]
	errorsPara = errorsPara[:strings.Index(errorsPara, "\n\n")]
	codes := map[string]int{
		"StatusBadRequest": 400, "StatusUnauthorized": 401, "StatusForbidden": 403, "StatusNotFound": 404, "StatusRequestTimeout": 408,
		"StatusConflict": 409, "StatusRequestEntityTooLarge": 413, "StatusUnsupportedMediaType": 415,
		"StatusUnprocessableEntity": 422, "StatusTooManyRequests": 429, "StatusInternalServerError": 500,
		"StatusServiceUnavailable": 503, "StatusInsufficientStorage": 507,
	}
	files, _ := filepath.Glob("*.go")
	statusName := regexp.MustCompile(`http\.(Status\w+)`)
	for _, f := range files {
		// ui.go serves the web app's pages (its 405 is not an API answer).
		if strings.HasSuffix(f, "_test.go") || f == "ui.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range statusName.FindAllStringSubmatch(string(src), -1) {
			code, known := codes[m[1]]
			switch {
			case !known && !successStatus[m[1]]:
				t.Errorf("%s uses http.%s: add it to this test's table and to docs/api.md's Errors", f, m[1])
			case known && !regexp.MustCompile(`\b`+strconv.Itoa(code)+`\b`).MatchString(errorsPara):
				t.Errorf("%s answers %d (http.%s); docs/api.md's Errors paragraph does not list it", f, code, m[1])
			}
		}
	}
}

// successStatus are the non-error statuses the API uses.
var successStatus = map[string]bool{"StatusOK": true, "StatusCreated": true, "StatusAccepted": true,
	"StatusNoContent": true, "StatusPartialContent": true, "StatusNotModified": true,
	// Sign-in with a provider redirects the browser (web/oidc.go).
	"StatusFound": true, "StatusSeeOther": true}
