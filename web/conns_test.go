package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"pinhole/web"
)

// dialFrom opens a TCP connection from a chosen loopback address, so one
// test can be many clients (Linux answers on all of 127.0.0.0/8).
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	c, err := tryDialFrom(from, addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	return c
}

// tryDialFrom is dialFrom for connections the server may refuse: its reset
// can arrive before the dial returns ("connection reset by peer").
func tryDialFrom(from, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 2 * time.Second}
	return d.Dial("tcp", addr)
}

// closedSoon reports whether the server closes c within d without c
// sending anything.
func closedSoon(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return err != nil
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// healthzFrom asks /healthz on a new connection from a given address.
func healthzFrom(t *testing.T, from, addr string) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	c := dialFrom(t, from, addr)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, time.Since(start)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// TestConnectionCaps: a client over its own cap has the excess closed at
// once; at the global cap a client with fewer connections still gets in,
// at the greediest client's expense, and is answered.
func TestConnectionCaps(t *testing.T) {
	e := newEnv(t, nil)
	srv := web.New(web.Deps{DB: e.db, SessionTTL: time.Hour, Conns: web.ConnLimits{Max: 12, PerIP: 5}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	addr := ln.Addr().String()

	// One client opens eight connections and sends nothing: five are held
	// (until the header timeout), three are closed at once.
	var held []net.Conn
	closed := 0
	for i := 0; i < 8; i++ {
		c, err := tryDialFrom("127.0.0.2", addr)
		if err != nil {
			closed++ // refused before the dial even returned
			continue
		}
		defer c.Close()
		held = append(held, c)
	}
	for _, c := range held {
		if closedSoon(c, 500*time.Millisecond) {
			closed++
		}
	}
	if closed != 3 {
		t.Errorf("one client over its cap of 5: %d of 8 connections closed, want 3", closed)
	}
	// Two more clients fill the global cap of 12 (5 + 5 + 2).
	for _, ip := range []string{"127.0.0.3", "127.0.0.3", "127.0.0.3", "127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4"} {
		c := dialFrom(t, ip, addr)
		defer c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	// A further connection from a client already holding as many as the
	// greediest one is refused...
	if c, err := tryDialFrom("127.0.0.3", addr); err == nil {
		defer c.Close()
		if !closedSoon(c, time.Second) {
			t.Error("a connection over the global cap from a greedy client was kept")
		}
	}
	// ...but a new client is answered, promptly.
	for i := 0; i < 3; i++ {
		code, took := healthzFrom(t, "127.0.0.9", addr)
		if code != 200 || took > time.Second {
			t.Errorf("new client at the global cap: /healthz %d in %v, want 200 within 1 s", code, took)
		}
	}
}

// TestSlowBodies: a body that stops arriving, or trickles below the
// minimum rate, gets 408 and its connection closed; a slow but steady
// body is read whole.
func TestSlowBodies(t *testing.T) {
	lim := web.ConnLimits{BodyIdle: time.Second, BodyMinRate: 1000, BodyWindow: 2 * time.Second}
	e := newEnv(t, func(d *web.Deps) { d.Conns = lim })
	addr := strings.TrimPrefix(e.ts.URL, "http://")

	send := func(t *testing.T, body func(w io.Writer), length int) (int, string, time.Duration) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		fmt.Fprintf(c, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", length)
		go body(c)
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		// After a refusal the connection is closed, freeing its descriptor.
		if resp.StatusCode != 200 {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := br.ReadByte(); err == nil || isTimeout(err) {
				t.Errorf("connection still open after the %d", resp.StatusCode)
			}
		}
		return resp.StatusCode, string(b), took
	}

	t.Run("stalled", func(t *testing.T) {
		code, msg, took := send(t, func(w io.Writer) { io.WriteString(w, `{"user`) }, 1000)
		// 400 when the JSON decoder meets the error first; the sentence
		// says why either way.
		if code != 408 && code != 400 || !strings.Contains(msg, "too slowly") || took > 5*time.Second {
			t.Errorf("stalled body: %d %s after %v; want 408 within about 1 s", code, msg, took)
		}
	})
	t.Run("trickling", func(t *testing.T) {
		code, msg, took := send(t, func(w io.Writer) {
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(300 * time.Millisecond) // 3 bytes/s, each under the idle limit
			}
		}, 1000)
		if code != 408 && code != 400 || !strings.Contains(msg, "too slowly") || took > 10*time.Second {
			t.Errorf("trickling body: %d %s after %v; want 408 within about 2 s", code, msg, took)
		}
	})
	t.Run("slow but steady", func(t *testing.T) {
		// 6 KB/s (six times the minimum) for about 3 s: a login body
		// padded with whitespace, read whole, so the answer is the login's.
		login := `{"username":"viewer","password":"` + testPassword + `","bearer":true}`
		pad := strings.Repeat(" ", 18000)
		code, msg, took := send(t, func(w io.Writer) {
			all := pad + login
			for i := 0; i < len(all); i += 600 {
				if _, err := io.WriteString(w, all[i:min(i+600, len(all))]); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}, len(pad)+len(login))
		if code != 200 || took < 2*time.Second {
			t.Errorf("steady body: %d %s after %v; want 200 after about 3 s", code, msg, took)
		}
	})
}
