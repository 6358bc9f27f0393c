// Package version holds the build's version and commit, stamped by the
// linker (-X) in release builds.
package version

import "runtime/debug"

// Set with -ldflags "-X pinhole/app/version.Version=… -X pinhole/app/version.Commit=…".
var (
	Version = "dev"
	Commit  = ""
)

// String is "VERSION (COMMIT)" for logs, the User-Agent and `pinhole version`.
func String() string {
	c := Commit
	if c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					c = s.Value[:12]
				}
			}
		}
	}
	if c == "" {
		return Version
	}
	return Version + " (" + c + ")"
}
