package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"pinhole/db"
)

// Errors the web layer maps to statuses.
var (
	// ErrUnauthorized: no valid session, or wrong name or password.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: logged in but the role does not allow it.
	ErrForbidden = errors.New("forbidden")
)

// RateLimitError says a login (or share password) was refused because of
// too many recent failures, and when to try again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	m := int(e.RetryAfter.Round(time.Minute) / time.Minute)
	if m <= 1 {
		return "too many failed attempts; try again in a minute"
	}
	return fmt.Sprintf("too many failed attempts; try again in %d minutes", m)
}

// HashToken is the SHA-256 of a token as stored in the database; only the
// person holding the token can present it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidRole reports whether r names a role.
func ValidRole(r string) bool { return slices.Contains(db.Roles, r) }

// CheckUsername validates a new account name.
func CheckUsername(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("user name must be 1 to 64 characters: %w", db.ErrInvalid)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)
		if !ok {
			return fmt.Errorf("user name may only use letters, digits and . _ - @: %w", db.ErrInvalid)
		}
	}
	return nil
}

// CheckPasswordRules validates a new password: long enough to resist
// guessing, short enough not to be a denial of service.
func CheckPasswordRules(pw string) error {
	if utf8.RuneCountInString(pw) < 8 {
		return fmt.Errorf("password must be at least 8 characters: %w", db.ErrInvalid)
	}
	if len(pw) > 1024 {
		return fmt.Errorf("password must be at most 1024 bytes: %w", db.ErrInvalid)
	}
	return nil
}

// AddUser creates an account (for `pinhole users add` and the admin API).
func AddUser(ctx context.Context, d *db.DB, name, password, role string) (db.User, error) {
	if err := CheckUsername(name); err != nil {
		return db.User{}, err
	}
	if !ValidRole(role) {
		return db.User{}, fmt.Errorf("role %q: want admin, user or viewer: %w", role, db.ErrInvalid)
	}
	if err := CheckPasswordRules(password); err != nil {
		return db.User{}, err
	}
	h, err := HashPassword(password)
	if err != nil {
		return db.User{}, err
	}
	return d.CreateUser(ctx, name, h, role)
}

// Passwd sets a user's password and logs them out everywhere.
func Passwd(ctx context.Context, d *db.DB, name, password string) error {
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if err := CheckPasswordRules(password); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return d.SetPassword(ctx, u.ID, h, 0)
}

// TOTPOff turns a user's two-factor sign-in off (`pinhole users
// totp-off`): the way back in when the only admin lost their phone and
// their recovery codes.
func TOTPOff(ctx context.Context, d *db.DB, name string) error {
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	return d.ClearTOTP(ctx, u.ID)
}

// Remove deletes an account; the last admin cannot be removed.
func Remove(ctx context.Context, d *db.DB, name string) error {
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	return d.DeleteUser(ctx, u.ID)
}

// List returns every account.
func List(ctx context.Context, d *db.DB) ([]db.User, error) { return d.Users(ctx) }

// Sign-in limits, all over a sliding window of LimitWindow. A slot is
// reserved before a password is checked, so concurrent guesses cannot
// overrun them. See docs/security.md, "Sign-in limits".
const (
	// LimitWindow is how long a failure counts.
	LimitWindow = 15 * time.Minute
	// PairLimit: failures for one name (or share) from one address; then
	// that address must wait before trying that name again.
	PairLimit = 10
	// AddressLimit: failures from one address over all names and shares
	// (guessing many accounts).
	AddressLimit = 30
	// NameLimit: failures for one name (or share) from all addresses;
	// then the name is slowed down — new tries are admitted only as old
	// failures leave the window — except from addresses the user signed
	// in from before (KnownClientAge), which keep their own PairLimit.
	NameLimit = 30
	// KnownClientAge is how long a successful sign-in makes an address
	// the user's own for NameLimit.
	KnownClientAge = 90 * 24 * time.Hour
)

// Service logs people in and checks sessions and tokens.
type Service struct {
	DB  *db.DB
	TTL time.Duration
	// Limits counts failed logins and share-password guesses.
	Limits *Limiter

	keys  *Keys
	links links

	// signIn says who may use a password (SetSignIn).
	signIn atomic.Pointer[signInRule]

	pending   pendingLogins // second steps awaited (totp.go)
	totpRoles totpRoleCache
}

// NewService returns a Service with sessions lasting ttl (the caller's
// --session-ttl; it must be positive), the sign-in limits above, and keys
// from the server key (nil: keys that last as long as the process).
func NewService(d *db.DB, ttl time.Duration, keys *Keys) *Service {
	if ttl <= 0 {
		panic("auth.NewService: the session lifetime must be positive")
	}
	if keys == nil {
		keys = EphemeralKeys()
	}
	s := &Service{DB: d, TTL: ttl, Limits: NewStoredLimiter(d, PairLimit, LimitWindow), keys: keys}
	s.signIn.Store(&signInRule{local: true})
	return s
}

// signInRule is who may sign in with a password.
type signInRule struct {
	local      bool   // everyone
	breakGlass string // else only this account ('' none)
}

// SetSignIn sets who may sign in with a password: everyone (local true),
// or, when sign-in goes through an OpenID Connect provider, only the
// break-glass admin named (none when empty).
func (s *Service) SetSignIn(local bool, breakGlass string) {
	s.signIn.Store(&signInRule{local: local, breakGlass: breakGlass})
}

// LocalLogin reports whether every account may sign in with a password.
func (s *Service) LocalLogin() bool { return s.signIn.Load().local }

// PasswordAllowed reports whether the account of this name may sign in
// with a password.
func (s *Service) PasswordAllowed(name string) bool {
	r := s.signIn.Load()
	return r.local || s.IsBreakGlass(name)
}

// IsBreakGlass reports whether name is the break-glass admin, which a
// provider's account is never linked to.
func (s *Service) IsBreakGlass(name string) bool {
	r := s.signIn.Load()
	return r.breakGlass != "" && strings.EqualFold(name, r.breakGlass)
}

// Login is a new session: Token goes to the client (cookie or bearer) and
// is never stored. When the user has two-factor sign-in on, a right
// password opens no session yet: Pending is the token of the second step
// (LoginTOTP), good until PendingExpires.
type Login struct {
	Session db.Session
	User    db.User
	Token   string

	Pending        string
	PendingExpires time.Time
	// PreviousRole is the user's role before this sign-in changed it (a
	// provider's groups), empty when it did not.
	PreviousRole string
}

// errWrongLogin is the one answer to a wrong name or a wrong password.
var errWrongLogin = fmt.Errorf("wrong user name or password: %w", ErrUnauthorized)

// Login checks a name and password and opens a session, or with
// two-factor sign-in on, a second step. The attempt reserves a slot in
// the address's, the (name, address) pair's and the name's budgets before
// the password is checked; a budget at its limit refuses without checking
// anything. Accounts without a password, and with local-login off every
// account but the break-glass admin, are answered like unknown names.
func (s *Service) Login(ctx context.Context, name, password, ip, userAgent string) (Login, error) {
	lname := strings.ToLower(name)
	u, uerr := s.DB.UserByName(ctx, name)
	if uerr != nil && !errors.Is(uerr, db.ErrNotFound) {
		return Login{}, uerr
	}
	if uerr == nil && (!u.HasPassword || !s.PasswordAllowed(u.Username)) {
		uerr = db.ErrNotFound
	}
	known := false
	if uerr == nil {
		var err error
		if known, err = s.DB.KnownLoginClient(ctx, u.ID, ip, time.Now().Add(-KnownClientAge)); err != nil {
			return Login{}, err
		}
	}
	pair := "pair:" + lname + "|" + ip
	nameBudget := Budget{Key: "user:" + lname, Max: NameLimit}
	if known {
		nameBudget.Max = 0 // counted, but the user's own address is not slowed by others' guesses
	}
	att, err := s.Limits.Reserve(Budget{Key: "ip:" + ip, Max: AddressLimit}, Budget{Key: pair, Max: PairLimit}, nameBudget)
	if err != nil {
		return Login{}, err
	}
	if len(password) > 1024 {
		att.Failed()
		return Login{}, errWrongLogin
	}
	if uerr != nil {
		// As slow as a wrong password, so the answer does not tell
		// which names exist.
		_, _ = CheckPassword(dummyHash(), password)
		att.Failed()
		return Login{}, errWrongLogin
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		att.Cancel()
		return Login{}, fmt.Errorf("check password of %s: %w", u.Username, err)
	}
	if !ok {
		att.Failed()
		return Login{}, errWrongLogin
	}
	att.Succeeded(pair)
	if u.TOTP {
		// The address becomes the user's own only after the second step,
		// or a thief with the password would escape TOTPUserLimit.
		tok, exp := s.startPending(u.ID)
		return Login{User: u, Pending: tok, PendingExpires: exp}, nil
	}
	return s.finishLogin(ctx, u, ip, userAgent)
}

func (s *Service) open(ctx context.Context, u db.User, method, ip, userAgent string) (Login, error) {
	tok := NewToken()
	sess, err := s.DB.CreateSessionVia(ctx, method, HashToken(tok), u.ID, NewToken(), s.TTL, ip, userAgent)
	if err != nil {
		return Login{}, err
	}
	return Login{Session: sess, User: u, Token: tok}, nil
}

// Setup creates the first admin while no account exists and logs them in.
func (s *Service) Setup(ctx context.Context, name, password, ip, userAgent string) (Login, error) {
	if err := CheckUsername(name); err != nil {
		return Login{}, err
	}
	if err := CheckPasswordRules(password); err != nil {
		return Login{}, err
	}
	if n, err := s.DB.CountUsers(ctx); err != nil {
		return Login{}, err
	} else if n > 0 {
		return Login{}, fmt.Errorf("setup is already done; log in instead: %w", db.ErrConflict)
	}
	h, err := HashPassword(password)
	if err != nil {
		return Login{}, err
	}
	u, err := s.DB.CreateFirstUser(ctx, name, h, db.RoleAdmin)
	if err != nil {
		return Login{}, err
	}
	if err := s.DB.RememberLoginClient(ctx, u.ID, ip); err != nil {
		return Login{}, err
	}
	return s.open(ctx, u, db.SignInPassword, ip, userAgent)
}

// Session returns the live session a token opens, or ErrUnauthorized.
func (s *Service) Session(ctx context.Context, token string) (db.Session, error) {
	if token == "" || len(token) > 200 {
		return db.Session{}, fmt.Errorf("not logged in: %w", ErrUnauthorized)
	}
	sess, err := s.DB.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return sess, fmt.Errorf("not logged in or the session expired: %w", ErrUnauthorized)
	}
	return sess, err
}

// ChangePassword checks the old password, sets the new one, gives the
// user a new thumbnail/download secret and logs out the user's other
// sessions. Wrong old passwords are limited per user (PairLimit), apart
// from the sign-in budgets, so a stolen session cannot slow the owner's
// sign-ins.
func (s *Service) ChangePassword(ctx context.Context, sess db.Session, oldPw, newPw string) error {
	u, err := s.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	if !u.HasPassword {
		return fmt.Errorf("this account signs in with the provider and has no password here; an admin can set one: %w", ErrForbidden)
	}
	att, err := s.Limits.Reserve(Budget{Key: fmt.Sprintf("pwchange:%d", u.ID), Max: PairLimit})
	if err != nil {
		return err
	}
	ok, err := CheckPassword(u.PasswordHash, oldPw)
	if err != nil {
		att.Cancel()
		return err
	}
	if !ok {
		att.Failed()
		return fmt.Errorf("the current password is wrong: %w", ErrForbidden)
	}
	att.Succeeded()
	if err := CheckPasswordRules(newPw); err != nil {
		return err
	}
	h, err := HashPassword(newPw)
	if err != nil {
		return err
	}
	defer s.forgetLinks()
	return s.DB.SetPassword(ctx, u.ID, h, sess.ID)
}

// SetPassword is an admin setting someone's password: the user gets a
// new thumbnail/download secret and is logged out everywhere.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := CheckPasswordRules(password); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	defer s.forgetLinks()
	return s.DB.SetPassword(ctx, userID, h, 0)
}

// SetRole changes a user's role; a real change gives them a new
// thumbnail/download secret, so URLs made under the old role stop
// working at once.
func (s *Service) SetRole(ctx context.Context, userID int64, role string) error {
	if !ValidRole(role) {
		return fmt.Errorf("role %q: want admin, user or viewer: %w", role, db.ErrInvalid)
	}
	defer s.forgetLinks()
	return s.DB.SetRole(ctx, userID, role)
}

// DeleteUser removes an account; its sessions and its thumbnail/download
// secret die with it.
func (s *Service) DeleteUser(ctx context.Context, userID int64) error {
	defer s.forgetLinks()
	return s.DB.DeleteUser(ctx, userID)
}
