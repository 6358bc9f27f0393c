package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// Client is one caller of a Pinhole server under test. A Client with no
// credentials is anonymous; Bearer, or a session Cookie with its CSRF
// token, make it someone. Its methods fail the test (T) on errors that
// are no answer at all.
type Client struct {
	T    testing.TB
	Base string // the server's root URL: "http://127.0.0.1:8077"
	// HTTP sends the requests; nil is a client with a 30 s timeout.
	HTTP *http.Client

	Bearer string
	// Cookie is the session cookie; CSRF, the token the login answered
	// with, goes with it in the X-CSRF-Token header, as the web app sends
	// it. Bearer clients need no CSRF token and send none.
	Cookie *http.Cookie
	CSRF   string

	ThumbToken string // the thumbnail URL token the login answered with
	UserID     int64
	Role       string // who this is, for failure messages
}

// Session is what POST /api/v1/session answers.
type Session struct {
	Token      string `json:"token"`
	CSRF       string `json:"csrf_token"`
	ThumbToken string `json:"thumb_token"`
	User       struct {
		ID   int64  `json:"id"`
		Name string `json:"username"`
		Role string `json:"role"`
	} `json:"user"`
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Login logs user in at the server at base as a bearer client (the CLI's
// and scripts' way).
func Login(tb testing.TB, base, user, password string) *Client {
	tb.Helper()
	anon := &Client{T: tb, Base: base}
	var s Session
	anon.Do("POST", "/api/v1/session", map[string]any{"username": user, "password": password, "bearer": true}, 200, &s)
	if s.Token == "" {
		tb.Fatalf("login as %s answered no token", user)
	}
	return &Client{T: tb, Base: base, Bearer: s.Token, CSRF: s.CSRF, ThumbToken: s.ThumbToken, UserID: s.User.ID, Role: s.User.Role}
}

// LoginCookie logs user in as the web app does: the session is the cookie
// named cookie, and writes carry the CSRF token.
func LoginCookie(tb testing.TB, base, user, password, cookie string) *Client {
	tb.Helper()
	anon := &Client{T: tb, Base: base}
	var s Session
	resp := anon.Do("POST", "/api/v1/session", map[string]any{"username": user, "password": password}, 200, &s)
	c := &Client{T: tb, Base: base, CSRF: s.CSRF, ThumbToken: s.ThumbToken, UserID: s.User.ID, Role: s.User.Role}
	for _, ck := range resp.Cookies() {
		if ck.Name == cookie {
			c.Cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if c.Cookie == nil {
		tb.Fatalf("login as %s set no %s cookie", user, cookie)
	}
	return c
}

// Request sends one request and returns the answer, whatever its status;
// the caller closes its body. body is nil, an io.Reader (sent as it is:
// set its Content-Type in header), a string of JSON, or a value sent as
// JSON.
func (c *Client) Request(method, path string, body any, header http.Header) *http.Response {
	c.T.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		js, err := json.Marshal(b)
		if err != nil {
			c.T.Fatalf("%s %s: encode body: %v", method, path, err)
		}
		rd, ct = bytes.NewReader(js), "application/json"
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	if c.Cookie != nil {
		req.AddCookie(c.Cookie)
		if c.CSRF != "" {
			req.Header.Set("X-CSRF-Token", c.CSRF)
		}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// Send sends one request and returns the status and the whole body,
// asserting nothing: for loops that accept several answers.
func (c *Client) Send(method, path string, body any) (int, []byte) {
	c.T.Helper()
	resp := c.Request(method, path, body, nil)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatalf("%s %s: read answer: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// Do sends one request, fails the test unless the status is want (the
// message has the answer's body, which says why), and decodes the JSON
// answer into out unless it is nil. The returned response's body has been
// read and closed; its headers and cookies are there to check.
func (c *Client) Do(method, path string, body any, want int, out any) *http.Response {
	c.T.Helper()
	resp := c.Request(method, path, body, nil)
	what := method + " " + path
	if c.Role != "" {
		what += fmt.Sprintf(" as %q", c.Role)
	}
	check(c.T, what, resp, want, out)
	return resp
}

// Get is Do for a GET.
func (c *Client) Get(path string, want int, out any) *http.Response {
	c.T.Helper()
	return c.Do("GET", path, nil, want, out)
}

// Decode reads and closes resp's body, fails the test unless the status is
// want (with the body in the message), and decodes the JSON answer into
// out unless it is nil.
func Decode(tb testing.TB, resp *http.Response, want int, out any) {
	tb.Helper()
	what := ""
	if resp.Request != nil {
		what = resp.Request.Method + " " + resp.Request.URL.RequestURI()
	}
	check(tb, what, resp, want, out)
}

func check(tb testing.TB, what string, resp *http.Response, want int, out any) {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s: read answer: %v", what, err)
	}
	if resp.StatusCode != want {
		tb.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s: decode %s: %v", what, b, err)
		}
	}
}

// Multipart is an upload's body as the web app sends it: one "files" part
// per name → content pair. It returns the body and its Content-Type.
func Multipart(files ...[2]string) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, f[0]))
		h.Set("Content-Type", "application/octet-stream")
		p, err := w.CreatePart(h)
		if err != nil {
			panic(err) // writing to memory does not fail
		}
		p.Write([]byte(f[1]))
	}
	w.Close()
	return &b, w.FormDataContentType()
}
