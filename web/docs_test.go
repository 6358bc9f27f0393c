package web_test

import (
	"os"
	"strings"
	"testing"

	"pinhole/web"
)

// docs/api.md documents every route the router has.
func TestAPIDocsListEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	s := web.New(web.Deps{})
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
