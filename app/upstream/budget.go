package upstream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Budget limits requests to an online service with token buckets: one per
// client (a user of Pinhole) and one for everyone. Public tile servers and
// geocoders ban addresses that ask too much, and a home has one address:
// one person panning a map wildly must not get it banned for the whole
// household. Only requests that reach the service are charged; answers
// from a cache are free. A nil *Budget allows everything. It is safe for
// concurrent use.
type Budget struct {
	perClient, global Rate
	now               func() time.Time

	mu      sync.Mutex
	all     bucket
	clients map[string]*bucket

	denied atomic.Int64
}

// Rate is N requests per Per. A bucket holds N tokens, so a quiet client
// may spend a whole period's worth at once; it refills steadily.
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) on() bool { return r.N > 0 && r.Per > 0 }

// perToken is the time one token takes to come back.
func (r Rate) perToken() time.Duration { return r.Per / time.Duration(r.N) }

type bucket struct {
	tokens float64
	at     time.Time
}

// refill brings b up to now at rate r.
func (b *bucket) refill(r Rate, now time.Time) {
	if b.at.IsZero() {
		b.tokens, b.at = float64(r.N), now
		return
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(r.N), b.tokens+float64(r.N)*d.Seconds()/r.Per.Seconds())
		b.at = now
	}
}

// NewBudget limits each client to perClient and everyone together to
// global; a zero Rate is no limit of that kind. now is the clock (nil:
// time.Now).
func NewBudget(perClient, global Rate, now func() time.Time) *Budget {
	if now == nil {
		now = time.Now
	}
	return &Budget{perClient: perClient, global: global, now: now, clients: map[string]*bucket{}}
}

// Allow takes one token from the client's bucket and one from everyone's,
// or none when either is empty, and reports whether the request may go.
// client "" (work of the server's own, such as placing photos in the
// background) is charged to the global bucket only.
func (b *Budget) Allow(client string) bool {
	if b == nil {
		return true
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var mine *bucket
	if client != "" && b.perClient.on() {
		mine = b.clients[client]
		if mine == nil {
			if len(b.clients) > 10000 {
				b.pruneLocked(now)
			}
			mine = &bucket{}
			b.clients[client] = mine
		}
		mine.refill(b.perClient, now)
	}
	if b.global.on() {
		b.all.refill(b.global, now)
	}
	if mine != nil && mine.tokens < 1 || b.global.on() && b.all.tokens < 1 {
		b.denied.Add(1)
		return false
	}
	if mine != nil {
		mine.tokens--
	}
	if b.global.on() {
		b.all.tokens--
	}
	return true
}

// pruneLocked forgets clients whose buckets are full again: they are as
// good as new.
func (b *Budget) pruneLocked(now time.Time) {
	for k, c := range b.clients {
		c.refill(b.perClient, now)
		if c.tokens >= float64(b.perClient.N) {
			delete(b.clients, k)
		}
	}
}

// GlobalFullIn is how long until everyone's bucket is full again (0 when
// it is, or when there is no global limit).
func (b *Budget) GlobalFullIn() time.Duration {
	if b == nil || !b.global.on() {
		return 0
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.all.refill(b.global, now)
	missing := float64(b.global.N) - b.all.tokens
	return time.Duration(missing * float64(b.global.perToken()))
}

type clientKey struct{}

// WithClient names who a request to an online service is made for, so
// their own budget is charged.
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// ClientOf is the client named by WithClient, "" for none.
func ClientOf(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}
