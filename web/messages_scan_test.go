package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The error kinds whose messages reach people: the API answers them with
// the message (web/errors.go statusOf).
var readKinds = map[string]bool{
	"db.ErrInvalid": true, "db.ErrConflict": true, "db.ErrNotFound": true,
	"auth.ErrUnauthorized": true, "auth.ErrForbidden": true, "ErrUnauthorized": true, "ErrForbidden": true,
	"ErrInvalid": true, "ErrConflict": true, "ErrNotFound": true, "ErrNotYours": true, "db.ErrNotYours": true,
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[svqdgfx]`)

// serverMessages lists, as catalog templates ({1}, {2} for what the code
// fills in), the messages the server's code writes for people: every
// literal given to echo.NewHTTPError and every error of a kind the API
// shows (fmt.Errorf("…: %w", db.ErrInvalid) and the like), in the
// packages that answer requests.
func serverMessages(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	fset := gotoken.NewFileSet()
	for _, dir := range []string{".", "../app/auth", "../db", "../app/index", "../app/watch"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(fset, f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			// The file's string constants, for messages kept in one.
			consts := map[string]ast.Expr{}
			for _, d := range af.Decls {
				if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == gotoken.CONST {
					for _, sp := range gd.Specs {
						vs := sp.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								consts[name.Name] = vs.Values[i]
							}
						}
					}
				}
			}
			for _, d := range af.Decls {
				// markMissing's warnings become the index's root problem.
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "markMissing" {
					ast.Inspect(fd, func(n ast.Node) bool {
						if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) > 0 {
							if s, ok := formatOf(r.Results[0]); ok && s != "" {
								seen[template(s)] = true
							} else if s, ok := joined(r.Results[0]); ok {
								seen[s] = true
							}
						}
						return true
					})
				}
			}
			ast.Inspect(af, func(n ast.Node) bool {
				// Upload answers: a refusal's message, a result's Error.
				if cl, ok := n.(*ast.CompositeLit); ok {
					switch exprName(cl.Type) {
					case "uploadRefusal":
						if len(cl.Elts) == 2 {
							if s, ok := formatOf(cl.Elts[1]); ok {
								seen[template(s)] = true
							}
						}
					case "FileProblem":
						// What is wrong with a file, for tiles and the
						// Problems screen: the texts a person reads.
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								switch exprName(kv.Key) {
								case "Reason", "Detail", "Fix":
									if s, ok := joined(kv.Value); ok {
										seen[s] = true
									}
								}
							}
						}
					case "uploadsInfo":
						// Why uploads are off, shown above the upload button.
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && exprName(kv.Key) == "Reason" {
								v := kv.Value
								if id, ok := v.(*ast.Ident); ok && consts[id.Name] != nil {
									v = consts[id.Name]
								}
								if s, ok := formatOf(v); ok {
									seen[template(s)] = true
								} else if s, ok := joined(v); ok {
									seen[s] = true
								}
							}
						}
					case "uploadResult":
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && exprName(kv.Key) == "Error" {
								if s, ok := formatOf(kv.Value); ok {
									seen[template(s)] = true
								}
							}
						}
					}
					return true
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				// The index's and the watcher's state, shown in Settings.
				if name := exprName(call.Fun); (name == "ix.setRootProblem" && len(call.Args) == 1) || (name == "w.setMode" && len(call.Args) == 2) {
					if s, ok := joined(call.Args[len(call.Args)-1]); ok {
						seen[s] = true
					}
				}
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "bad" && len(call.Args) == 1 && strings.HasPrefix(filepath.Base(f), "upload") {
					if s, ok := literal(call.Args[0]); ok {
						seen["file name {1} "+s] = true // uploadName's bad
					}
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				name := exprName(sel)
				switch {
				case name == "echo.NewHTTPError" && len(call.Args) >= 2:
					if s, ok := literal(call.Args[1]); ok {
						seen[template(s)] = true
					}
				case name == "fmt.Errorf" && len(call.Args) >= 2:
					s, ok := literal(call.Args[0])
					last := exprName(call.Args[len(call.Args)-1])
					if ok && strings.HasSuffix(s, ": %w") && readKinds[last] && strings.Count(s, "%w") == 1 {
						s = strings.TrimSuffix(s, ": %w")
						if strings.HasSuffix(last, "ErrNotFound") {
							s += ": not found" // statusOf keeps the kind's word for these
						}
						seen[template(s)] = true
					}
				}
				return true
			})
		}
	}
	for _, s := range alsoRead {
		seen[s] = true
	}
	delete(seen, "") // "no reason" is no message
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// alsoRead are messages written other than through NewHTTPError or a
// wrapped kind: statusOf's own, and the error types it reads.
var alsoRead = []string{
	"request too large: the limit is {1} MB",
	"the data disk is full: nothing was saved; free some space on it and try again",
	"the database is busy (a backup or scan may be running); try again in a moment",
	"too many failed attempts; try again in a minute",
	"too many failed attempts; try again in {1} minutes",
	"the request body arrived too slowly ({1} bytes/s over {2}; at least {3} needed)",
	"no free file name for {1}",
	"saving the upload failed: {1}",
	"reading the upload failed: {1}",
}

func exprName(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.Ident:
		return v.Name
	case *ast.SelectorExpr:
		return exprName(v.X) + "." + v.Sel.Name
	}
	return ""
}

// joined is a + chain of literals and other values as a template: the
// literals kept, each other value a placeholder.
func joined(e ast.Expr) (string, bool) {
	var parts []ast.Expr
	var flat func(ast.Expr)
	flat = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == gotoken.ADD {
			flat(b.X)
			flat(b.Y)
			return
		}
		parts = append(parts, e)
	}
	flat(e)
	var sb strings.Builder
	n, lits := 0, 0
	for _, p := range parts {
		if s, ok := literal(p); ok {
			sb.WriteString(s)
			lits++
			continue
		}
		n++
		sb.WriteString("{" + strconv.Itoa(n) + "}")
	}
	return sb.String(), lits > 0
}

// formatOf is a literal's text, or the format of a fmt.Sprintf call.
func formatOf(e ast.Expr) (string, bool) {
	if call, ok := e.(*ast.CallExpr); ok && exprName(call.Fun) == "fmt.Sprintf" && len(call.Args) > 0 {
		return formatOf(call.Args[0])
	}
	if s, ok := joined(e); ok && !strings.Contains(s, "{1}") {
		return s, true // literals joined with +
	}
	return literal(e)
}

func literal(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != gotoken.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// template turns a format's verbs into numbered placeholders.
func template(format string) string {
	i := 0
	return verb.ReplaceAllStringFunc(format, func(string) string { i++; return "{" + strconv.Itoa(i) + "}" })
}

// Every message the code writes for people is in every language's
// catalog, with the same placeholders, and no catalog keeps a message the
// code no longer writes.
func TestServerMessagesInEveryLanguage(t *testing.T) {
	want := serverMessages(t)
	if len(want) < 150 {
		t.Fatalf("found only %d messages in the code: is the scan broken?", len(want))
	}
	inCode := map[string]bool{}
	for _, m := range want {
		inCode[m] = true
	}
	for _, tag := range msgLangs[1:] {
		lang := tag.String()
		b, err := localeFiles.ReadFile("locales/" + lang + ".json")
		if err != nil {
			t.Errorf("%s: no catalog: %v", lang, err)
			continue
		}
		var cat map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, m := range want {
			tr, ok := cat[m]
			switch {
			case !ok:
				t.Errorf("%s lacks %q", lang, m)
			case holes(tr) != holes(m):
				t.Errorf("%s: %q has placeholders %s, the English %s", lang, tr, holes(tr), holes(m))
			case tr == m && regexp.MustCompile(`\pL{4,}`).MatchString(m):
				t.Errorf("%s: %q is not translated", lang, m)
			}
		}
		for m := range cat {
			if !inCode[m] {
				t.Errorf("%s has %q, which the code no longer writes", lang, m)
			}
		}
	}
}

func holes(s string) string {
	h := hole.FindAllString(s, -1)
	sort.Strings(h)
	return strings.Join(h, "")
}

// say fills a translation's placeholders from the English message, keeps
// context put before a known message, and leaves unknown ones alone.
func TestSayTranslatesAtTheEdge(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	de := cats["de"]
	if de == nil {
		t.Fatal("no German catalog")
	}
	tmpl := "photo {1} would be taken at {2}, outside years 1 to 9999; nothing was changed"
	msg := "photo 42 would be taken at 10000-01-01 00:00:00, outside years 1 to 9999; nothing was changed"
	got := say("de", msg)
	if got == msg || !strings.Contains(got, "42") || !strings.Contains(got, "10000-01-01 00:00:00") {
		t.Errorf("say(de, %q) = %q: want the German of %q with 42 and the date in it", msg, got, tmpl)
	}
	if got := say("de", "upload a.jpg: "+"wrong user name or password"); !strings.HasPrefix(got, "upload a.jpg: ") || strings.HasSuffix(got, "password") {
		t.Errorf("context before a known message: %q", got)
	}
	if got := say("de", "something no catalog has"); got != "something no catalog has" {
		t.Errorf("unknown message changed: %q", got)
	}
	if got := say("en", "wrong user name or password"); got != "wrong user name or password" {
		t.Errorf("English changed: %q", got)
	}
}

// readerLanguage picks the best of Accept-Language that the server speaks.
func TestReaderLanguage(t *testing.T) {
	for al, want := range map[string]string{
		"":                                "en",
		"de-DE,de;q=0.9,en;q=0.8":         "de",
		"pt-BR":                           "pt",
		"ja,fr;q=0.5":                     "fr",
		"ja":                              "en",
		"en-GB,de;q=0.3":                  "en",
		"nl-BE":                           "nl",
		"x;;;=garbage,,":                  "en",
		strings.Repeat("de-DE,", 200):     "en",
		"es-419,es;q=0.9,it;q=0.8":        "es",
		"it-CH;q=0.9, fr-CH;q=1.0, *;q=0": "fr",
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", al)
		if got := readerLanguage(r); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", al, got, want)
		}
	}
	// The language chosen in the app's settings wins; a cookie naming a
	// language the server lacks is ignored.
	for ck, want := range map[string]string{"it": "it", "en": "en", "xx": "de", "../etc": "de"} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", "de-DE")
		r.AddCookie(&http.Cookie{Name: "pinhole_lang", Value: ck})
		if got := readerLanguage(r); got != want {
			t.Errorf("cookie %q, Accept-Language de-DE: %s, want %s", ck, got, want)
		}
	}
}

// A message inside another is translated too: the watcher's "originals
// folder unavailable: …" inside the index's "… — is the drive mounted?".
func TestSayNested(t *testing.T) {
	msg := "originals folder unavailable: stat /mnt/nas: no such file or directory — is the drive mounted? Nothing was marked missing."
	got := say("fr", msg)
	cats, _ := loadCatalogs()
	inner, _ := cats["fr"].translate("originals folder unavailable: stat /mnt/nas: no such file or directory")
	if got == msg || !strings.HasPrefix(got, inner) || !strings.Contains(inner, "stat /mnt/nas: no such file or directory") || inner == "originals folder unavailable: stat /mnt/nas: no such file or directory" {
		t.Errorf("say(fr, %q) = %q (inner %q)", msg, got, inner)
	}
}

// A string field tagged say:"true" is translated in an answer (the status
// document's root problem, the watcher's reason); its untagged
// neighbours are left as they are.
func TestSayTaggedFields(t *testing.T) {
	type watcher struct {
		Mode   string `json:"mode"`
		Reason string `json:"reason" say:"true"`
	}
	type status struct {
		RootProblem string             `json:"root_problem" say:"true"`
		Watcher     watcher            `json:"watcher"`
		Extra       map[string]watcher `json:"extra"`
	}
	const why = "out of inotify watches: raise fs.inotify.max_user_watches (sysctl); rescanning periodically instead"
	st := &status{RootProblem: "originals folder unavailable: stat /x: no such file or directory", Watcher: watcher{Mode: "polling", Reason: why},
		Extra: map[string]watcher{"a": {Mode: "polling", Reason: why}}}
	sayProblems("nl", reflect.ValueOf(st))
	if !strings.HasSuffix(st.RootProblem, "stat /x: no such file or directory") || strings.HasPrefix(st.RootProblem, "originals") {
		t.Errorf("root problem in Dutch: %q", st.RootProblem)
	}
	if st.Watcher.Reason == why || st.Watcher.Mode != "polling" || st.Extra["a"].Reason == why || st.Extra["a"].Mode != "polling" {
		t.Errorf("watcher in Dutch: %+v %+v", st.Watcher, st.Extra)
	}
}
