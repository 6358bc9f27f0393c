package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pinhole/db"
)

// Role names have one home on each side: db's constants in Go, and
// web/ui/src/roles.js in the web app, which must spell exactly the same
// roles. Any other UI module that compares or writes a role string itself
// would drift silently if a role were renamed, so it fails here.
func TestUIRolesAreTheServers(t *testing.T) {
	src, err := os.ReadFile("ui/src/roles.js")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	for _, m := range regexp.MustCompile(`export const (\w+) = '([^']*)'`).FindAllStringSubmatch(string(src), -1) {
		consts[m[1]] = m[2]
	}
	ui := regexp.MustCompile(`export const ROLES = \[([^\]]*)\]`).FindStringSubmatch(string(src))
	if ui == nil {
		t.Fatal("roles.js has no ROLES list")
	}
	var got []string
	for _, name := range strings.Split(ui[1], ",") {
		got = append(got, consts[strings.TrimSpace(name)])
	}
	if !slices.Equal(got, db.Roles) {
		t.Errorf("roles.js ROLES is %q, the server's db.Roles %q: make them the same", got, db.Roles)
	}

	// A role literal next to a comparison, as an <option> value or as a
	// state's initial value.
	alt := strings.Join(db.Roles, "|")
	literal := regexp.MustCompile(`[!=]==?\s*['"](` + alt + `)['"]|['"](` + alt + `)['"]\s*[!=]==?|value="(` + alt + `)"|useState\(['"](` + alt + `)['"]`)
	files, err := filepath.Glob("ui/src/*.js*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d UI modules; is the test running in web/?", len(files))
	}
	for _, f := range files {
		if filepath.Base(f) == "roles.js" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := literal.FindString(line); m != "" {
				t.Errorf("%s:%d spells a role itself (%s); import it from roles.js", f, i+1, m)
			}
		}
	}
}
