package thumbs

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// A process killed in the middle of writing a cache file leaves no
// truncated thumbnail behind: the final name never appears, the temporary
// file is removed by the next start, and the next request renders afresh.
func TestKillDuringWrite(t *testing.T) {
	dir := t.TempDir()
	size := mustSize(t, "tile_224")
	hash := hashOf("killed")
	final := filepath.Join(dir, hash[0:2], hash[2:4], cacheName(hash, size))
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := selfCommand(t, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PINHOLE_THUMBS_CHILD=slow-writer", "PINHOLE_THUMBS_TARGET="+final)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "writing" {
		t.Fatalf("child did not start writing: %q %v", line, err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	cmd.Wait()

	if _, err := os.Stat(final); !os.IsNotExist(err) {
		t.Fatalf("final cache file exists after a killed write: %v", err)
	}
	temps, _ := filepath.Glob(filepath.Join(filepath.Dir(final), tempPrefix+"*"))
	if len(temps) != 1 {
		t.Fatalf("want the killed write's temp file, found %v", temps)
	}
	if st, err := os.Stat(temps[0]); err != nil || st.Size() == 0 {
		t.Fatalf("temp file should hold the partial write: %v", err)
	}

	s := newService(t, Config{CacheDir: dir})
	if _, err := os.Stat(temps[0]); !os.IsNotExist(err) {
		t.Errorf("startup scan left the temp file: %v", err)
	}
	r, err := s.Get(context.Background(), Source{Path: corpus.Path(t, "exif-py/jpg/orientation/landscape_1.jpg"), Hash: hash}, size)
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != final || s.Stats().Renders != 1 {
		t.Errorf("want a fresh render into %s, got %+v / %+v", final, r, s.Stats())
	}
	decodeBytes(t, resultBytes(t, r))
}
