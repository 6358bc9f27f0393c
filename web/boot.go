package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// bootPhotosPage is the first timeline page the web app asks for (grid.jsx
// asks for it alongside the month counts); it must match that request
// exactly, or the app fetches it again.
const bootPhotosPage = "/photos?limit=120"

// bootData is the JSON inlined into index.html so the web app can draw its
// first screen without waiting for its own requests: the thumbnail size
// table and whether setup is needed for everyone, and for a caller with a
// valid session cookie the answers the app would ask for first — its
// session (CSRF and thumbnail tokens included: they are the caller's own)
// and, on the library page, the month counts, the newest photos and
// today's memories. The
// answers come from the API handlers themselves, so they are exactly what
// the app would have fetched:
//
//	{"thumb_sizes":[…],"setup_required":false,
//	 "api":{"/session":{…},"/photos/months":{…},"/photos?limit=120":{…},
//	        "/memories?date=2025-06-14":{…}}}
//
// An expired or revoked session is no session here (identify drops it),
// so its page carries nothing personal.
func (s *Server) bootData(c echo.Context) []byte {
	ctx := c.Request().Context()
	b := map[string]any{"thumb_sizes": thumbSizes}
	if n, err := s.deps.DB.CountUsers(ctx); err == nil {
		b["setup_required"] = n == 0
	}
	cl := callerOf(c)
	p := path.Clean("/" + c.Request().URL.Path)
	// Share links are for visitors: their page never asks for a session.
	if cl.session != nil && cl.viaCookie && !strings.HasPrefix(p, "/s/") {
		calls := map[string]echo.HandlerFunc{"/session": s.currentSession}
		// A session that must set up two-factor sign-in first gets
		// nothing else (the handlers are called without the route rules).
		must, err := s.auth.MustEnrolTOTP(ctx, *cl.session)
		if p == "/" && err == nil && !must {
			calls["/photos/months"] = s.photoMonths
			calls[bootPhotosPage] = s.listPhotos
			calls[memoriesPath(time.Now())] = s.memories // the cards above the timeline
		}
		answers := map[string]json.RawMessage{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for target, h := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if raw, ok := s.answerOf(c, target, h); ok {
					mu.Lock()
					answers[target] = raw
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// Without the session the app starts by asking for it anyway.
		if _, ok := answers["/session"]; ok {
			b["api"] = answers
		}
	}
	out, err := json.Marshal(b)
	if err != nil {
		s.log.Warn("boot data", "err", err)
		return nil
	}
	return escapeScriptJSON(out)
}

// answerOf runs an API handler for target (a path under /api/v1 with its
// query) on behalf of c's caller and returns its JSON answer, or false
// when it did not answer 200.
func (s *Server) answerOf(c echo.Context, target string, h echo.HandlerFunc) (json.RawMessage, bool) {
	u, err := url.Parse("/api/v1" + target)
	if err != nil {
		return nil, false
	}
	req := c.Request().Clone(c.Request().Context())
	req.Method = http.MethodGet
	req.URL = u
	req.RequestURI = u.RequestURI()
	req.Body = http.NoBody
	req.Header.Del("Accept-Encoding")
	rec := &bufferedResponse{header: http.Header{}, code: http.StatusOK}
	ic := s.e.NewContext(req, rec)
	ic.Set("caller", callerOf(c))
	if err := h(ic); err != nil || rec.code != http.StatusOK {
		if err != nil {
			s.log.Debug("boot data", "target", target, "err", err)
		}
		return nil, false
	}
	body := bytes.TrimSpace(rec.body.Bytes())
	if !json.Valid(body) {
		return nil, false
	}
	return body, true
}

// bufferedResponse keeps a handler's answer in memory.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *bufferedResponse) Header() http.Header         { return r.header }
func (r *bufferedResponse) WriteHeader(code int)        { r.code = code }
func (r *bufferedResponse) Write(b []byte) (int, error) { return r.body.Write(b) }

// escapeScriptJSON makes JSON safe inside a <script> element: no "<" can
// close the element or open a comment, no "&" or ">" can be read as markup,
// and U+2028/U+2029 are escaped for older JavaScript parsers. These
// characters can only appear inside JSON strings, where the \u escapes
// mean the same.
func escapeScriptJSON(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	for _, r := range string(b) {
		switch r {
		case '<':
			out.WriteString(`\u003c`)
		case '>':
			out.WriteString(`\u003e`)
		case '&':
			out.WriteString(`\u0026`)
		case '\u2028':
			out.WriteString(`\u2028`)
		case '\u2029':
			out.WriteString(`\u2029`)
		default:
			out.WriteRune(r)
		}
	}
	return out.Bytes()
}
