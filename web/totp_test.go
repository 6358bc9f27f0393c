package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/web"
)

// now is the server's clock (the database's), which judges codes.
func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.clock.Load())) }

// code is what an authenticator app shows for secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nextStep moves the server's clock to the start of the next 30-second
// step, so a fresh code exists.
func (e *env) nextStep() {
	n := e.now()
	e.advance(time.Duration(30-n.Unix()%30)*time.Second + 10*time.Millisecond)
}

// beginTOTP starts a set-up for c's user and returns the secret.
func (e *env) beginTOTP(c client) string {
	e.t.Helper()
	var en struct{ Secret string }
	e.do(c, "POST", "/api/v1/account/totp", nil, 200, &en)
	return en.Secret
}

// enrol turns two-factor sign-in on for c's user and returns the secret
// and the recovery codes.
func (e *env) enrol(c client) (string, []string) {
	e.t.Helper()
	var en struct{ Secret, URI, QR string }
	e.do(c, "POST", "/api/v1/account/totp", nil, 200, &en)
	var out struct {
		Codes []string `json:"recovery_codes"`
	}
	e.do(c, "PUT", "/api/v1/account/totp", map[string]any{"code": code(e.t, en.Secret, e.now())}, 200, &out)
	return en.Secret, out.Codes
}

type pending struct {
	TOTPRequired bool   `json:"totp_required"`
	PendingToken string `json:"pending_token"`
	ExpiresAt    string `json:"expires_at"`
	Token        string `json:"token"`
}

// password signs name in with the password as c (an address); the
// answer asks for the second step.
func (e *env) password(c client, name string) pending {
	e.t.Helper()
	var p pending
	resp := e.do(c, "POST", "/api/v1/session", map[string]any{"username": name, "password": testPassword, "bearer": true}, 200, &p)
	if !p.TOTPRequired || len(p.PendingToken) < 43 || p.Token != "" || len(resp.Cookies()) != 0 {
		e.t.Fatalf("password step answered %+v with cookies %v: want a pending second step only", p, resp.Cookies())
	}
	return p
}

// second sends the second step and returns the status and the answer.
func (e *env) second(c client, p pending, code string) (int, map[string]any) {
	e.t.Helper()
	var out map[string]any
	resp := e.request(c, "POST", "/api/v1/session/totp", map[string]any{"pending_token": p.PendingToken, "code": code, "bearer": true}, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_ = jsonUnmarshal(b, &out)
	return resp.StatusCode, out
}

var recoveryShape = regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)

// Enrol (QR code, secret as text, confirmed by a code), then sign in with
// the password and a code; the code that confirmed the enrolment, and a
// code used to sign in, are refused the second time.
func TestTOTPEnrolAndSignIn(t *testing.T) {
	e := newEnv(t, nil)
	var st auth.TOTPStatus
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if st.Enabled {
		t.Fatal("two-factor sign-in on from the start")
	}
	var en struct{ Secret, URI, QR string }
	resp := e.do(e.user, "POST", "/api/v1/account/totp", nil, 200, &en)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the secret's answer may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	key, err := otp.NewKeyFromURL(en.URI)
	if err != nil || key.Secret() != en.Secret || key.Issuer() != "Pinhole" || key.AccountName() != "user" || key.Period() != 30 {
		t.Fatalf("otpauth URI %q (%v)", en.URI, err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(en.QR, "data:image/png;base64,"))
	if err != nil || !strings.HasPrefix(en.QR, "data:image/png;base64,") {
		t.Fatalf("QR %.40q: %v", en.QR, err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 240 || img.Bounds().Dy() != 240 {
		t.Fatalf("QR image: %v %v", img.Bounds(), err)
	}
	// Not on until a code confirms it: a wrong one does not.
	e.do(e.user, "PUT", "/api/v1/account/totp", map[string]any{"code": "000000"}, 400, nil)
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if st.Enabled {
		t.Fatal("on after a wrong code")
	}
	if _, err := e.db.TOTPOf(context.Background(), e.user.userID); err != nil {
		t.Fatal(err)
	}
	first := code(t, en.Secret, e.now())
	var out struct {
		Codes []string `json:"recovery_codes"`
	}
	e.do(e.user, "PUT", "/api/v1/account/totp", map[string]any{"code": first}, 200, &out)
	seen := map[string]bool{}
	for _, c := range out.Codes {
		if !recoveryShape.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q (repeated: %v)", c, seen[c])
		}
		seen[c] = true
	}
	if len(out.Codes) != 10 {
		t.Errorf("%d recovery codes, want 10", len(out.Codes))
	}
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if !st.Enabled || st.RecoveryLeft != 10 {
		t.Errorf("status %+v", st)
	}
	// Enrolling again while on is refused (turn it off first).
	e.do(e.user, "POST", "/api/v1/account/totp", nil, 409, nil)

	// The password alone opens no session now.
	p := e.password(client{}, "user")
	// The enrolment's own code was used: refused.
	if code, out := e.second(client{}, p, first); code != 401 || !strings.Contains(out["error"].(string), "used already") {
		t.Errorf("the enrolment's code again: %d %v", code, out)
	}
	e.nextStep()
	now := code(t, en.Secret, e.now())
	status, s := e.second(client{}, p, now)
	tok, _ := s["token"].(string)
	if status != 200 || tok == "" || s["method"] != "password" {
		t.Fatalf("second step: %d %v", status, s)
	}
	e.do(client{bearer: tok}, "GET", "/api/v1/photos", nil, 200, nil)
	// The pending sign-in is spent, and so is the code.
	if code, _ := e.second(client{}, p, now); code != 401 {
		t.Errorf("a spent pending sign-in answered %d", code)
	}
	p2 := e.password(client{}, "user")
	if code, out := e.second(client{}, p2, now); code != 401 || !strings.Contains(out["error"].(string), "used already") {
		t.Errorf("a code used to sign in, again: %d %v", code, out)
	}
	// Even an older code than the last one used is refused.
	if code, _ := e.second(client{}, p2, code(t, en.Secret, e.now().Add(-30*time.Second))); code != 401 {
		t.Errorf("an older code: %d", code)
	}
	// A pending sign-in lasts five minutes.
	e.nextStep()
	later := code(t, en.Secret, e.now().Add(6*time.Minute))
	e.advance(6 * time.Minute)
	if code, out := e.second(client{}, p2, later); code != 401 || !strings.Contains(out["error"].(string), "password again") || out["code"] != "sign_in_expired" {
		t.Errorf("a pending sign-in after 6 minutes: %d %v", code, out)
	}
}

// Two sign-ins racing with one code: one gets in.
func TestTOTPCodeRaceLetsOneIn(t *testing.T) {
	e := newEnv(t, nil)
	secret, _ := e.enrol(e.user)
	e.nextStep()
	c := code(t, secret, e.now())
	ps := make([]pending, 8)
	for i := range ps {
		ps[i] = e.password(client{}, "user")
	}
	var wg sync.WaitGroup
	codes := make([]int, len(ps))
	for i := range ps {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i], _ = e.second(client{}, ps[i], c) }()
	}
	wg.Wait()
	ok := 0
	for _, s := range codes {
		if s == 200 {
			ok++
		} else if s != 401 {
			t.Errorf("status %d", s)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d racing sign-ins got in with one code, want 1 (%v)", ok, len(ps), codes)
	}
}

// Wrong codes are limited per user and address: a pending sign-in dies
// after five, an address after ten for the user, and addresses that never
// signed in as the user after ten together; the owner's own address
// still gets in.
func TestTOTPWrongCodesAreLimited(t *testing.T) {
	e := newEnv(t, nil)
	secret, _ := e.enrol(e.user)
	thief := client{via: from(t, "127.0.0.2")}
	p := e.password(thief, "user")
	for i := range 5 {
		if code, _ := e.second(thief, p, "11111"+string(rune('0'+i))); code != 401 {
			t.Fatalf("wrong code %d: %d", i, code)
		}
	}
	e.nextStep()
	if code, out := e.second(thief, p, code(t, secret, e.now())); code != 401 || !strings.Contains(out["error"].(string), "password again") {
		t.Errorf("after five wrong codes the pending sign-in should be gone: %d %v", code, out)
	}
	p = e.password(thief, "user")
	for i := range 5 {
		e.second(thief, p, "22222"+string(rune('0'+i)))
	}
	p = e.password(thief, "user")
	e.nextStep()
	resp := e.request(thief, "POST", "/api/v1/session/totp", map[string]any{"pending_token": p.PendingToken, "code": code(t, secret, e.now())}, nil)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after ten wrong codes from one address, the right one: %d, want 429 with Retry-After", resp.StatusCode)
	}
	// Another address that never signed in as the user: the user's
	// budget for strangers is spent too.
	other := client{via: from(t, "127.0.0.4")}
	p = e.password(other, "user")
	if code, _ := e.second(other, p, code(t, secret, e.now())); code != 429 {
		t.Errorf("a new address after ten wrong codes for the user: %d, want 429", code)
	}
	// The owner's own address (newEnv signed the user in from it) is not
	// slowed by others' guesses.
	p = e.password(client{}, "user")
	if code, out := e.second(client{}, p, code(t, secret, e.now())); code != 200 {
		t.Errorf("the owner: %d %v", code, out)
	}
}

// A recovery code signs in once, typed as shown or not.
func TestTOTPRecoveryCodeWorksOnce(t *testing.T) {
	e := newEnv(t, nil)
	_, codes := e.enrol(e.user)
	// As read from paper: upper case, spaces, and an l typed as 1.
	typed := strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(codes[3], "-", " "), "l", "1"))
	if status, out := e.second(client{}, e.password(client{}, "user"), typed); status != 200 {
		t.Fatalf("recovery code: %d %v", status, out)
	}
	if status, _ := e.second(client{}, e.password(client{}, "user"), codes[3]); status != 401 {
		t.Errorf("a used recovery code: %d", status)
	}
	var st auth.TOTPStatus
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if st.RecoveryLeft != 9 {
		t.Errorf("%d recovery codes left, want 9", st.RecoveryLeft)
	}
}

// Admins can require two factors for a role: that role's password
// sessions without it may only set it up (their open sessions too), and
// get no thumbnail token until then.
func TestTOTPRequiredForARole(t *testing.T) {
	e := newEnv(t, withUI)
	e.do(e.admin, "PUT", "/api/v1/settings/totp", map[string]any{"required_roles": []string{"nobody"}}, 400, nil)
	var set struct {
		Roles []string `json:"required_roles"`
	}
	e.do(e.admin, "PUT", "/api/v1/settings/totp", map[string]any{"required_roles": []string{"user", "user"}}, 200, &set)
	if len(set.Roles) != 1 || set.Roles[0] != "user" {
		t.Errorf("required roles %v", set.Roles)
	}
	e.do(e.admin, "GET", "/api/v1/settings/totp", nil, 200, &set)
	if len(set.Roles) != 1 {
		t.Errorf("stored roles %v", set.Roles)
	}
	// The user's open session is held at once; the viewer's is not.
	var out map[string]string
	e.do(e.user, "GET", "/api/v1/photos", nil, 403, &out)
	if !strings.Contains(out["error"], "two-factor") {
		t.Errorf("held session's refusal: %q", out["error"])
	}
	e.do(e.viewer, "GET", "/api/v1/photos", nil, 200, nil)
	var s map[string]any
	e.do(e.user, "GET", "/api/v1/session", nil, 200, &s)
	if s["totp_setup_required"] != true || s["thumb_token"] != nil {
		t.Errorf("held session answer %v", s)
	}
	// A new password sign-in is held the same way, and its page carries
	// no library in its boot data.
	fresh := e.login("user", false)
	e.do(fresh, "GET", "/api/v1/albums", nil, 403, nil)
	e.do(fresh, "POST", "/api/v1/albums", map[string]any{"title": "x"}, 403, nil)
	pg := e.page(fresh, "/")
	if len(pg.data.API) != 1 || !strings.Contains(string(pg.data.API["/session"]), `"totp_setup_required":true`) {
		t.Errorf("boot data of a held session: %s", pg.raw)
	}
	// Setting it up frees the same session.
	secret, _ := e.enrol(fresh)
	e.do(fresh, "GET", "/api/v1/albums", nil, 200, nil)
	e.do(e.user, "GET", "/api/v1/photos", nil, 200, nil)
	e.nextStep()
	p := e.password(client{}, "user")
	if status, _ := e.second(client{}, p, code(t, secret, e.now())); status != 200 {
		t.Errorf("second step after the set-up: %d", status)
	}
	// An admin can lift the rule.
	e.do(e.admin, "PUT", "/api/v1/settings/totp", map[string]any{"required_roles": []string{}}, 200, nil)
}

// An admin resets a user's two-factor sign-in (a lost phone); then the
// password is enough again.
func TestTOTPAdminReset(t *testing.T) {
	e := newEnv(t, nil)
	e.enrol(e.user)
	e.password(client{}, "user")
	e.do(e.admin, "DELETE", "/api/v1/users/999999/totp", nil, 404, nil)
	e.do(e.admin, "DELETE", "/api/v1/users/"+itoa(e.user.userID)+"/totp", nil, 204, nil)
	var st auth.TOTPStatus
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if st.Enabled || st.RecoveryLeft != 0 {
		t.Errorf("after the reset: %+v", st)
	}
	var s pending
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": testPassword, "bearer": true}, 200, &s)
	if s.TOTPRequired || s.Token == "" {
		t.Errorf("password after the reset: %+v", s)
	}
}

// Turning one's own two-factor sign-in off takes a code or the password.
func TestTOTPDisableNeedsACodeOrThePassword(t *testing.T) {
	e := newEnv(t, nil)
	secret, _ := e.enrol(e.user)
	e.do(e.user, "DELETE", "/api/v1/account/totp", map[string]any{}, 400, nil)
	e.do(e.user, "DELETE", "/api/v1/account/totp", map[string]any{"password": "not the password"}, 403, nil)
	e.do(e.user, "DELETE", "/api/v1/account/totp", map[string]any{"code": "123456"}, 403, nil)
	var st auth.TOTPStatus
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if !st.Enabled {
		t.Fatal("turned off without a right code or password")
	}
	e.nextStep()
	e.do(e.user, "DELETE", "/api/v1/account/totp", map[string]any{"code": code(t, secret, e.now())}, 204, nil)
	e.do(e.user, "GET", "/api/v1/account/totp", nil, 200, &st)
	if st.Enabled {
		t.Fatal("still on")
	}
	e.enrol(e.user)
	e.do(e.user, "DELETE", "/api/v1/account/totp", map[string]any{"password": testPassword}, 204, nil)
}

// The secret is sealed with the server key: the database holds no copy in
// clear, and a server with another key cannot check codes — recovery
// codes (hashed) still let the user in.
func TestTOTPSecretSealedWithTheServerKey(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { d.Keys = auth.EphemeralKeys() })
	secret, codes := e.enrol(e.user)
	st, err := e.db.TOTPOf(context.Background(), e.user.userID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Secret, "v1.") || strings.Contains(st.Secret, secret) {
		t.Errorf("stored secret %q", st.Secret)
	}
	other := web.New(web.Deps{DB: e.db, Keys: auth.EphemeralKeys(), Version: "test", SessionTTL: config.Defaults().SessionTTL})
	ts := httptest.NewServer(other.Handler())
	defer ts.Close()
	post := func(path string, body string) (int, string) {
		resp, err := http.Post(ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	login := func() string {
		_, b := post("/api/v1/session", `{"username":"user","password":"`+testPassword+`"}`)
		var p pending
		_ = jsonUnmarshal([]byte(b), &p)
		return p.PendingToken
	}
	e.nextStep()
	status, body := post("/api/v1/session/totp", `{"pending_token":"`+login()+`","code":"`+code(t, secret, e.now())+`"}`)
	if status != 401 || !strings.Contains(body, "server's key") {
		t.Errorf("a code with another server key: %d %s", status, body)
	}
	if status, body := post("/api/v1/session/totp", `{"pending_token":"`+login()+`","code":"`+codes[0]+`"}`); status != 200 {
		t.Errorf("a recovery code with another server key: %d %s", status, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
