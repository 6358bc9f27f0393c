// Command benchlimiter measures the sign-in limits of a running Pinhole:
// it creates the admin if the server is new, sends N wrong passwords for
// that name at once from one local address, then logs in with the right
// password from another, and prints how the server answered and how fast.
//
//	benchlimiter -url http://127.0.0.1:8079 -n 200
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

func client(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 256}, Timeout: 2 * time.Minute}
}

func post(c *http.Client, url string, body any) (int, time.Duration, error) {
	js, _ := json.Marshal(body)
	start := time.Now()
	resp, err := c.Post(url, "application/json", bytes.NewReader(js))
	if err != nil {
		return 0, 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8079", "server")
	n := flag.Int("n", 200, "concurrent wrong passwords")
	attacker := flag.String("from", "127.0.0.2", "local address the guesses come from")
	owner := flag.String("owner", "127.0.0.3", "local address the owner logs in from")
	flag.Parse()
	const name, password = "admin", "the right long password"
	if code, _, err := post(http.DefaultClient, *base+"/api/v1/setup", map[string]any{"username": name, "password": password}); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	} else if code != 201 && code != 409 {
		fmt.Fprintln(os.Stderr, "setup: status", code)
		os.Exit(1)
	}
	ac := client(*attacker)
	codes := map[int]int{}
	lat := map[int][]time.Duration{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < *n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			code, d, err := post(ac, *base+"/api/v1/session", map[string]any{"username": name, "password": fmt.Sprintf("guess %d", i)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				codes[-1]++
				return
			}
			codes[code]++
			lat[code] = append(lat[code], d)
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	wall := time.Since(start)
	fmt.Printf("%d wrong passwords at once from %s, all answered in %s\n", *n, *attacker, wall.Round(time.Millisecond))
	keys := make([]int, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		ds := lat[k]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		if len(ds) == 0 {
			fmt.Printf("  status %d: %d\n", k, codes[k])
			continue
		}
		fmt.Printf("  status %d: %d  (p50 %s, p99 %s, max %s)\n", k, codes[k],
			ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)*99/100].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	code, d, err := post(client(*owner), *base+"/api/v1/session", map[string]any{"username": name, "password": password})
	fmt.Printf("the owner from %s with the right password: status %d in %s %v\n", *owner, code, d.Round(time.Millisecond), errOrEmpty(err))
	code, d, err = post(ac, *base+"/api/v1/session", map[string]any{"username": name, "password": password})
	fmt.Printf("the attacker's address with the right password: status %d in %s %v\n", code, d.Round(time.Millisecond), errOrEmpty(err))
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
