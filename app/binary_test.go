package app_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The binary people run carries no test code: nothing of the test kit or
// the corpus finder, not the testing package, and none of what only the
// synthetic tag builds for tests (the synthetic library, the test clock,
// the flag setter, the password counter, the CMYK encoder) nor the
// methods only tests call, which live in _test.go files. The end-to-end
// binary checked here is the release build plus the testhooks tag, which
// only lets the tests lower the inotify watch limit.
func TestBinaryCarriesNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", binary).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	syms := string(out)
	if !strings.Contains(syms, "pinhole/thumbs.Render") {
		t.Fatalf("no pinhole symbols in the nm output: is the binary stripped?\n%.500s", syms)
	}
	testOnly := regexp.MustCompile(`(?m)^\s*[0-9a-f]*\s+[TtDdRrBb]\s+(` + strings.Join([]string{
		`testing\.`, `pinhole/app/testkit\.`, `pinhole/app/corpus\.`,
		`pinhole/db\.\(\*DB\)\.(InsertSynthetic|SetClock|SetFlag)$`,
		`pinhole/app/auth\.PasswordChecks$`, `pinhole/app/auth\.\(\*Limiter\)\.(Blocked|Fail)$`,
		`pinhole/app/index\.\(\*Indexer\)\.FilesOpened$`, `pinhole/app/upstream\.\(\*Budget\)\.Denied$`,
		`pinhole/thumbs/internal/turbo\.EncodeCMYK$`, `pinhole/web\.\(\*Server\)\.(Echo|Auth|TokenRoutes)$`,
	}, "|") + `)\S*`)
	if found := testOnly.FindAllString(syms, 10); len(found) > 0 {
		t.Errorf("the binary links test code:\n%s", strings.Join(found, "\n"))
	}
}
