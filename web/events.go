package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// Live updates (/api/v1/events). Each stream belongs to the session that
// opened it: it ends when that session logs out or is revoked, when its
// user is deleted or their role or password changes (at once for changes
// made through the API; within streamCheckEvery for changes made by
// another process, such as `pinhole users rm`), and when its user opens
// more than maxStreamsPerUser streams (the oldest ends). What a stream
// carries is filtered for its recipient: viewers never get the ids of
// private photos.

// event is one server-sent event.
type event struct {
	name string
	data []byte
}

// stream is one open /api/v1/events connection.
type stream struct {
	ch      chan event
	done    chan struct{} // closed by the broker to end the stream
	session int64
	user    int64
	reader  db.Reader // who reads: private photos only for the owner
	// why the broker ended it, and whether the client should wait long
	// before reconnecting (it would only push out another of its own).
	reason    string
	slowRetry bool
}

// broker fans events out to the open streams. A slow client misses
// events rather than slowing the publisher.
type broker struct {
	mu     sync.Mutex
	subs   map[*stream]struct{}
	byUser map[int64][]*stream // oldest first
	closed bool
}

const (
	// maxStreamsPerUser bounds one account's streams (tabs, devices):
	// opening one more ends that account's oldest.
	maxStreamsPerUser = 8
	// maxStreams bounds all streams (each holds a connection); with the
	// per-user cap no single client can reach it.
	maxStreams = 128
)

// streamCheckEvery is how often a stream checks that its session is still
// alive and its role unchanged (a variable for tests).
var streamCheckEvery = 10 * time.Second

func newBroker() *broker {
	return &broker{subs: map[*stream]struct{}{}, byUser: map[int64][]*stream{}}
}

var errShuttingDown = echo.NewHTTPError(http.StatusServiceUnavailable, "the server is shutting down")

func (b *broker) subscribe(sess db.Session, r db.Reader) (*stream, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errShuttingDown
	}
	if mine := b.byUser[sess.UserID]; len(mine) >= maxStreamsPerUser {
		b.end(mine[0], "this account opened more live-update streams than allowed; the newest stay open", true)
	}
	if len(b.subs) >= maxStreams {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "too many open event streams; try again later")
	}
	st := &stream{ch: make(chan event, 16), done: make(chan struct{}), session: sess.ID, user: sess.UserID, reader: r}
	b.subs[st] = struct{}{}
	b.byUser[st.user] = append(b.byUser[st.user], st)
	return st, nil
}

// end removes a stream and tells it why; call with mu held.
func (b *broker) end(st *stream, reason string, slowRetry bool) {
	if _, ok := b.subs[st]; !ok {
		return
	}
	delete(b.subs, st)
	mine := b.byUser[st.user]
	for i, o := range mine {
		if o == st {
			mine = append(mine[:i:i], mine[i+1:]...)
			break
		}
	}
	if len(mine) == 0 {
		delete(b.byUser, st.user)
	} else {
		b.byUser[st.user] = mine
	}
	st.reason, st.slowRetry = reason, slowRetry
	close(st.done)
}

func (b *broker) unsubscribe(st *stream) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.end(st, "", false)
}

// endWhere ends every stream for which match is true.
func (b *broker) endWhere(match func(*stream) bool, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for st := range b.subs {
		if match(st) {
			b.end(st, reason, false)
		}
	}
}

// endSession ends the streams a session opened (logout, revocation).
func (b *broker) endSession(id int64, reason string) {
	b.endWhere(func(st *stream) bool { return st.session == id }, reason)
}

// endUser ends a user's streams except those of session keep (0: all).
func (b *broker) endUser(userID, keep int64, reason string) {
	b.endWhere(func(st *stream) bool { return st.user == userID && st.session != keep }, reason)
}

// limitedReaders lists the distinct readers of open streams that do not
// see everything (private photos, or other users' private spaces).
func (b *broker) limitedReaders() []db.Reader {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []db.Reader
	for st := range b.subs {
		if (!st.reader.SeesPrivate() || !st.reader.SeesAllSpaces()) && !slices.Contains(out, st.reader) {
			out = append(out, st.reader)
		}
	}
	return out
}

// publish sends an event to every stream; full goes to those that see
// everything, limited[reader] to the others (nothing if it is missing).
func (b *broker) publish(name string, full []byte, limited map[db.Reader][]byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for st := range b.subs {
		data := full
		if !st.reader.SeesPrivate() || !st.reader.SeesAllSpaces() {
			data = limited[st.reader]
			if data == nil {
				data = []byte(`{"changed":[]}`)
			}
		}
		select {
		case st.ch <- event{name, data}:
		default:
		}
	}
}

// close ends every stream (server shutdown).
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for st := range b.subs {
		b.end(st, "the server is shutting down", false)
	}
}

// photosEvent is the "photos" event: which photos changed, and the paths
// an upload saved (only for those who see every photo).
type photosEvent struct {
	Changed  []int64  `json:"changed"`
	Uploaded []string `json:"uploaded,omitempty"`
}

// publishPhotos tells open streams that photos changed. Streams that
// hide private photos get only the ids of non-private ones (an empty list
// still tells them to refresh: a photo they saw may have become private).
func (s *Server) publishPhotos(ctx context.Context, ev photosEvent) {
	if ev.Changed == nil {
		ev.Changed = []int64{}
	}
	full, err := json.Marshal(ev)
	if err != nil {
		return
	}
	// Each reader that does not see everything is told only of the photos
	// it may see (one query per distinct reader, not per stream).
	limited := map[db.Reader][]byte{}
	for _, r := range s.events.limitedReaders() {
		ids, err := s.deps.DB.VisiblePhotoIDs(ctx, ev.Changed, r)
		if err != nil {
			// Refresh without ids rather than risk naming a private one.
			s.log.Warn("filter live update", "err", err)
		} else {
			lim := photosEvent{Changed: ids}
			if r.SeesPrivate() && len(ids) == len(ev.Changed) {
				// Every photo named is one r sees: so are the uploaded
				// files (a user's own upload, or into the library).
				lim.Uploaded = ev.Uploaded
			}
			if b, err := json.Marshal(lim); err == nil {
				limited[r] = b
			}
		}
	}
	s.events.publish("photos", full, limited)
}

// NotifyPhotos tells every open /api/v1/events stream that these photos
// changed (the indexer stored a batch), so open timelines refresh.
func (s *Server) NotifyPhotos(ids []int64) {
	s.publishPhotos(context.Background(), photosEvent{Changed: ids})
}

func (s *Server) eventStream(c echo.Context) error {
	cl := callerOf(c)
	sess := *cl.session
	st, err := s.events.subscribe(sess, cl.reader)
	if err != nil {
		return err
	}
	defer s.events.unsubscribe(st)
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
	// closing tells the client why its stream ends.
	closing := func(reason string, slowRetry bool) {
		if slowRetry {
			// EventSource reconnects by itself; from a tab pushed out
			// by the per-user cap, not at once.
			_, _ = fmt.Fprint(w, "retry: 60000\n")
		}
		b, _ := json.Marshal(map[string]string{"reason": reason})
		_ = send("closed", b)
	}
	var last []byte
	progress := func() error {
		if s.deps.Index == nil {
			return nil
		}
		p := s.deps.Index.Progress()
		if !cl.reader.SeesPrivate() || !cl.reader.SeesAllSpaces() {
			p.Current = "" // the file being read may be a private photo's
		}
		b, err := json.Marshal(p)
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
	check := time.NewTicker(streamCheckEvery)
	defer check.Stop()
	ctx := c.Request().Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-st.done:
			closing(st.reason, st.slowRetry)
			return nil
		case ev := <-st.ch:
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
		case <-check.C:
			// Changes made by another process (the users command) reach
			// no broker: ask the database.
			cur, err := s.deps.DB.SessionByID(ctx, sess.ID)
			if errors.Is(err, db.ErrNotFound) {
				closing("the session ended", false)
				return nil
			}
			if err == nil && cur.Role != sess.Role {
				closing("the account's role changed", false)
				return nil
			}
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
