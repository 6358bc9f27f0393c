package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"pinhole/app/config"
	"pinhole/app/version"
	"pinhole/thumbs"
)

// command is one `pinhole` subcommand.
type command struct {
	name, args, summary string
	// takesArgs: the command reads positional arguments (FILE…, NAME, a
	// subcommand); the others refuse any, so a stray word is not ignored.
	takesArgs bool
	// flags adds the command's own flags; common options are added for all.
	flags func(fs *flag.FlagSet, o *cmdOpts)
	run   func(ctx context.Context, e *env) error
}

// cmdOpts holds command-specific flag values.
type cmdOpts struct {
	full   bool
	sizes  string
	size   string
	out    string
	role   string
	count  int
	mp     string
	seed   int64
	format string
	to     string
}

// env is what a running command gets.
type env struct {
	cfg    *config.Config
	opts   *cmdOpts
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

func commands() []command {
	return []command{
		{name: "serve", summary: "index the originals, watch them and serve the web app (the default)", run: runServe},
		{name: "index", args: "[--full]", summary: "index the originals once and print a summary",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.BoolVar(&o.full, "full", false, "re-read every file, even unchanged ones")
			}, run: runIndex},
		{name: "inspect", takesArgs: true, args: "FILE…", summary: "print what Pinhole reads from each file as JSON", run: runInspect},
		{name: "demo", args: "[--out DIR] [--count N] [--megapixels MIN-MAX]", summary: "generate a demo library of synthetic photos",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.out, "out", "", "folder to write into (default DATA/demo)")
				fs.IntVar(&o.count, "count", 0, "number of photos (default: the demo library's)")
				fs.StringVar(&o.mp, "megapixels", "", "photo size range in megapixels, e.g. 8-24")
				fs.Int64Var(&o.seed, "seed", 1, "random seed; the same seed gives the same files")
			}, run: runDemo},
		{name: "thumbs", args: "[--sizes " + strings.Join(thumbs.WarmSizeNames(), ",") + "]", summary: "render and cache thumbnails of every photo ahead of time",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.sizes, "sizes", strings.Join(thumbs.WarmSizeNames(), ","), "comma-separated sizes: "+strings.Join(thumbs.SizeNames(), ", "))
			}, run: runThumbs},
		{name: "thumb", takesArgs: true, args: "--size SIZE --out DIR FILE…", summary: "render thumbnails of files outside any library",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.size, "size", "fit_720", "thumbnail size: "+strings.Join(thumbs.SizeNames(), ", "))
				fs.StringVar(&o.out, "out", "", "folder for the outputs, named after the inputs")
			}, run: runThumb},
		{name: "places", takesArgs: true, args: "lookup LAT,LNG… | update", summary: "resolve positions to places, or re-resolve every photo's place", run: runPlaces},
		{name: "users", takesArgs: true, args: "add NAME [--role admin|user|viewer] | passwd NAME | totp-off NAME | rm NAME | ls", summary: "manage accounts (passwords are read from the terminal or standard input)",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.role, "role", "", "role for users add: admin, user or viewer (default user)")
			}, run: runUsers},
		{name: "sidecars", takesArgs: true, args: "export [--to DIR]", summary: "write the XMP sidecar of every edited photo (beside the originals with --write-sidecars, else in DATA/sidecars)",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.to, "to", "", "write them into this folder instead, mirroring the originals' folders")
			}, run: runSidecars},
		{name: "backup", args: "[--out FILE]", summary: "write a consistent snapshot of the database (safe while serving)",
			flags: func(fs *flag.FlagSet, o *cmdOpts) {
				fs.StringVar(&o.out, "out", "", "backup file (default DATA/backups/pinhole-DATE.db)")
			}, run: runBackup},
		{name: "restore", takesArgs: true, args: "FILE", summary: "check a backup and put it in place of the database (stop the server first)", run: runRestore},
		{name: "doctor", summary: "check the setup and print what to fix", run: runDoctor},
		{name: "service", takesArgs: true, args: "install|uninstall|start|stop|restart|status", summary: "manage Pinhole as a system service (for a copied binary; the .deb installs one)", run: runService},
		{name: "config", summary: "print a commented config file with every option and its default", run: func(_ context.Context, e *env) error {
			fmt.Fprint(e.stdout, config.ExampleFile())
			return nil
		}},
		{name: "version", summary: "print the version", run: func(_ context.Context, e *env) error {
			fmt.Fprintf(e.stdout, "pinhole %s\n", version.String())
			return nil
		}},
	}
}

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	restrictUmask()
	cmds := commands()
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		name = "help"
	}
	if name == "help" {
		usage(stdout, cmds)
		return 0
	}
	var cmd *command
	for i := range cmds {
		if cmds[i].name == name {
			cmd = &cmds[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "pinhole: unknown command %q\n\n", name)
		usage(stderr, cmds)
		return 2
	}
	cfg := &config.Config{}
	opts := &cmdOpts{}
	fs := newFlagSet(cmd, cfg, opts)
	fs.SetOutput(stderr)
	positional, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	} else if err != nil {
		return 2 // the flag package printed the error and the usage
	}
	if len(positional) > 0 && !cmd.takesArgs {
		fmt.Fprintf(stderr, "pinhole %s takes no arguments, got %q\n\n", cmd.name, positional)
		fs.Usage()
		return 2
	}
	if err := config.Resolve(fs, os.Getenv); err != nil {
		fmt.Fprintf(stderr, "pinhole: %v\n", err)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "pinhole: %v\n", err)
		return 2
	}
	level, _ := config.ParseLevel(cfg.LogLevel)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{cfg: cfg, opts: opts, args: positional, stdin: stdin, stdout: stdout, stderr: stderr, log: log}
	if err := cmd.run(ctx, e); err != nil {
		if errors.Is(err, errUsage) {
			fs.Usage()
			return 2
		}
		fmt.Fprintf(stderr, "pinhole %s: %v\n", cmd.name, err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// newFlagSet is a command's flags: the common options and its own.
func newFlagSet(cmd *command, cfg *config.Config, opts *cmdOpts) *flag.FlagSet {
	fs := config.FlagSet("pinhole "+cmd.name, cfg)
	if cmd.flags != nil {
		cmd.flags(fs, opts)
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: pinhole %s [options] %s\n\n%s.\n\nOptions (each also PINHOLE_NAME in the environment or name = value in --config):\n",
			cmd.name, cmd.args, capitalize(cmd.summary))
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs sets the flags found anywhere in args and returns the other
// arguments in order, so flags may come before, between or after them
// (`pinhole users add NAME --role admin --data DIR`). Two rules keep
// arguments from being taken for flags: one that looks like a negative
// number, or a list starting with one (`-33.9,151.2`), is an argument, as
// is everything after `--`. A lone `-` is an argument too.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(a) < 2 || a[0] != '-' || looksNegative(a):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			// A flag that takes a value takes the next argument whatever
			// it looks like (`--count -5` is refused by the command, not
			// mistaken for a flag).
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return append(positional, fs.Args()...), nil
}

// looksNegative reports whether a starts like a negative number: -5, -0.5,
// -.5, -33.9,151.2. No flag name starts with a digit or a dot.
func looksNegative(a string) bool {
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	b := a[1:]
	if b[0] == '.' {
		b = b[1:]
	}
	return b != "" && b[0] >= '0' && b[0] <= '9'
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintf(w, "Pinhole %s — a self-hosted photo library in one small binary.\n\nUsage: pinhole [command] [options]\n\nCommands:\n", version.String())
	sorted := append([]command(nil), cmds...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nWith no command, pinhole serves. Run `pinhole COMMAND --help` for a command's options.\n\nOptions for every command (flag, PINHOLE_* environment variable, or name = value in --config):\n")
	fs := config.FlagSet("pinhole", &config.Config{})
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
