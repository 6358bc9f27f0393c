// Command slowloris attacks a Pinhole server with slow clients and
// measures whether it still answers: thousands of connections from many
// loopback addresses trickle a request body one byte a second (some only
// open the connection and send nothing, one greedy address opens hundreds),
// reconnecting whenever the server closes them, while a separate client
// asks /healthz on a fresh connection every few hundred milliseconds. With
// -pid it samples the server's open file descriptors from /proc.
//
// It prints a JSON summary on the last line (the end-to-end test reads it):
//
//	go run ./scripts/slowloris -addr 127.0.0.1:8077 -pid 1234 -d 20s
//
// Loopback only: the attack addresses are 127.0.0.x.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Summary is the run's outcome.
type Summary struct {
	Probes       int     `json:"probes"`
	ProbesFailed int     `json:"probes_failed"`
	P50ms        float64 `json:"healthz_p50_ms"`
	P95ms        float64 `json:"healthz_p95_ms"`
	MaxMs        float64 `json:"healthz_max_ms"`
	Dials        int64   `json:"attack_dials"`
	DialErrors   int64   `json:"attack_dial_errors"`
	ClosedEarly  int64   `json:"attack_closed_by_server"`
	FirstDialErr string  `json:"first_dial_error,omitempty"`
	MaxFDs       int     `json:"server_max_fds"`
	FDLimit      int     `json:"server_fd_limit"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8077", "server address (loopback)")
	conns := flag.Int("conns", 3000, "slow connections kept up across the attack addresses")
	ips := flag.Int("ips", 50, "attack source addresses, 127.0.0.2 upwards")
	greedy := flag.Int("greedy", 500, "extra connections from one more address, 127.0.0.250")
	idleShare := flag.Float64("idle-share", 0.2, "share of connections that send nothing at all")
	dur := flag.Duration("d", 20*time.Second, "attack duration")
	every := flag.Duration("probe", 200*time.Millisecond, "interval between /healthz probes")
	probeFrom := flag.String("probe-from", "127.0.0.1", "address the /healthz probes come from")
	path := flag.String("path", "/api/v1/session", "route the slow bodies are sent to")
	pid := flag.Int("pid", 0, "server process to sample open descriptors of (0: none)")
	flag.Parse()

	raiseLimit()
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var s Summary
	var wg sync.WaitGroup
	var dials, dialErrs, closed atomic.Int64
	start := func(from string, idle bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attack(ctx, *addr, from, *path, idle, &dials, &dialErrs, &closed)
		}()
	}
	for i := 0; i < *conns; i++ {
		idle := float64(i%100) < *idleShare*100
		start(fmt.Sprintf("127.0.0.%d", 2+i%*ips), idle)
		if i%100 == 99 {
			time.Sleep(10 * time.Millisecond) // a ramp, not one burst
		}
	}
	for i := 0; i < *greedy; i++ {
		start("127.0.0.250", false)
	}

	var fdMax atomic.Int64
	if *pid > 0 {
		s.FDLimit = fdLimit(*pid)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				if n := countFDs(*pid); int64(n) > fdMax.Load() {
					fdMax.Store(int64(n))
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}

	// Let the attack build up before the first probe.
	time.Sleep(min(*dur/5, 3*time.Second))
	var lat []float64
	t := time.NewTicker(*every)
	for ctx.Err() == nil {
		ms, err := probe(*addr, *probeFrom)
		s.Probes++
		if err != nil {
			s.ProbesFailed++
			fmt.Fprintf(os.Stderr, "probe failed after %.0f ms: %v\n", ms, err)
		}
		lat = append(lat, ms)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	t.Stop()
	wg.Wait()
	sort.Float64s(lat)
	if n := len(lat); n > 0 {
		s.P50ms, s.P95ms, s.MaxMs = lat[n/2], lat[min(n-1, n*95/100)], lat[n-1]
	}
	s.Dials, s.DialErrors, s.ClosedEarly = dials.Load(), dialErrs.Load(), closed.Load()
	s.MaxFDs = int(fdMax.Load())
	if e, ok := firstDialErr.Load().(string); ok {
		s.FirstDialErr = e
	}
	fmt.Printf("healthz under attack: %d probes, %d failed, p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
		s.Probes, s.ProbesFailed, s.P50ms, s.P95ms, s.MaxMs)
	fmt.Printf("attack: %d dials (%d failed), %d connections closed by the server\n", s.Dials, s.DialErrors, s.ClosedEarly)
	if s.FirstDialErr != "" {
		fmt.Printf("first failed dial: %s\n", s.FirstDialErr)
	}
	if *pid > 0 {
		fmt.Printf("server open descriptors: at most %d of a limit of %d\n", s.MaxFDs, s.FDLimit)
	}
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
}

// firstDialErr is the first failed dial's error, to tell a server
// refusing connections from a client running out of ports.
var firstDialErr atomic.Value

// attack keeps one slow connection open from an address until ctx ends,
// opening a new one whenever the server closes it.
func attack(ctx context.Context, addr, from, path string, idle bool, dials, dialErrs, closed *atomic.Int64) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 3 * time.Second}
	for ctx.Err() == nil {
		dials.Add(1)
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			if dialErrs.Add(1) == 1 {
				firstDialErr.Store(err.Error())
			}
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		gone := make(chan struct{})
		go func() { // notices the server closing the connection
			_, _ = io.Copy(io.Discard, c)
			close(gone)
		}()
		if !idle {
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{", path)
		}
		tick := time.NewTicker(time.Second)
	trickle:
		for {
			select {
			case <-ctx.Done():
				break trickle
			case <-gone:
				closed.Add(1)
				break trickle
			case <-tick.C:
				if !idle {
					if _, err := c.Write([]byte(" ")); err != nil {
						closed.Add(1)
						break trickle
					}
				}
			}
		}
		tick.Stop()
		c.Close()
		<-gone
		// Come back a second later: a patient attacker, not a SYN flood.
		sleep(ctx, time.Second)
	}
}

// probe asks /healthz on a new connection and returns the time to the
// whole answer.
func probe(addr, from string) (float64, error) {
	start := time.Now()
	ms := func() float64 { return float64(time.Since(start).Microseconds()) / 1000 }
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return ms(), err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		return ms(), err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return ms(), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return ms(), err
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// raiseLimit lets this process open as many sockets as its hard limit.
func raiseLimit() {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}

func countFDs(pid int) int {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		return 0
	}
	return len(entries)
}

// fdLimit reads the soft "Max open files" of a process.
func fdLimit(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(strings.TrimPrefix(line, "Max open files"))
			if len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}
