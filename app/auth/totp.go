package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"pinhole/db"
)

// Two-factor sign-in with time-based one-time codes (RFC 6238: six
// digits, a new one every 30 seconds, SHA-1, the parameters every
// authenticator app understands). See docs/security.md, "Two-factor
// sign-in".
const (
	totpPeriod = 30
	// totpSkew accepts the code before and after the current one, for a
	// phone whose clock is a little off.
	totpSkew = 1
	// RecoveryCodeCount is how many recovery codes an enrolment gives.
	RecoveryCodeCount = 10
	// PendingLoginTTL is how long the second step may wait after the
	// password.
	PendingLoginTTL = 5 * time.Minute
	// pendingMaxWrong wrong codes end a pending sign-in: the password must
	// be given again (and pass its own limits) before more guesses.
	pendingMaxWrong = 5
	// TOTPUserLimit: wrong codes for one user from addresses that never
	// completed a sign-in as them, over LimitWindow; then such addresses
	// wait. The user's own addresses keep their PairLimit.
	TOTPUserLimit = 10
	// maxPendingLogins bounds the second steps waiting at once.
	maxPendingLogins = 10000
	// totpIssuer names the account in authenticator apps.
	totpIssuer = "Pinhole"
	// settingTOTPRoles is the settings key of the roles that must use
	// two-factor sign-in.
	settingTOTPRoles = "totp_required_roles"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Seal purposes, bound to the user so a sealed secret cannot be moved to
// another account.
func sealTOTP(userID int64) string        { return fmt.Sprintf("totp secret %d", userID) }
func sealTOTPPending(userID int64) string { return fmt.Sprintf("totp pending %d", userID) }

var (
	errWrongCode = fmt.Errorf("wrong code: %w", ErrUnauthorized)
	errUsedCode  = fmt.Errorf("that code was used already; wait for the next one: %w", ErrUnauthorized)
	// ErrSignInExpired: the password step's pending sign-in is gone (too
	// old, or used); the person starts again from the password.
	ErrSignInExpired = fmt.Errorf("the sign-in waited too long or was used; enter your password again: %w", ErrUnauthorized)
)

// pendingLogins are sign-ins whose password was right and whose second
// step is awaited, by the SHA-256 of their token. They live in memory:
// a restart asks for the password again, which costs a person seconds.
type pendingLogins struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*pendingLogin
}

type pendingLogin struct {
	userID  int64
	expires time.Time
	wrong   int
}

// startPending returns the token of a new second step for the user.
func (s *Service) startPending(userID int64) (string, time.Time) {
	tok := NewToken()
	now := s.now()
	p := &pendingLogin{userID: userID, expires: now.Add(PendingLoginTTL)}
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if s.pending.m == nil {
		s.pending.m = map[[sha256.Size]byte]*pendingLogin{}
	}
	for k, v := range s.pending.m {
		if !now.Before(v.expires) {
			delete(s.pending.m, k)
		}
	}
	if len(s.pending.m) >= maxPendingLogins {
		// Only right passwords make these; drop the one closest to expiry.
		var oldest [sha256.Size]byte
		var at time.Time
		for k, v := range s.pending.m {
			if at.IsZero() || v.expires.Before(at) {
				oldest, at = k, v.expires
			}
		}
		delete(s.pending.m, oldest)
	}
	s.pending.m[sha256.Sum256([]byte(tok))] = p
	return tok, p.expires
}

// pendingUser finds the live second step a token names.
func (s *Service) pendingUser(tok string) (int64, bool) {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	p, ok := s.pending.m[sha256.Sum256([]byte(tok))]
	if !ok || !s.now().Before(p.expires) {
		return 0, false
	}
	return p.userID, true
}

// endPending removes a second step (used, or too many wrong codes).
func (s *Service) endPending(tok string) {
	s.pending.mu.Lock()
	delete(s.pending.m, sha256.Sum256([]byte(tok)))
	s.pending.mu.Unlock()
}

// wrongPending counts a wrong code against a second step and ends it at
// pendingMaxWrong.
func (s *Service) wrongPending(tok string) {
	k := sha256.Sum256([]byte(tok))
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if p, ok := s.pending.m[k]; ok {
		if p.wrong++; p.wrong >= pendingMaxWrong {
			delete(s.pending.m, k)
		}
	}
}

// now is the clock of sign-in steps and codes: the database's, so tests
// move one clock.
func (s *Service) now() time.Time {
	if s.DB == nil {
		return time.Now()
	}
	return s.DB.Now()
}

// LoginTOTP is the second step of a password sign-in: the pending token
// from Login and a code from the authenticator app, or a recovery code.
// Wrong codes count against the user from this address (PairLimit), this
// address over everything (AddressLimit) and the user from addresses that
// never completed a sign-in as them (TOTPUserLimit); a code is good once.
func (s *Service) LoginTOTP(ctx context.Context, pending, code, ip, userAgent string) (Login, error) {
	if pending == "" || len(pending) > 200 {
		return Login{}, ErrSignInExpired
	}
	uid, ok := s.pendingUser(pending)
	if !ok {
		return Login{}, ErrSignInExpired
	}
	u, err := s.DB.UserByID(ctx, uid)
	if err != nil {
		return Login{}, err
	}
	if !u.TOTP { // reset by an admin meanwhile: the password was enough
		s.endPending(pending)
		return s.finishLogin(ctx, u, ip, userAgent)
	}
	known, err := s.DB.KnownLoginClient(ctx, u.ID, ip, s.now().Add(-KnownClientAge))
	if err != nil {
		return Login{}, err
	}
	pair := fmt.Sprintf("totp:%d|%s", u.ID, ip)
	userBudget := Budget{Key: fmt.Sprintf("totp:%d", u.ID), Max: TOTPUserLimit}
	if known {
		userBudget.Max = 0 // counted, but the owner's own address is not slowed by others' guesses
	}
	att, err := s.Limits.Reserve(Budget{Key: "ip:" + ip, Max: AddressLimit}, Budget{Key: pair, Max: PairLimit}, userBudget)
	if err != nil {
		return Login{}, err
	}
	if err := s.checkSecondFactor(ctx, u.ID, code); err != nil {
		if errors.Is(err, ErrUnauthorized) {
			att.Failed()
			s.wrongPending(pending)
		} else {
			att.Cancel()
		}
		return Login{}, err
	}
	att.Succeeded(pair)
	s.endPending(pending)
	return s.finishLogin(ctx, u, ip, userAgent)
}

// finishLogin opens the session of a completed password sign-in and
// makes the address one of the user's own.
func (s *Service) finishLogin(ctx context.Context, u db.User, ip, userAgent string) (Login, error) {
	if err := s.DB.RememberLoginClient(ctx, u.ID, ip); err != nil {
		return Login{}, err
	}
	return s.open(ctx, u, db.SignInPassword, ip, userAgent)
}

// checkSecondFactor accepts a current code of the user's authenticator
// (once) or one of their unused recovery codes (spending it). Wrong or
// used codes are ErrUnauthorized.
func (s *Service) checkSecondFactor(ctx context.Context, userID int64, code string) error {
	c := normalizeCode(code)
	if r := asRecoveryCode(c); r != "" {
		ok, err := s.DB.UseRecoveryCode(ctx, userID, HashToken(r))
		if err != nil {
			return err
		}
		if !ok {
			return errWrongCode
		}
		return nil
	}
	if !isTOTPCode(c) {
		return errWrongCode
	}
	st, err := s.DB.TOTPOf(ctx, userID)
	if err != nil {
		return err
	}
	secret, err := s.keys.Open(sealTOTP(userID), st.Secret)
	if err != nil {
		// The server key was replaced: the secret is lost. Recovery
		// codes (hashed, not sealed) still work; an admin can reset.
		return fmt.Errorf("this account's authenticator secret cannot be read with this server's key; use a recovery code or ask an admin to reset two-factor sign-in: %w", ErrUnauthorized)
	}
	step, ok := matchTOTP(secret, c, s.now())
	if !ok {
		return errWrongCode
	}
	fresh, err := s.DB.AcceptTOTPStep(ctx, userID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return errUsedCode
	}
	return nil
}

// normalizeCode drops spaces and dashes and lower-cases, so codes may be
// typed as they are shown ("123 456", "abcd-efgh-…").
func normalizeCode(c string) string {
	if len(c) > 64 {
		return ""
	}
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(c))
}

func isTOTPCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// recoveryEncoding writes recovery codes: lower-case base32, whose
// digits are 2–7 (no 0, 1 or 8 to mistake for o, l or b).
var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// asRecoveryCode is a normalized code as the recovery code it is meant
// to be, or "" when it cannot be one. Recovery codes have no 0, 1 or 8:
// typed from paper, those stand for o, l and b.
func asRecoveryCode(c string) string {
	if len(c) != 16 {
		return ""
	}
	c = strings.NewReplacer("0", "o", "1", "l", "8", "b").Replace(c)
	if _, err := recoveryEncoding.DecodeString(c); err != nil {
		return ""
	}
	return c
}

// newRecoveryCodes returns codes as shown ("abcd-efgh-ijkl-mnop", 80
// random bits each) and the hashes stored.
func newRecoveryCodes() (shown, hashes []string) {
	for range RecoveryCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		c := recoveryEncoding.EncodeToString(b)
		shown = append(shown, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, HashToken(c))
	}
	return shown, hashes
}

// matchTOTP finds the time step (now's, or one either side) whose code is
// c, preferring the earliest.
func matchTOTP(secret, c string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err == nil && Equal(want, c) {
			return step, true
		}
	}
	return 0, false
}

// TOTPStatus is what Settings shows about a user's two-factor sign-in.
type TOTPStatus struct {
	Enabled      bool `json:"enabled"`
	RecoveryLeft int  `json:"recovery_codes_left"`
	// Required: the user's role must use it (for password sign-ins).
	Required bool `json:"required"`
}

// TOTPStatusOf reports a user's two-factor state.
func (s *Service) TOTPStatusOf(ctx context.Context, u db.User) (TOTPStatus, error) {
	st, err := s.DB.TOTPOf(ctx, u.ID)
	if err != nil {
		return TOTPStatus{}, err
	}
	roles, err := s.TOTPRequiredRoles(ctx)
	if err != nil {
		return TOTPStatus{}, err
	}
	return TOTPStatus{Enabled: st.Secret != "", RecoveryLeft: st.RecoveryLeft, Required: slices.Contains(roles, u.Role)}, nil
}

// Enrolment is a new authenticator secret waiting for its first code:
// the secret as text, the otpauth:// URI and that URI as a QR code (PNG).
type Enrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
	QRPNG  []byte `json:"-"`
}

// BeginTOTP makes a new secret for the user and keeps it, sealed, until
// ConfirmTOTP; a second call replaces the first. It is ErrConflict while
// two-factor sign-in is on.
func (s *Service) BeginTOTP(ctx context.Context, u db.User) (Enrolment, error) {
	st, err := s.DB.TOTPOf(ctx, u.ID)
	if err != nil {
		return Enrolment{}, err
	}
	if st.Secret != "" {
		return Enrolment{}, fmt.Errorf("two-factor sign-in is on already; turn it off first to use another device: %w", db.ErrConflict)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Username, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("make totp secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("draw qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("encode qr code: %w", err)
	}
	if err := s.DB.SetTOTPPending(ctx, u.ID, s.keys.Seal(sealTOTPPending(u.ID), key.Secret())); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), QRPNG: buf.Bytes()}, nil
}

// ConfirmTOTP turns two-factor sign-in on once a code of the pending
// secret is right, and returns the recovery codes, shown this once.
// Wrong codes are limited per user (PairLimit).
func (s *Service) ConfirmTOTP(ctx context.Context, u db.User, code string) ([]string, error) {
	st, err := s.DB.TOTPOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if st.Secret != "" {
		return nil, fmt.Errorf("two-factor sign-in is on already: %w", db.ErrConflict)
	}
	secret, err := s.keys.Open(sealTOTPPending(u.ID), st.Pending)
	if st.Pending == "" || err != nil {
		return nil, fmt.Errorf("start the set-up first (or again): %w", db.ErrConflict)
	}
	att, err := s.Limits.Reserve(Budget{Key: fmt.Sprintf("totp-enrol:%d", u.ID), Max: PairLimit})
	if err != nil {
		return nil, err
	}
	step, ok := matchTOTP(secret, normalizeCode(code), s.now())
	if !ok {
		att.Failed()
		return nil, fmt.Errorf("wrong code: check the phone's clock, and that the code is from the new entry: %w", db.ErrInvalid)
	}
	att.Succeeded()
	shown, hashes := newRecoveryCodes()
	if err := s.DB.ActivateTOTP(ctx, u.ID, st.Pending, s.keys.Seal(sealTOTP(u.ID), secret), step, hashes); err != nil {
		return nil, err
	}
	return shown, nil
}

// DisableTOTP turns the user's own two-factor sign-in off; it takes a
// current code, a recovery code or the password, so a session left open
// on someone else's computer cannot do it. Wrong tries are limited per
// user (PairLimit).
func (s *Service) DisableTOTP(ctx context.Context, u db.User, code, password string) error {
	if !u.TOTP {
		// Cancel an enrolment in progress, if any.
		return s.DB.ClearTOTP(ctx, u.ID)
	}
	if code == "" && password == "" {
		return fmt.Errorf("give a code from the authenticator app, a recovery code or the password: %w", db.ErrInvalid)
	}
	att, err := s.Limits.Reserve(Budget{Key: fmt.Sprintf("totp-off:%d", u.ID), Max: PairLimit})
	if err != nil {
		return err
	}
	var ok bool
	if code != "" {
		err = s.checkSecondFactor(ctx, u.ID, code)
		ok = err == nil
		if err != nil && !errors.Is(err, ErrUnauthorized) {
			att.Cancel()
			return err
		}
	} else if u.HasPassword && len(password) <= 1024 {
		if ok, err = CheckPassword(u.PasswordHash, password); err != nil {
			att.Cancel()
			return err
		}
	}
	if !ok {
		att.Failed()
		return fmt.Errorf("wrong code or password: %w", ErrForbidden)
	}
	att.Succeeded()
	return s.DB.ClearTOTP(ctx, u.ID)
}

// ResetTOTP is an admin turning someone's two-factor sign-in off (a lost
// phone). Their next password sign-in needs the password only — or, if
// their role requires two factors, sends them to set it up again.
func (s *Service) ResetTOTP(ctx context.Context, userID int64) error {
	return s.DB.ClearTOTP(ctx, userID)
}

// TOTPRequiredRoles lists the roles whose password sign-ins must use two
// factors.
func (s *Service) TOTPRequiredRoles(ctx context.Context) ([]string, error) {
	s.totpRoles.mu.Lock()
	defer s.totpRoles.mu.Unlock()
	if !s.totpRoles.loaded {
		v, err := s.DB.Setting(ctx, settingTOTPRoles)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("read two-factor setting: %w", err)
		}
		s.totpRoles.list = parseRoles(v)
		s.totpRoles.loaded = true
	}
	return slices.Clone(s.totpRoles.list), nil
}

// SetTOTPRequiredRoles stores the roles that must use two factors. Users
// of those roles without it are sent to set it up at once (their open
// password sessions can do nothing else until they do).
func (s *Service) SetTOTPRequiredRoles(ctx context.Context, roles []string) ([]string, error) {
	for _, r := range roles {
		if !ValidRole(r) {
			return nil, fmt.Errorf("role %q: want admin, user or viewer: %w", r, db.ErrInvalid)
		}
	}
	list := parseRoles(strings.Join(roles, ","))
	s.totpRoles.mu.Lock()
	defer s.totpRoles.mu.Unlock()
	if err := s.DB.SetSetting(ctx, settingTOTPRoles, strings.Join(list, ",")); err != nil {
		return nil, fmt.Errorf("store two-factor setting: %w", err)
	}
	s.totpRoles.list, s.totpRoles.loaded = list, true
	return slices.Clone(list), nil
}

// parseRoles reads a stored role list: valid roles, each once, in the
// order admin, user, viewer.
func parseRoles(v string) []string {
	out := []string{}
	for _, r := range []string{db.RoleAdmin, db.RoleUser, db.RoleViewer} {
		if slices.Contains(strings.Split(v, ","), r) {
			out = append(out, r)
		}
	}
	return out
}

// MustEnrolTOTP reports whether a session may only set up two-factor
// sign-in: it was opened with a password, its user has none, and their
// role requires it. Sessions from the OpenID Connect provider never are
// (the provider does its own second factor).
func (s *Service) MustEnrolTOTP(ctx context.Context, sess db.Session) (bool, error) {
	if sess.Method == db.SignInOIDC || sess.TOTP {
		return false, nil
	}
	roles, err := s.TOTPRequiredRoles(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(roles, sess.Role), nil
}

// totpRoleCache holds the required roles setting; only this server
// changes it.
type totpRoleCache struct {
	mu     sync.Mutex
	list   []string
	loaded bool
}
