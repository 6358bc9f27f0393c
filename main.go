// Command pinhole is a self-hosted photo library in one small binary: it
// indexes a photo folder into SQLite, keeps watching it, renders thumbnails
// lazily and serves a web app. Run `pinhole --help` for the commands.
package main

import (
	"os"

	"pinhole/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
