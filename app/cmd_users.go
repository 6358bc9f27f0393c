package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"pinhole/app/auth"
	"pinhole/db"
)

func runUsers(ctx context.Context, e *env) error {
	// Safe beside a running server (SQLite in WAL mode), not during a restore.
	lock, err := lockShared(e.cfg.Data)
	if err != nil {
		return fmt.Errorf("%w; try again when it is done", err)
	}
	defer lock.release()
	d, _, err := openDatabase(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	return UsersCommand(ctx, d, e.args, e.opts.role, e.stdin, e.stdout, e.stderr)
}

// UsersCommand runs `pinhole users add|passwd|totp-off|rm|ls`:
//
//	pinhole users add NAME [--role admin|user|viewer]   (default role: user)
//	pinhole users passwd NAME
//	pinhole users totp-off NAME   (a lost phone, and no admin who can sign in to reset it)
//	pinhole users rm NAME
//	pinhole users ls
//
// role is the value of --role, which the command line takes anywhere
// (`pinhole users add NAME --role admin`); args are what is left, so a name
// after `--` is a name even if it starts with a dash. Passwords are asked
// for on the terminal without echo, or read as the first line of stdin when
// it is not a terminal, so scripts can pipe them in.
func UsersCommand(ctx context.Context, d *db.DB, args []string, role string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: pinhole users add NAME [--role admin|user|viewer] | passwd NAME | totp-off NAME | rm NAME | ls")
	}
	name := ""
	if len(args) > 1 {
		name = args[1]
	}
	need := func() error {
		if name == "" || len(args) > 2 {
			return fmt.Errorf("usage: pinhole users %s NAME", args[0])
		}
		return nil
	}
	switch args[0] {
	case "add":
		if err := need(); err != nil {
			return err
		}
		if role == "" {
			role = db.RoleUser
		}
		pw, err := readPassword(stdin, stderr, "Password for "+name)
		if err != nil {
			return err
		}
		u, err := auth.AddUser(ctx, d, name, pw, role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s (%s)\n", u.Username, u.Role)
	case "passwd":
		if err := need(); err != nil {
			return err
		}
		pw, err := readPassword(stdin, stderr, "New password for "+name)
		if err != nil {
			return err
		}
		if err := auth.Passwd(ctx, d, name, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions were logged out\n", name)
	case "totp-off":
		if err := need(); err != nil {
			return err
		}
		if err := auth.TOTPOff(ctx, d, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "two-factor sign-in of %s is off; their password alone signs them in\n", name)
	case "rm":
		if err := need(); err != nil {
			return err
		}
		if err := auth.Remove(ctx, d, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s\n", name)
	case "ls":
		us, err := auth.List(ctx, d)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSIGN-IN\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, signInOf(u), u.CreatedAt)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown users command %q: want add, passwd, totp-off, rm or ls", args[0])
	}
	return nil
}

// signInOf says how an account signs in, for `users ls`.
func signInOf(u db.User) string {
	var ways []string
	if u.HasPassword {
		w := "password"
		if u.TOTP {
			w += "+totp"
		}
		ways = append(ways, w)
	}
	if u.OIDC {
		ways = append(ways, "provider")
	}
	if len(ways) == 0 {
		return "-"
	}
	return strings.Join(ways, ",")
}

// readPassword asks twice on a terminal, or reads one line from a pipe.
func readPassword(stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "%s: ", prompt)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
