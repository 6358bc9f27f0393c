package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// statusPaths is every JSON path a value of type t can carry, found by
// encoding a value with every field filled (so omitempty hides nothing)
// and walking the JSON: encoding/json itself decides names, embedding and
// which field wins. List items are "name[]".
func statusPaths(t *testing.T, typ reflect.Type) map[string]bool {
	t.Helper()
	v := reflect.New(typ).Elem()
	fill(v, 0)
	b, err := json.Marshal(v.Interface())
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				out[p] = true
				walk(p, v)
			}
		case []any:
			for _, v := range x {
				walk(prefix+"[]", v)
			}
		}
	}
	walk("", doc)
	return out
}

// fill sets every settable field of v to a non-zero value.
func fill(v reflect.Value, depth int) {
	if depth > 8 || !v.CanSet() {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.5)
	case reflect.String:
		v.SetString("x")
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	}
}

// uiStatusKeys reads KEYS from web/ui/src/status.js as full paths.
func uiStatusKeys(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../web/ui/src/status.js")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(src), "export const KEYS = {")
	body, _, ok2 := strings.Cut(body, "\n}\n")
	if !ok || !ok2 {
		t.Fatal("status.js: no `export const KEYS = { … }` block")
	}
	body = regexp.MustCompile(`(?m)//.*$`).ReplaceAllString(body, "")
	entry := regexp.MustCompile(`(?:'([^']*)'|([A-Za-z_]\w*))\s*:\s*\[([^\]]*)\]`)
	word := regexp.MustCompile(`'([^']*)'`)
	var out []string
	for _, m := range entry.FindAllStringSubmatch(body, -1) {
		block := m[1] + m[2]
		for _, k := range word.FindAllStringSubmatch(m[3], -1) {
			p := k[1]
			if block != "" {
				p = block + "." + k[1]
			}
			out = append(out, p)
		}
	}
	if len(out) < 40 {
		t.Fatalf("read only %d keys from status.js KEYS: %v", len(out), out)
	}
	return out
}

// TestStatusTypesAreWhatTheUIReads ties the web app to the server's status
// types: every key status.js lists (the keys the app reads) must be one
// that Status, UserStatus or ViewerStatus sends; every key the server
// sends is snake_case; and the app reads the document only through that
// list. It fails on the drifts it was written for: the app read `errors`
// (never sent), `watcher` came twice (top level and under index), and the
// thumbnail cache arrived as Go's CamelCase.
func TestStatusTypesAreWhatTheUIReads(t *testing.T) {
	sent := map[string]bool{}
	for _, typ := range []reflect.Type{reflect.TypeFor[Status](), reflect.TypeFor[UserStatus](), reflect.TypeFor[ViewerStatus]()} {
		paths := statusPaths(t, typ)
		if len(paths) < 40 {
			t.Fatalf("%v: only %d JSON paths: %v", typ, len(paths), paths)
		}
		for p := range paths {
			sent[p] = true
			for _, seg := range strings.Split(strings.ReplaceAll(p, "[]", ""), ".") {
				if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(seg) {
					t.Errorf("%v sends %q: not snake_case; give the Go field a json tag", typ, p)
				}
			}
			if strings.HasSuffix(p, ".watcher") {
				t.Errorf("%v sends the watcher twice: at the top level and as %q", typ, p)
			}
		}
	}

	keys := uiStatusKeys(t)
	listed := map[string]bool{}
	for _, p := range keys {
		listed[p[strings.LastIndex(p, ".")+1:]] = true
		if !sent[p] {
			t.Errorf("web/ui/src/status.js reads %q, which no status type sends: add it to app.Status (and the "+
				"user or viewer projection if they may see it) or stop reading it", p)
		}
	}

	// Every field() the app asks for is in the list (the list is what the
	// app reads), and the modules that fetch the status never read its
	// properties themselves.
	files, err := filepath.Glob("../web/ui/src/*.js*")
	if err != nil || len(files) < 5 {
		t.Fatalf("web app sources: %v %v", files, err)
	}
	field := regexp.MustCompile(`\.field\('([^']*)'\)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range field.FindAllStringSubmatch(string(b), -1) {
			if !listed[m[1]] {
				t.Errorf("%s reads status field %q, which status.js KEYS does not list", filepath.Base(f), m[1])
			}
		}
	}
	// The variables holding the raw document (or a live progress event)
	// in the modules that fetch it.
	raw := map[string]string{"settings.jsx": `status|live`, "shell.jsx": `st`, "api.js": `s`}
	for file, names := range raw {
		b, err := os.ReadFile(filepath.Join("../web/ui/src", file))
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`\b(` + names + `)(\?\.|\.|\[)[A-Za-z_'"]`)
		if file == "api.js" {
			re = regexp.MustCompile(`\bs\??\.thumb_sizes`)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "import ") {
				continue
			}
			if m := re.FindString(line); m != "" {
				t.Errorf("%s:%d reads the status document directly (%s…); read it through status.js view()", file, i+1, m)
			}
		}
	}
}
