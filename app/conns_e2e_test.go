package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// steadyReader hands out its data at a fixed rate, as a slow Wi-Fi link.
type steadyReader struct {
	data  []byte
	rate  int // bytes per second
	start time.Time
	sent  int
}

func (s *steadyReader) Read(p []byte) (int, error) {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	if s.sent >= len(s.data) {
		return 0, io.EOF
	}
	chunk := min(len(p), s.rate/10, len(s.data)-s.sent)
	due := s.start.Add(time.Duration(float64(s.sent+chunk) / float64(s.rate) * float64(time.Second)))
	time.Sleep(time.Until(due))
	n := copy(p, s.data[s.sent:s.sent+chunk])
	s.sent += n
	return n, nil
}

// TestSlowClientsCannotStarveTheServer runs `pinhole serve` as a child
// with a soft open-files limit of 256 under a hard one of 1024, and
// attacks it with 3 500 slow connections (scripts/slowloris: bodies
// trickled a byte a second, some connections that send nothing, one greedy
// address) for 20 s. Meanwhile /healthz from another client must answer
// within 1 s every time, the server's open descriptors must stay under
// 80% of its limit, and a 64 KB/s upload lasting 10 s must succeed.
func TestSlowClientsCannotStarveTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("20 s attack")
	}
	dir := t.TempDir()
	tool := filepath.Join(dir, "slowloris")
	if out, err := exec.Command("go", "build", "-o", tool, "pinhole/scripts/slowloris").CombinedOutput(); err != nil {
		t.Fatalf("build slowloris: %v %s", err, out)
	}
	originals, data := filepath.Join(dir, "originals"), filepath.Join(dir, "data")
	os.MkdirAll(originals, 0o755)
	if err := os.WriteFile(filepath.Join(originals, "a.jpg"), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 1}), 0o644); err != nil {
		t.Fatal(err)
	}
	addAdmin(t, data)

	addr := freeAddr(t)
	var log bytes.Buffer
	// sh sets the limits (soft below hard, as systemd does) and becomes
	// the server, so its pid is the server's.
	cmd := exec.Command("sh", "-c", `ulimit -Sn 256 && ulimit -Hn 1024 && exec "$0" "$@"`, binary,
		"serve", "--originals", originals, "--data", data, "--listen", addr, "--read-only=false", "--log-level", "info")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Error("server did not stop within 15 s of SIGINT")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
		}
	})
	base := "http://" + addr
	waitFor(t, "server up", 15*time.Second, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	pid := cmd.Process.Pid
	limits, _ := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if !regexpLine(string(limits), "Max open files", "1024", "1024") {
		t.Errorf("the server did not raise its soft open-files limit to the hard one:\n%s", limits)
	}

	// Log in before the attack, for the slow upload during it.
	login := testkit.Login(t, base, "admin", "correct horse battery")

	attack := exec.Command(tool, "-addr", addr, "-pid", strconv.Itoa(pid), "-d", "20s", "-conns", "3000", "-ips", "50", "-greedy", "500")
	var attackOut, attackErr bytes.Buffer
	attack.Stdout, attack.Stderr = &attackOut, &attackErr
	if err := attack.Start(); err != nil {
		t.Fatal(err)
	}

	// The slow-but-steady upload, started once the attack is under way.
	time.Sleep(3 * time.Second)
	photo := testkit.JPEG(testkit.Photo{W: 1070, H: 800, Seed: 7, Noise: true, Quality: 85}) // about 640 KB: 10 s at 64 KB/s
	body, ct := testkit.Multipart([2]string{"slow-wifi.jpg", string(photo)})
	upStart := time.Now()
	req, _ := http.NewRequest("POST", base+"/api/v1/upload", &steadyReader{data: body.Bytes(), rate: 64 << 10})
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+login.Bearer)
	upResp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	upTook := time.Since(upStart)
	if err != nil {
		t.Errorf("slow upload of %d KB: %v after %v", body.Len()>>10, err, upTook)
	} else {
		b, _ := io.ReadAll(upResp.Body)
		upResp.Body.Close()
		if upResp.StatusCode != 200 || !strings.Contains(string(b), `"saved"`) {
			t.Errorf("slow upload of %d KB: %d %s after %v", body.Len()>>10, upResp.StatusCode, b, upTook)
		}
		t.Logf("upload of %d KB at 64 KB/s: %d in %v", body.Len()>>10, upResp.StatusCode, upTook.Round(100*time.Millisecond))
	}

	if err := attack.Wait(); err != nil {
		t.Fatalf("slowloris: %v\n%s", err, attackErr.String())
	}
	lines := strings.Split(strings.TrimSpace(attackOut.String()), "\n")
	var sum struct {
		Probes       int     `json:"probes"`
		ProbesFailed int     `json:"probes_failed"`
		P50          float64 `json:"healthz_p50_ms"`
		Max          float64 `json:"healthz_max_ms"`
		MaxFDs       int     `json:"server_max_fds"`
		FDLimit      int     `json:"server_fd_limit"`
		Dials        int64   `json:"attack_dials"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatalf("slowloris summary: %v\n%s", err, attackOut.String())
	}
	t.Logf("%s", strings.Join(lines[:len(lines)-1], "\n"))
	if e := strings.TrimSpace(attackErr.String()); e != "" {
		t.Logf("slowloris stderr:\n%s", e)
	}
	if sum.Probes < 20 || sum.ProbesFailed > 0 || sum.Max > 1000 {
		t.Errorf("/healthz under attack: %d probes, %d failed, max %.0f ms; want every one within 1 s", sum.Probes, sum.ProbesFailed, sum.Max)
	}
	if sum.FDLimit != 1024 || sum.MaxFDs == 0 || sum.MaxFDs >= sum.FDLimit*8/10 {
		t.Errorf("server descriptors: at most %d of %d, want under 80%%", sum.MaxFDs, sum.FDLimit)
	}
	if sum.Dials < 3500 {
		t.Errorf("the attack made only %d connections", sum.Dials)
	}
	if strings.Contains(log.String(), "too many open files") {
		t.Error("the server ran out of file descriptors")
	}
}

// regexpLine reports whether a line starting with prefix carries the
// given fields next (e.g. the soft and hard limit columns).
func regexpLine(text, prefix string, fields ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			f := strings.Fields(rest)
			if len(f) < len(fields) {
				return false
			}
			for i, want := range fields {
				if f[i] != want {
					return false
				}
			}
			return true
		}
	}
	return false
}
