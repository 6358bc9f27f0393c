package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"pinhole/db"
)

// The server's messages in the reader's language. The code writes its
// messages in English, as it always has; at the edge, where an error
// becomes an answer (handleError), the message is looked up in the
// reader's catalog: web/locales/<lang>.json maps each English template
// ({1}, {2} for what the code filled in) to its translation. The catalog
// is gettext's model: the English is the key, so a message without a
// translation still reads well. web/messages_scan_test.go lists the
// messages the code writes and fails when a language lacks one.

//go:embed locales/*.json
var localeFiles embed.FS

// msgLangs are the languages the server speaks, English first (the
// fallback); the web app offers the same (web/ui/src/i18n.js).
var msgLangs = []language.Tag{language.English, language.German, language.French, language.Spanish, language.Italian, language.Dutch, language.Portuguese}

var langMatcher = language.NewMatcher(msgLangs)

type msgPattern struct {
	re      *regexp.Regexp
	holes   []int // placeholder number of each capture group
	to      string
	literal int // length of the template's fixed text: longer tries first
}

type msgCatalog struct {
	exact    map[string]string
	patterns []msgPattern
}

var (
	catalogsOnce sync.Once
	catalogs     map[string]*msgCatalog
	catalogsErr  error
)

var hole = regexp.MustCompile(`\{(\d+)\}`)

// loadCatalogs reads the embedded catalogs once.
func loadCatalogs() (map[string]*msgCatalog, error) {
	catalogsOnce.Do(func() {
		catalogs = map[string]*msgCatalog{}
		files, err := localeFiles.ReadDir("locales")
		if err != nil {
			catalogsErr = err
			return
		}
		for _, f := range files {
			b, err := localeFiles.ReadFile("locales/" + f.Name())
			if err != nil {
				catalogsErr = err
				return
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				catalogsErr = fmt.Errorf("locales/%s: %w", f.Name(), err)
				return
			}
			catalogs[strings.TrimSuffix(f.Name(), path.Ext(f.Name()))] = compileCatalog(m)
		}
	})
	return catalogs, catalogsErr
}

func compileCatalog(m map[string]string) *msgCatalog {
	c := &msgCatalog{exact: map[string]string{}}
	for from, to := range m {
		if !hole.MatchString(from) {
			c.exact[from] = to
			continue
		}
		p := msgPattern{to: to}
		var re strings.Builder
		re.WriteString("^")
		last := 0
		for _, h := range hole.FindAllStringSubmatchIndex(from, -1) {
			re.WriteString(regexp.QuoteMeta(from[last:h[0]]))
			p.literal += h[0] - last
			re.WriteString("(.+?)")
			n, _ := strconv.Atoi(from[h[2]:h[3]])
			p.holes = append(p.holes, n)
			last = h[1]
		}
		re.WriteString(regexp.QuoteMeta(from[last:]))
		p.literal += len(from) - last
		re.WriteString("$")
		p.re = regexp.MustCompile(re.String())
		c.patterns = append(c.patterns, p)
	}
	sort.Slice(c.patterns, func(i, j int) bool { return c.patterns[i].literal > c.patterns[j].literal })
	return c
}

// translate gives one whole message in the catalog's language, or false.
func (c *msgCatalog) translate(msg string) (string, bool) {
	if s, ok := c.exact[msg]; ok {
		return s, true
	}
	for _, p := range c.patterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		vals := map[string]string{}
		for i, n := range p.holes {
			// What the code filled in may be a message of its own ("originals
			// folder unavailable: …" inside "… — is the drive mounted?").
			if s, ok := c.translate(m[i+1]); ok {
				vals[strconv.Itoa(n)] = s
			} else {
				vals[strconv.Itoa(n)] = m[i+1]
			}
		}
		return hole.ReplaceAllStringFunc(p.to, func(h string) string { return vals[h[1:len(h)-1]] }), true
	}
	return "", false
}

// say puts an English message into lang. A message the catalog lacks as
// a whole may be context put before one it has ("upload a.jpg: …"): the
// known part is translated and the context kept.
func say(lang, msg string) string {
	cats, err := loadCatalogs()
	if err != nil || lang == "en" {
		return msg
	}
	c := cats[lang]
	if c == nil {
		return msg
	}
	if s, ok := c.translate(msg); ok {
		return s
	}
	for i := strings.Index(msg, ": "); i >= 0; {
		if s, ok := c.translate(msg[i+2:]); ok {
			return msg[:i+2] + s
		}
		j := strings.Index(msg[i+2:], ": ")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return msg
}

// readerLanguage is the language to answer r in: the one chosen in the
// web app's settings (its pinhole_lang cookie), else the best match of
// Accept-Language among the languages the server speaks, else English.
func readerLanguage(r *http.Request) string {
	if ck, err := r.Cookie("pinhole_lang"); err == nil {
		for _, t := range msgLangs {
			if b, _ := t.Base(); b.String() == ck.Value {
				return ck.Value
			}
		}
	}
	al := r.Header.Get("Accept-Language")
	if al == "" || len(al) > 512 {
		return "en"
	}
	prefs, _, err := language.ParseAcceptLanguage(al)
	if err != nil || len(prefs) == 0 {
		return "en"
	}
	_, i, conf := langMatcher.Match(prefs...)
	if conf == language.No {
		return "en"
	}
	base, _ := msgLangs[i].Base()
	return base.String()
}

// readersJSON writes JSON answers as echo does, with what is wrong with a
// file (db.FileProblem: a tile's words, the Problems screen) put into the
// reader's language first. English answers are written untouched.
type readersJSON struct{ echo.DefaultJSONSerializer }

func (j readersJSON) Serialize(c echo.Context, i any, indent string) error {
	if lang := readerLanguage(c.Request()); lang != "en" && i != nil {
		v := reflect.ValueOf(i)
		if v.Kind() == reflect.Struct && mayHoldProblem(v.Type()) {
			// An answer passed by value: translate a copy that can change.
			cp := reflect.New(v.Type()).Elem()
			cp.Set(v)
			sayProblems(lang, cp)
			i = cp.Interface()
		} else {
			sayProblems(lang, v)
		}
	}
	return j.DefaultJSONSerializer.Serialize(c, i, indent)
}

// problemTypes are the types that say what is wrong with a file: their
// Reason, Detail and Fix are read by people.
var problemTypes = map[reflect.Type]bool{reflect.TypeFor[db.FileProblem](): true, reflect.TypeFor[visitorProblem](): true,
	reflect.TypeFor[uploadsInfo](): true} // why uploads are off

// sayProblems finds the file problems in an answer and translates them in
// place. Answers are built for one request, so changing them is safe.
func sayProblems(lang string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			sayProblems(lang, v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		// A string field tagged say:"true" (the status document's root
		// problem, the watcher's reason) is a sentence for people too.
		for i := 0; i < v.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && f.Type.Kind() == reflect.String && f.Tag.Get("say") == "true" && v.Field(i).CanSet() {
				v.Field(i).SetString(say(lang, v.Field(i).String()))
			}
		}
		if problemTypes[t] {
			for _, name := range []string{"Reason", "Detail", "Fix"} {
				if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String && f.CanSet() {
					f.SetString(say(lang, f.String()))
				}
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				sayProblems(lang, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		// Only element types that can hold a problem are walked: a page of
		// photos is, a slice of ids is not.
		if !mayHoldProblem(v.Type().Elem()) {
			return
		}
		for i := 0; i < v.Len(); i++ {
			sayProblems(lang, v.Index(i))
		}
	case reflect.Map:
		if !mayHoldProblem(v.Type().Elem()) {
			return
		}
		// A struct kept in a map by value cannot be changed where it is:
		// it is translated as a copy and put back.
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			inner := e
			if inner.Kind() == reflect.Interface && !inner.IsNil() {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct && mayHoldProblem(inner.Type()) {
				cp := reflect.New(inner.Type()).Elem()
				cp.Set(inner)
				sayProblems(lang, cp)
				v.SetMapIndex(k, cp)
				continue
			}
			sayProblems(lang, e)
		}
	}
}

var holdsProblem sync.Map // reflect.Type → bool

// mayHoldProblem reports whether a value of type t can reach one of
// problemTypes (interfaces may hold anything).
func mayHoldProblem(t reflect.Type) bool {
	if v, ok := holdsProblem.Load(t); ok {
		return v.(bool)
	}
	holdsProblem.Store(t, false) // a type that refers to itself: no answer from the cycle
	var r bool
	switch t.Kind() {
	case reflect.Interface:
		r = true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		r = mayHoldProblem(t.Elem())
	case reflect.Struct:
		r = problemTypes[t]
		for i := 0; i < t.NumField() && !r; i++ {
			f := t.Field(i)
			r = f.IsExported() && (f.Tag.Get("say") == "true" || mayHoldProblem(f.Type))
		}
	}
	holdsProblem.Store(t, r)
	return r
}
