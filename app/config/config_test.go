package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	c := &Config{}
	fs := FlagSet("test", c)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := Resolve(fs, func(k string) string { return env[k] }); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

func TestPrecedenceFlagsEnvFileDefaults(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pinhole.conf")
	os.WriteFile(file, []byte("# comment\noriginals = /from/file\nlisten = \"127.0.0.1:9000\"\nworkers = 3\ndebounce = 5s\n"), 0o644)
	cases := []struct {
		name      string
		args      []string
		env       map[string]string
		originals string
		listen    string
		workers   int
	}{
		{"defaults", nil, nil, "", DefaultListen, -1},
		{"file", []string{"--config", file}, nil, "/from/file", "127.0.0.1:9000", 3},
		{"env beats file", []string{"--config", file}, map[string]string{"PINHOLE_ORIGINALS": "/from/env"}, "/from/env", "127.0.0.1:9000", 3},
		{"flag beats env", []string{"--config", file, "--originals", "/from/flag"}, map[string]string{"PINHOLE_ORIGINALS": "/from/env"}, "/from/flag", "127.0.0.1:9000", 3},
		{"config file named by env", nil, map[string]string{"PINHOLE_CONFIG": file, "PINHOLE_WORKERS": "5"}, "/from/file", "127.0.0.1:9000", 5},
		{"flag equal to default still wins", []string{"--config", file, "--listen", DefaultListen}, nil, "/from/file", DefaultListen, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Originals != tc.originals || c.Listen != tc.listen {
				t.Errorf("originals %q listen %q, want %q %q", c.Originals, c.Listen, tc.originals, tc.listen)
			}
			if tc.workers > 0 && c.Workers != tc.workers {
				t.Errorf("workers %d, want %d", c.Workers, tc.workers)
			}
		})
	}
	c, _ := parse(t, []string{"--config", file}, nil)
	if c.Debounce != 5*time.Second {
		t.Errorf("debounce from file = %s", c.Debounce)
	}
}

func TestInvalidValuesAreClearErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(file, []byte("colour = blue\n"), 0o644)
	cases := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"unknown file key": {[]string{"--config", file}, nil, `unknown option "colour"`},
		"bad env value":    {nil, map[string]string{"PINHOLE_WORKERS": "many"}, "PINHOLE_WORKERS"},
		"bad listen":       {[]string{"--listen", "nowhere"}, nil, "--listen"},
		"bad level":        {[]string{"--log-level", "loud"}, nil, "--log-level"},
		"tls half":         {[]string{"--tls-cert", "c.pem"}, nil, "go together"},
		"upload escapes":   {[]string{"--upload-folder", "../x"}, nil, "inside the originals"},
		"missing file":     {[]string{"--config", "/nonexistent/pinhole.conf"}, nil, "config file"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parse(t, tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestExampleFileListsEveryOptionAndParses(t *testing.T) {
	ex := ExampleFile()
	for _, o := range options {
		if o.name != "config" && !strings.Contains(ex, "#"+o.name+" = ") {
			t.Errorf("example config lacks %s", o.name)
		}
	}
	// Uncommenting every line gives a valid config file.
	var lines []string
	for _, l := range strings.Split(ex, "\n") {
		if strings.HasPrefix(l, "#") && strings.Contains(l, " = ") && !strings.HasPrefix(l, "# ") {
			lines = append(lines, strings.TrimPrefix(l, "#"))
		}
	}
	file := filepath.Join(t.TempDir(), "all.conf")
	os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644)
	if _, err := parse(t, []string{"--config", file}, nil); err != nil {
		t.Fatalf("uncommented example config: %v", err)
	}
}

// --trusted-proxies takes addresses and ranges; the removed blanket
// option is an error that names its replacement, in a file or the
// environment.
func TestTrustedProxiesOption(t *testing.T) {
	c, err := parse(t, []string{"--trusted-proxies", "127.0.0.1, 192.168.1.0/28 ::1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Proxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "127.0.0.1/32 192.168.1.0/28 ::1/128" {
		t.Errorf("proxies %v", got)
	}
	if c, err := parse(t, nil, nil); err != nil || len(c.Proxies) != 0 {
		t.Errorf("default: %v %v, want none", c.Proxies, err)
	}
	for _, bad := range []string{"nas.local", "10.0.0.0/33", "0.0.0.0/0", "::/0"} {
		if _, err := parse(t, []string{"--trusted-proxies", bad}, nil); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	file := filepath.Join(t.TempDir(), "old.conf")
	os.WriteFile(file, []byte("trust-proxy-headers = true\n"), 0o644)
	if _, err := parse(t, []string{"--config", file}, nil); err == nil || !strings.Contains(err.Error(), "trusted-proxies") {
		t.Errorf("old option in a file: %v", err)
	}
	if _, err := parse(t, nil, map[string]string{"PINHOLE_TRUST_PROXY_HEADERS": "true"}); err == nil || !strings.Contains(err.Error(), "trusted-proxies") {
		t.Errorf("old option in the environment: %v", err)
	}
}

// Defaults is what parsing nothing gives, and options whose zero the
// packages below used to replace silently with their own default (web's
// 2048 MB uploads and 30-day sessions, the watcher's 2 s debounce) are
// refused at zero with the option's name instead.
func TestDefaultsAndZeroOptionsRefused(t *testing.T) {
	parsed, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	def := Defaults()
	if def.UploadFolder != parsed.UploadFolder || def.UploadLimitMB != parsed.UploadLimitMB ||
		def.SessionTTL != parsed.SessionTTL || def.MaxMegapixels != parsed.MaxMegapixels || def.Debounce != parsed.Debounce ||
		def.MaxConns != parsed.MaxConns || def.UploadLimitMB == 0 {
		t.Errorf("Defaults() %+v differs from parsing no flags %+v", def, *parsed)
	}
	for _, arg := range []string{"--upload-limit-mb=0", "--session-ttl=0s", "--debounce=0s"} {
		_, err := parse(t, []string{arg}, nil)
		name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming %s", arg, err, name)
		}
	}
}

// Sign-in options: a provider needs its client id and the public URL,
// talks https (http only to this machine), takes the secret from a file
// (so it is not in the environment), and local-login=false needs a
// provider.
func TestSignInOptions(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "oidc-secret")
	os.WriteFile(secret, []byte("s3cret value\nignored second line\n"), 0o600)
	ok := []string{"--oidc-issuer", "https://auth.example.com", "--oidc-client-id", "pinhole",
		"--public-url", "https://photos.example.com/", "--oidc-client-secret-file", secret, "--oidc-scopes", "openid profile,email groups"}
	c, err := parse(t, ok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCClientSecret != "s3cret value" || c.PublicURL != "https://photos.example.com" ||
		c.OIDCRedirectURL() != "https://photos.example.com/api/v1/oidc/callback" || strings.Join(c.OIDCScopes, " ") != "openid profile email groups" ||
		c.OIDCLinkBy != "email" || c.OIDCDefaultRole != "" || !c.LocalLogin {
		t.Errorf("parsed %+v", c)
	}
	// The secret may come from the environment too (the file is better).
	c, err = parse(t, ok[:6], map[string]string{"PINHOLE_OIDC_CLIENT_SECRET": "from env"})
	if err != nil || c.OIDCClientSecret != "from env" {
		t.Errorf("secret from the environment: %q %v", c.OIDCClientSecret, err)
	}
	if _, err := parse(t, []string{"--oidc-issuer", "http://127.0.0.1:5556", "--oidc-client-id", "p", "--public-url", "http://nas.local:8077",
		"--local-login=false", "--break-glass-admin", "root"}, nil); err != nil {
		t.Errorf("http issuer on this machine: %v", err)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no client id":         {[]string{"--oidc-issuer", "https://a.example", "--public-url", "https://p.example"}, "--oidc-client-id"},
		"no public url":        {[]string{"--oidc-issuer", "https://a.example", "--oidc-client-id", "p"}, "--public-url"},
		"http issuer":          {[]string{"--oidc-issuer", "http://auth.lan", "--oidc-client-id", "p", "--public-url", "https://p.example"}, "https://"},
		"public url path":      {[]string{"--public-url", "https://p.example/photos"}, "--public-url"},
		"public url scheme":    {[]string{"--public-url", "p.example"}, "--public-url"},
		"secret twice":         {append(append([]string{}, ok...), "--oidc-client-secret", "x"), "give one"},
		"missing secret file":  {[]string{"--oidc-client-secret-file", filepath.Join(dir, "none")}, "--oidc-client-secret-file"},
		"bad default role":     {append(append([]string{}, ok...), "--oidc-default-role", "owner"), "--oidc-default-role"},
		"bad link-by":          {append(append([]string{}, ok...), "--oidc-link-by", "name"), "--oidc-link-by"},
		"local off, no issuer": {[]string{"--local-login=false"}, "--local-login=false needs"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parse(t, tc.args, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// The video options: defaults a Pi with a big disk can live with, and
// values outside what ffmpeg can make refused with the option's name.
func TestVideoOptions(t *testing.T) {
	c, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.VideoCacheMB != 10240 || c.VideoMaxHeight != 1080 || !c.VideoHWEncoder {
		t.Errorf("defaults: cache %d MB, height %d, hardware %v", c.VideoCacheMB, c.VideoMaxHeight, c.VideoHWEncoder)
	}
	if c.VideoDir() != filepath.Join(c.Data, "cache", "video") {
		t.Errorf("video cache in %s", c.VideoDir())
	}
	c, err = parse(t, []string{"--video-max-height", "720"}, map[string]string{"PINHOLE_VIDEO_CACHE_MB": "2048", "PINHOLE_VIDEO_HW_ENCODER": "false"})
	if err != nil || c.VideoMaxHeight != 720 || c.VideoCacheMB != 2048 || c.VideoHWEncoder {
		t.Errorf("set: %+v, %v", c, err)
	}
	for _, args := range [][]string{{"--video-max-height", "100"}, {"--video-max-height", "8640"}, {"--video-cache-mb", "10"}} {
		if _, err := parse(t, args, nil); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v: %v, want an error naming the option", args, err)
		}
	}
}
