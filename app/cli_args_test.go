package app

import (
	"bytes"
	"flag"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"pinhole/app/config"
)

// TestArgumentsAreNeverTakenForFlags runs the command-line parser of every
// command that takes arguments: flags are found before, between and after
// the arguments; an argument that looks like a negative number (or a list
// starting with one) stays an argument; `--` makes every later word an
// argument, flags included.
func TestArgumentsAreNeverTakenForFlags(t *testing.T) {
	cases := []struct {
		in    []string
		want  []string
		flags map[string]string // the flags set, by name
	}{
		{in: []string{"-33.9,151.2"}, want: []string{"-33.9,151.2"}},
		{in: []string{"--", "-33.9,151.2"}, want: []string{"-33.9,151.2"}},
		{in: []string{"-33.9,151.2", "-22.9,-43.2", "38.7,-9.1"}, want: []string{"-33.9,151.2", "-22.9,-43.2", "38.7,-9.1"}},
		{in: []string{"a", "--data", "/d", "-5", "b"}, want: []string{"a", "-5", "b"}, flags: map[string]string{"data": "/d"}},
		{in: []string{"--data=/d", "-.5", "--", "--data", "/e", "-x", "--"}, want: []string{"-.5", "--data", "/e", "-x", "--"}, flags: map[string]string{"data": "/d"}},
		{in: []string{"-data", "/d", "x", "-log-level", "debug"}, want: []string{"x"}, flags: map[string]string{"data": "/d", "log-level": "debug"}},
		{in: []string{"-", "--log-level=warn"}, want: []string{"-"}, flags: map[string]string{"log-level": "warn"}},
		// A flag's value is taken whatever it looks like.
		{in: []string{"x", "--data", "-1"}, want: []string{"x"}, flags: map[string]string{"data": "-1"}},
	}
	n := 0
	for _, c := range commands() {
		if !c.takesArgs {
			continue
		}
		n++
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range cases {
				cfg, opts := &config.Config{}, &cmdOpts{}
				fs := newFlagSet(&c, cfg, opts)
				var errs bytes.Buffer
				fs.SetOutput(&errs)
				got, err := parseArgs(fs, tc.in)
				if err != nil {
					t.Errorf("%q: %v\n%s", tc.in, err, errs.String())
					continue
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%q: arguments %q, want %q", tc.in, got, tc.want)
				}
				set := map[string]string{}
				fs.Visit(func(f *flag.Flag) { set[f.Name] = f.Value.String() })
				if len(set) != len(tc.flags) || (len(set) > 0 && !reflect.DeepEqual(set, tc.flags)) {
					t.Errorf("%q: flags set %v, want %v", tc.in, set, tc.flags)
				}
			}
		})
	}
	if n < 6 {
		t.Fatalf("only %d commands take arguments; inspect, thumb, places, users, restore and service do", n)
	}
}

// TestCommandFlagsStillWork: a command's own flags, before or after its
// arguments, and an unknown flag is an error rather than an argument.
func TestCommandFlagsStillWork(t *testing.T) {
	cmd := findCommand(t, "users")
	cfg, opts := &config.Config{}, &cmdOpts{}
	fs := newFlagSet(cmd, cfg, opts)
	fs.SetOutput(&bytes.Buffer{})
	got, err := parseArgs(fs, []string{"add", "-ana", "--role", "admin"})
	if err == nil {
		t.Fatalf("-ana (not a number) was taken as an argument: %q", got)
	}
	got, err = parseArgs(fs, []string{"add", "--", "-ana", "--role", "admin"})
	if err != nil || !reflect.DeepEqual(got, []string{"add", "-ana", "--role", "admin"}) || opts.role != "" {
		t.Fatalf("after --: %q, role %q, %v", got, opts.role, err)
	}
	got, err = parseArgs(fs, []string{"add", "ana", "--role", "admin"})
	if err != nil || !reflect.DeepEqual(got, []string{"add", "ana"}) || opts.role != "admin" {
		t.Fatalf("role after the name: %q, role %q, %v", got, opts.role, err)
	}
	cmd = findCommand(t, "index")
	cfg, opts = &config.Config{}, &cmdOpts{}
	fs = newFlagSet(cmd, cfg, opts)
	if got, err := parseArgs(fs, []string{"--data", "/d", "--full"}); err != nil || len(got) != 0 || !opts.full {
		t.Fatalf("index --full: %q full=%v %v", got, opts.full, err)
	}
}

// TestUsageLineMatchesWhatTheParserAccepts ties each command's usage line
// to whether it takes arguments: a usage line naming arguments (FILE…,
// NAME, a subcommand) must belong to a command that accepts them, and a
// command whose usage names only flags must refuse stray words.
func TestUsageLineMatchesWhatTheParserAccepts(t *testing.T) {
	flagOnly := regexp.MustCompile(`\[?--[a-z-]+(?: [^\s\]]+)?\]?`)
	for _, c := range commands() {
		rest := strings.TrimSpace(flagOnly.ReplaceAllString(c.args, ""))
		if names := rest != ""; names != c.takesArgs {
			t.Errorf("%s: usage %q names arguments=%v but takesArgs=%v", c.name, c.args, names, c.takesArgs)
		}
		if c.takesArgs {
			continue
		}
		var out, errs bytes.Buffer
		if code := Main([]string{c.name, "-5", "--data", t.TempDir()}, strings.NewReader(""), &out, &errs); code != 2 || !strings.Contains(errs.String(), "takes no arguments") {
			t.Errorf("pinhole %s -5: exit %d, %q; want 2 and \"takes no arguments\"", c.name, code, errs.String())
		}
	}
}

func findCommand(t *testing.T, name string) *command {
	t.Helper()
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	t.Fatalf("no command %s", name)
	return nil
}
