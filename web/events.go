package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// event is one server-sent event.
type event struct {
	name string
	data []byte
}

// broker fans events out to the connected event streams. A slow client
// misses events rather than slowing the publisher.
type broker struct {
	mu     sync.Mutex
	subs   map[chan event]struct{}
	closed bool
}

// maxStreams bounds open event streams (each holds a connection).
const maxStreams = 64

func newBroker() *broker { return &broker{subs: map[chan event]struct{}{}} }

func (b *broker) subscribe() (chan event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || len(b.subs) >= maxStreams {
		return nil, false
	}
	ch := make(chan event, 16)
	b.subs[ch] = struct{}{}
	return ch, true
}

func (b *broker) unsubscribe(ch chan event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[ch]; ok {
		delete(b.subs, ch)
		close(ch)
	}
}

func (b *broker) publish(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- event{name, data}:
		default:
		}
	}
}

// close ends every stream (server shutdown).
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// Notify sends an event to every open /api/v1/events stream, e.g.
// Notify("photos", map[string]any{"changed": ids}) after the indexer
// stored a batch, so open timelines refresh.
func (s *Server) Notify(name string, data any) { s.events.publish(name, data) }

func (s *Server) eventStream(c echo.Context) error {
	ch, ok := s.events.subscribe()
	if !ok {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "too many open event streams; try again later")
	}
	defer s.events.unsubscribe(ch)
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	send := func(name string, data []byte) error {
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); err != nil {
			return err
		}
		w.Flush()
		return nil
	}
	var last []byte
	progress := func() error {
		if s.deps.Index == nil {
			return nil
		}
		b, err := json.Marshal(s.deps.Index.Progress())
		if err != nil || bytes.Equal(b, last) {
			return nil
		}
		last = b
		return send("progress", b)
	}
	if err := progress(); err != nil {
		return nil
	}
	if s.deps.Index == nil {
		_, _ = fmt.Fprint(w, ": connected\n\n")
		w.Flush()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	keep := time.NewTicker(20 * time.Second)
	defer keep.Stop()
	ctx := c.Request().Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-ch:
			if !ok {
				return nil
			}
			if err := send(ev.name, ev.data); err != nil {
				return nil
			}
		case <-tick.C:
			if err := progress(); err != nil {
				return nil
			}
		case <-keep.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

func (s *Server) rescan(c echo.Context) error {
	if s.deps.Index == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "indexing is not available in this server")
	}
	if !s.deps.Index.Rescan() {
		return echo.NewHTTPError(http.StatusConflict, "a scan is already running")
	}
	s.log.Info("rescan requested", "by", callerOf(c).session.Username)
	return c.JSON(http.StatusAccepted, map[string]bool{"started": true})
}
