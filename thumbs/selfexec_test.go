package thumbs

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Some tests run the test binary itself as a child (a crash mid-write, the
// load test, a stand-in for ffmpeg). Under qemu-user without binfmt_misc
// (scripts/test-arm.sh) the kernel cannot start an ARM binary, so
// PINHOLE_TEST_EXEC names the emulator to start it through.

// selfExe is a program path that runs this test binary: the binary itself,
// or a script handing it to the emulator.
func selfExe(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	emu := os.Getenv("PINHOLE_TEST_EXEC")
	if emu == "" {
		return self
	}
	script := filepath.Join(t.TempDir(), "self")
	body := "#!/bin/sh\nexec '" + emu + "' '" + self + "' \"$@\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// selfCommand runs this test binary with args.
func selfCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(selfExe(t), args...)
}
