// Package config holds Pinhole's settings. Every option has one name used
// three ways: a flag (--originals), an environment variable
// (PINHOLE_ORIGINALS) and a config-file key (originals = /srv/photos).
// Precedence: flags, then environment, then the config file, then defaults.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the parsed configuration; pass it (or parts of it) down.
type Config struct {
	ConfigFile string

	Originals    string
	Data         string
	Listen       string
	LogLevel     string
	ReadOnly     bool
	UploadFolder string
	Demo         bool

	// WriteSidecars: users' edits go to NAME.xmp beside the originals
	// (with ReadOnly off); otherwise to SidecarDir.
	WriteSidecars bool
	// TrashDays: photos in the Trash are emptied this many days after
	// they were moved there; 0 only when a user empties it.
	TrashDays int
	// UploadWritable lets uploads write into UploadFolder despite ReadOnly.
	UploadWritable bool

	Workers        int
	RescanInterval time.Duration
	PollInterval   time.Duration
	Debounce       time.Duration
	SettleTime     time.Duration
	FollowSymlinks bool

	ThumbCacheMB   int64
	DecodeBudgetMB int64
	MaxMegapixels  int

	// Videos browsers cannot play are converted (app/transcode).
	VideoCacheMB   int64
	VideoMaxHeight int
	VideoHWEncoder bool

	TilesURL         string
	TilesAttribution string
	GeocoderURL      string
	GeocoderRadiusKm float64
	TileCacheMB      int64
	SessionTTL       time.Duration
	UploadLimitMB    int64
	TLSCert, TLSKey  string
	ClientCA         string
	BackupInterval   time.Duration
	BackupKeep       int
	MetricsPublic    bool
	// IdleRelease is how long the server must be idle (no requests, scans
	// or place lookups) before it gives memory back: the places dataset,
	// idle database connections, free heap. 0 never.
	IdleRelease time.Duration
	// TrustedProxies is the --trusted-proxies value as given; Validate
	// parses it into Proxies.
	TrustedProxies string
	Proxies        []netip.Prefix

	// Connection caps (web.ConnLimits); MaxConns is lowered further to
	// fit the file descriptor limit.
	MaxConns      int
	MaxConnsPerIP int

	// Upstream budgets: requests per hour to the tile server (per user and
	// in all) and to the geocoder (in all).
	TileBudgetUser int
	TileBudget     int
	GeocoderBudget int

	// PublicURL is where people open Pinhole (scheme and host, no path);
	// sign-in with a provider returns there.
	PublicURL string
	// Sign-in: passwords for everyone (LocalLogin) or only for the
	// break-glass admin; an OpenID Connect provider when OIDCIssuer is set.
	LocalLogin       bool
	BreakGlassAdmin  string
	OIDCIssuer       string
	OIDCName         string
	OIDCClientID     string
	OIDCClientSecret string // Validate reads OIDCSecretFile into it
	OIDCSecretFile   string
	OIDCScopesList   string // as given; Validate splits it into OIDCScopes
	OIDCScopes       []string
	OIDCGroupsClaim  string
	OIDCUserClaim    string
	OIDCAdminGroup   string
	OIDCUserGroup    string
	OIDCViewerGroup  string
	OIDCDefaultRole  string
	OIDCLinkBy       string
}

// option describes one setting for flags, environment, file and help.
type option struct {
	name, help string
	bind       func(fs *flag.FlagSet, c *Config)
}

func str(name, def, help string, f func(*Config) *string) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.StringVar(f(c), name, def, help) }}
}
func boolean(name string, def bool, help string, f func(*Config) *bool) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.BoolVar(f(c), name, def, help) }}
}
func integer(name string, def int, help string, f func(*Config) *int) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.IntVar(f(c), name, def, help) }}
}
func int64opt(name string, def int64, help string, f func(*Config) *int64) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.Int64Var(f(c), name, def, help) }}
}
func float(name string, def float64, help string, f func(*Config) *float64) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.Float64Var(f(c), name, def, help) }}
}
func duration(name string, def time.Duration, help string, f func(*Config) *time.Duration) option {
	return option{name, help, func(fs *flag.FlagSet, c *Config) { fs.DurationVar(f(c), name, def, help) }}
}

// DefaultListen is where Pinhole serves when nothing else is configured.
const DefaultListen = ":8077"

func defaultData() string {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" { // systemd StateDirectory=
		return d
	}
	if h, err := os.UserHomeDir(); err == nil && h != "/" {
		return filepath.Join(h, ".local", "share", "pinhole")
	}
	return "/var/lib/pinhole"
}

var options = []option{
	str("config", "", "config file of key = value lines (same names as the flags)", func(c *Config) *string { return &c.ConfigFile }),
	str("originals", "", "photo folder to index; empty: a generated demo library in DATA/demo", func(c *Config) *string { return &c.Originals }),
	str("data", defaultData(), "folder for the database, caches and backups", func(c *Config) *string { return &c.Data }),
	str("listen", DefaultListen, "address to serve HTTP on (host:port)", func(c *Config) *string { return &c.Listen }),
	str("log-level", "info", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }),
	boolean("read-only", true, "never write into the originals folder (uploads need --read-only=false or --upload-writable)", func(c *Config) *bool { return &c.ReadOnly }),
	boolean("write-sidecars", false, "write edits (titles, keywords, ratings, places, dates) as NAME.xmp sidecars beside the originals for digiKam, Lightroom and exiftool (needs --read-only=false); without it they are written to DATA/sidecars", func(c *Config) *bool { return &c.WriteSidecars }),
	integer("trash-days", 30, "days a photo stays in the Trash before its files are deleted (with read-only originals: before it leaves the library for good); 0: only when someone empties the Trash", func(c *Config) *int { return &c.TrashDays }),
	boolean("upload-writable", false, "with --read-only, still let uploads and WebDAV write into --upload-folder, and nowhere else", func(c *Config) *bool { return &c.UploadWritable }),
	str("upload-folder", "Uploads", "folder inside the originals that uploads are saved to", func(c *Config) *string { return &c.UploadFolder }),
	boolean("demo", true, "generate and index a demo library when --originals is empty", func(c *Config) *bool { return &c.Demo }),
	integer("workers", runtime.NumCPU(), "files read in parallel while indexing", func(c *Config) *int { return &c.Workers }),
	duration("rescan-interval", 6*time.Hour, "full rescan of the originals as a safety net (0 disables)", func(c *Config) *time.Duration { return &c.RescanInterval }),
	duration("poll-interval", 2*time.Minute, "rescan interval when live watching is unavailable (network mounts, inotify limits)", func(c *Config) *time.Duration { return &c.PollInterval }),
	duration("debounce", 2*time.Second, "quiet time after file changes before indexing them, and after an edit before writing its sidecar", func(c *Config) *time.Duration { return &c.Debounce }),
	duration("settle-time", time.Second, "a changed file's size must stay the same this long before it is read", func(c *Config) *time.Duration { return &c.SettleTime }),
	boolean("follow-symlinks", false, "follow symbolic links inside the originals (links pointing outside are never followed)", func(c *Config) *bool { return &c.FollowSymlinks }),
	int64opt("thumb-cache-mb", 0, "thumbnail cache size cap in MB (0: a tenth of the disk space free at start, at least 512 MB and at most 50 GB)", func(c *Config) *int64 { return &c.ThumbCacheMB }),
	int64opt("decode-budget-mb", 160, "memory for concurrent image decodes in MB", func(c *Config) *int64 { return &c.DecodeBudgetMB }),
	integer("max-megapixels", 200, "refuse images declaring more pixels than this (decompression bombs)", func(c *Config) *int { return &c.MaxMegapixels }),
	int64opt("video-cache-mb", 10240, "cache of videos converted for browsers (HEVC, AVCHD, AVI…), size cap in MB; least recently watched go first", func(c *Config) *int64 { return &c.VideoCacheMB }),
	integer("video-max-height", 1080, "converted videos' short side at most this many pixels (1080: 1080p)", func(c *Config) *int { return &c.VideoMaxHeight }),
	boolean("video-hw-encoder", true, "convert videos with a hardware H.264 encoder when one works (Raspberry Pi 4 V4L2, Intel VAAPI); false: always libx264", func(c *Config) *bool { return &c.VideoHWEncoder }),
	str("tiles-url", "", "map tile upstream URL template with {z}/{x}/{y} (empty: offline base map only)", func(c *Config) *string { return &c.TilesURL }),
	str("tiles-attribution", "", "attribution text shown on the map for the tile upstream", func(c *Config) *string { return &c.TilesAttribution }),
	int64opt("tile-cache-mb", 512, "map tile cache size cap in MB", func(c *Config) *int64 { return &c.TileCacheMB }),
	str("geocoder-url", "", "Nominatim-compatible reverse geocoder base URL (empty: offline places only)", func(c *Config) *string { return &c.GeocoderURL }),
	float("geocoder-radius-km", 25, "offline places: farthest distance to a named place", func(c *Config) *float64 { return &c.GeocoderRadiusKm }),
	duration("session-ttl", 30*24*time.Hour, "how long a login lasts", func(c *Config) *time.Duration { return &c.SessionTTL }),
	int64opt("upload-limit-mb", 2048, "largest accepted upload in MB", func(c *Config) *int64 { return &c.UploadLimitMB }),
	str("tls-cert", "", "TLS certificate file (serve HTTPS when set with --tls-key)", func(c *Config) *string { return &c.TLSCert }),
	str("tls-key", "", "TLS private key file", func(c *Config) *string { return &c.TLSKey }),
	str("client-ca", "", "require client certificates signed by this CA file (needs TLS)", func(c *Config) *string { return &c.ClientCA }),
	duration("backup-interval", 24*time.Hour, "scheduled database backups into DATA/backups (0 disables)", func(c *Config) *time.Duration { return &c.BackupInterval }),
	integer("backup-keep", 7, "scheduled backups to keep", func(c *Config) *int { return &c.BackupKeep }),
	boolean("metrics-public", false, "serve /metrics to anyone, not only admins and localhost", func(c *Config) *bool { return &c.MetricsPublic }),
	duration("idle-release", 5*time.Minute, "after this long with no requests, scans or place lookups, give memory back to the system: the places dataset, idle database connections, free heap (0 never)", func(c *Config) *time.Duration { return &c.IdleRelease }),
	str("trusted-proxies", "", "comma-separated addresses or CIDR ranges of your reverse proxies; X-Forwarded-For is believed only from them (default none)", func(c *Config) *string { return &c.TrustedProxies }),
	integer("max-conns", 1024, "open connections in all (lowered to fit the open-files limit); more are closed as they arrive", func(c *Config) *int { return &c.MaxConns }),
	integer("tile-budget-user", 600, "tiles one user may fetch from the tile upstream per hour (cached tiles are free); beyond it the offline map", func(c *Config) *int { return &c.TileBudgetUser }),
	integer("tile-budget", 2000, "tiles everyone together may fetch from the tile upstream per hour", func(c *Config) *int { return &c.TileBudget }),
	integer("geocoder-budget", 1800, "requests to the online geocoder per hour; beyond it offline places, asked online later", func(c *Config) *int { return &c.GeocoderBudget }),
	integer("max-conns-per-ip", 64, "open connections per client address (IPv6: per /64); raise it behind a reverse proxy", func(c *Config) *int { return &c.MaxConnsPerIP }),
	str("public-url", "", "the address people open Pinhole at, e.g. https://photos.example.com (needed for sign-in with a provider)", func(c *Config) *string { return &c.PublicURL }),
	boolean("local-login", true, "allow signing in with a Pinhole password; false: only the break-glass admin may (needs oidc-issuer)", func(c *Config) *bool { return &c.LocalLogin }),
	str("break-glass-admin", "", "the one account that may still sign in with a password when local-login is false (never linked to the provider)", func(c *Config) *string { return &c.BreakGlassAdmin }),
	str("oidc-issuer", "", "OpenID Connect provider's issuer URL, e.g. https://auth.example.com (empty: no sign-in with a provider)", func(c *Config) *string { return &c.OIDCIssuer }),
	str("oidc-name", "", "the provider's name on the sign-in button (empty: the issuer's host name)", func(c *Config) *string { return &c.OIDCName }),
	str("oidc-client-id", "", "client id registered at the provider", func(c *Config) *string { return &c.OIDCClientID }),
	str("oidc-client-secret", "", "client secret (prefer oidc-client-secret-file, which keeps it out of the environment and process list)", func(c *Config) *string { return &c.OIDCClientSecret }),
	str("oidc-client-secret-file", "", "file holding the client secret (its first line)", func(c *Config) *string { return &c.OIDCSecretFile }),
	str("oidc-scopes", "openid profile email", "scopes asked for, space-separated (add groups for providers that need it for the groups claim)", func(c *Config) *string { return &c.OIDCScopesList }),
	str("oidc-groups-claim", "groups", "claim listing the groups of the person signing in", func(c *Config) *string { return &c.OIDCGroupsClaim }),
	str("oidc-username-claim", "preferred_username", "claim naming the Pinhole user made on first sign-in (the email when it is missing)", func(c *Config) *string { return &c.OIDCUserClaim }),
	str("oidc-admin-group", "", "provider group whose members are admins here (with any oidc-*-group set, the role follows the groups at each sign-in)", func(c *Config) *string { return &c.OIDCAdminGroup }),
	str("oidc-user-group", "", "provider group whose members are users here", func(c *Config) *string { return &c.OIDCUserGroup }),
	str("oidc-viewer-group", "", "provider group whose members are viewers here", func(c *Config) *string { return &c.OIDCViewerGroup }),
	str("oidc-default-role", "", "role of people in none of the groups: admin, user or viewer (empty: they are refused); anyone the provider signs in gets it", func(c *Config) *string { return &c.OIDCDefaultRole }),
	str("oidc-link-by", "email", "link a first sign-in to the existing account named by its verified email (email), its provider user name (username: only if the provider's admin picks the names), or never (none)", func(c *Config) *string { return &c.OIDCLinkBy }),
}

// removed names options that no longer exist, with what to use instead,
// so an old config file or environment gets a clear error rather than a
// silent change.
var removed = map[string]string{
	"trust-proxy-headers": "it trusted X-Forwarded-For from any private address; list your reverse proxy instead, e.g. trusted-proxies = 127.0.0.1",
}

// Defaults is a Config holding every option's default: what a part built
// without parsing flags (a test, a tool) is given. The options table above
// is the only home of these values: web, auth and watch keep none of their
// own, and take them from the caller.
func Defaults() Config {
	var c Config
	FlagSet("defaults", &c)
	return c
}

// EnvName is the environment variable for an option name.
func EnvName(name string) string {
	return "PINHOLE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// FlagSet returns a flag set carrying every option, bound to c, plus the
// command's own flags added by the caller.
func FlagSet(cmd string, c *Config) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	for _, o := range options {
		o.bind(fs, c)
	}
	return fs
}

// Resolve applies the precedence rules after fs.Parse: values given as flags
// win, then PINHOLE_* variables, then the config file, then defaults.
func Resolve(fs *flag.FlagSet, getenv func(string) string) error {
	explicit := map[string]string{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = f.Value.String() })

	// Back to defaults, then layer file < env < flags.
	fs.VisitAll(func(f *flag.Flag) { _ = f.Value.Set(f.DefValue) })

	file := explicit["config"]
	if file == "" {
		file = getenv(EnvName("config"))
	}
	if file != "" {
		kv, err := readFile(file)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(kv))
		for k := range kv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if why, ok := removed[k]; ok {
				return fmt.Errorf("config file %s: option %q was removed: %s", file, k, why)
			}
			if fs.Lookup(k) == nil || !isOption(k) {
				return fmt.Errorf("config file %s: unknown option %q", file, k)
			}
			if err := fs.Set(k, kv[k]); err != nil {
				return fmt.Errorf("config file %s: %s: %w", file, k, err)
			}
		}
		_ = fs.Set("config", file)
	}
	for name, why := range removed {
		if getenv(EnvName(name)) != "" {
			return fmt.Errorf("%s was removed: %s", EnvName(name), why)
		}
	}
	for _, o := range options {
		if v := getenv(EnvName(o.name)); v != "" {
			if err := fs.Set(o.name, v); err != nil {
				return fmt.Errorf("%s: %w", EnvName(o.name), err)
			}
		}
	}
	for name, v := range explicit {
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
	}
	return nil
}

func isOption(name string) bool {
	for _, o := range options {
		if o.name == name {
			return true
		}
	}
	return false
}

// readFile parses `key = value` lines; '#' starts a comment line; values may
// be quoted.
func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	return parseFile(f, path)
}

func parseFile(r io.Reader, name string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("config file %s:%d: want key = value", name, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		out[k] = v
	}
	return out, sc.Err()
}

// Validate checks values and fills derived ones.
func (c *Config) Validate() error {
	var errs []error
	if c.Data == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	if c.Originals != "" {
		abs, err := filepath.Abs(c.Originals)
		if err != nil {
			errs = append(errs, fmt.Errorf("--originals: %w", err))
		}
		c.Originals = abs
	}
	if abs, err := filepath.Abs(c.Data); err == nil {
		c.Data = abs
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q: %w", c.Listen, err))
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.Workers > 64 {
		c.Workers = 64
	}
	if c.Debounce <= 0 || c.SettleTime < 0 || c.PollInterval < time.Second && c.PollInterval != 0 {
		errs = append(errs, errors.New("durations must be positive (debounce more than 0, poll-interval at least 1s)"))
	}
	if c.DecodeBudgetMB < 16 {
		errs = append(errs, errors.New("--decode-budget-mb must be at least 16"))
	}
	if c.MaxConns < 16 || c.MaxConnsPerIP < 1 || c.MaxConnsPerIP > c.MaxConns {
		errs = append(errs, errors.New("--max-conns must be at least 16 and --max-conns-per-ip from 1 to --max-conns"))
	}
	if c.TileBudgetUser < 1 || c.TileBudget < c.TileBudgetUser || c.GeocoderBudget < 1 {
		errs = append(errs, errors.New("--tile-budget-user and --geocoder-budget must be at least 1, --tile-budget at least --tile-budget-user"))
	}
	if c.VideoCacheMB < 64 {
		errs = append(errs, errors.New("--video-cache-mb must be at least 64"))
	}
	if c.VideoMaxHeight < 144 || c.VideoMaxHeight > 4320 {
		errs = append(errs, errors.New("--video-max-height must be from 144 to 4320"))
	}
	if c.MaxMegapixels < 1 {
		errs = append(errs, errors.New("--max-megapixels must be at least 1"))
	}
	if c.TrashDays < 0 || c.TrashDays > 36500 {
		errs = append(errs, errors.New("--trash-days must be from 0 (never by itself) to 36500"))
	}
	if c.UploadLimitMB < 1 {
		errs = append(errs, errors.New("--upload-limit-mb must be at least 1"))
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, errors.New("--session-ttl must be at least 1m"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if c.ClientCA != "" && c.TLSCert == "" {
		errs = append(errs, errors.New("--client-ca needs --tls-cert and --tls-key"))
	}
	if ps, err := ParseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	} else {
		c.Proxies = ps
	}
	if c.UploadFolder == "" || filepath.IsAbs(c.UploadFolder) || strings.Contains(filepath.ToSlash(c.UploadFolder), "..") {
		errs = append(errs, errors.New("--upload-folder must be a relative folder inside the originals"))
	}
	errs = append(errs, c.validateSignIn()...)
	return errors.Join(errs...)
}

// validateSignIn checks the sign-in options and reads the client secret
// file.
func (c *Config) validateSignIn() []error {
	var errs []error
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("--public-url %q: want the scheme and host people open Pinhole at, such as https://photos.example.com", c.PublicURL))
		} else {
			c.PublicURL = u.Scheme + "://" + u.Host
		}
	}
	if c.OIDCSecretFile != "" {
		if c.OIDCClientSecret != "" {
			errs = append(errs, errors.New("--oidc-client-secret and --oidc-client-secret-file: give one"))
		}
		b, err := os.ReadFile(c.OIDCSecretFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("--oidc-client-secret-file: %w", err))
		} else {
			line, _, _ := strings.Cut(string(b), "\n")
			c.OIDCClientSecret = strings.TrimSpace(line)
		}
	}
	c.OIDCScopes = strings.Fields(strings.ReplaceAll(c.OIDCScopesList, ",", " "))
	if c.OIDCIssuer == "" {
		if !c.LocalLogin {
			errs = append(errs, errors.New("--local-login=false needs sign-in with a provider (--oidc-issuer), or nobody but the break-glass admin could sign in"))
		}
		return errs
	}
	u, err := url.Parse(c.OIDCIssuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname()))) {
		errs = append(errs, fmt.Errorf("--oidc-issuer %q: want an https:// URL (http only for localhost): tokens and keys must not cross the network in clear", c.OIDCIssuer))
	}
	if c.OIDCClientID == "" {
		errs = append(errs, errors.New("--oidc-issuer needs --oidc-client-id"))
	}
	if c.PublicURL == "" {
		errs = append(errs, errors.New("--oidc-issuer needs --public-url (the provider sends people back to PUBLIC-URL/api/v1/oidc/callback)"))
	}
	switch c.OIDCDefaultRole {
	case "", "admin", "user", "viewer": // db.Roles (config sits below db: it cannot import it)
	default:
		errs = append(errs, fmt.Errorf("--oidc-default-role %q: want admin, user, viewer or nothing", c.OIDCDefaultRole))
	}
	switch c.OIDCLinkBy {
	case "email", "username", "none":
	default:
		errs = append(errs, fmt.Errorf("--oidc-link-by %q: want email, username or none", c.OIDCLinkBy))
	}
	return errs
}

// loopbackHost reports whether a host name is this machine.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// OIDCRedirectURL is where the provider sends people back.
func (c *Config) OIDCRedirectURL() string { return c.PublicURL + "/api/v1/oidc/callback" }

// ParseProxies reads a --trusted-proxies value: addresses ("127.0.0.1",
// "::1") and CIDR ranges ("192.168.1.0/28"), separated by commas or
// spaces. A range covering every address is refused: it would let any
// client choose the address the sign-in limits and /metrics see.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR range", f)
			}
			p = p.Masked()
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR range", f)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("--trusted-proxies: %q would trust every address; list your reverse proxy's", f)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseLevel turns a --log-level value into a slog level.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// DBPath is where the database lives.
func (c *Config) DBPath() string { return filepath.Join(c.Data, "pinhole.db") }

// DemoDir is where the generated demo library lives.
func (c *Config) DemoDir() string { return filepath.Join(c.Data, "demo") }

// ThumbDir is the thumbnail cache.
func (c *Config) ThumbDir() string { return filepath.Join(c.Data, "cache", "thumbs") }

// VideoDir is the cache of converted videos.
func (c *Config) VideoDir() string { return filepath.Join(c.Data, "cache", "video") }

// TileDir is the map tile cache.
func (c *Config) TileDir() string { return filepath.Join(c.Data, "cache", "tiles") }

// SidecarDir holds the XMP sidecars of edits that are not written beside
// the originals, in the originals' folder tree.
func (c *Config) SidecarDir() string { return filepath.Join(c.Data, "sidecars") }

// BackupDir holds database backups.
func (c *Config) BackupDir() string { return filepath.Join(c.Data, "backups") }

// ExampleFile renders a commented config file listing every option with its
// default, for /etc/pinhole/pinhole.conf and `pinhole config`.
func ExampleFile() string {
	var b strings.Builder
	b.WriteString("# Pinhole configuration. Every line is optional; the values shown are the defaults.\n")
	b.WriteString("# The same names work as flags (--name) and environment variables (PINHOLE_NAME).\n\n")
	var c Config
	fs := FlagSet("example", &c)
	for _, o := range options {
		if o.name == "config" {
			continue
		}
		f := fs.Lookup(o.name)
		fmt.Fprintf(&b, "# %s\n#%s = %s\n\n", o.help, o.name, f.DefValue)
	}
	return b.String()
}
