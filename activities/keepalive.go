package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// keepAliveEvery is how often a running activity tells Temporal it is
// alive, well inside the sync's heartbeat timeout, so a slow request, a
// long wait or a large plan never looks like a dead worker, and a dead
// worker is found within that timeout.
const keepAliveEvery = 3 * time.Second

// keepAlive heartbeats the activity's latest progress every keepAliveEvery
// until stopped. It is the one place an activity's heartbeat details are
// recorded, so a tick never sends progress older than the last one.
type keepAlive struct {
	ctx     context.Context
	mu      sync.Mutex
	details []any
	done    chan struct{}
	wg      sync.WaitGroup
}

// startKeepAlive heartbeats details (none for an activity without
// progress to resume from) now and every keepAliveEvery.
func startKeepAlive(ctx context.Context, details ...any) *keepAlive {
	k := &keepAlive{ctx: ctx, details: details, done: make(chan struct{})}
	if !activity.IsActivity(ctx) {
		close(k.done)
		return k
	}
	activity.RecordHeartbeat(ctx, details...)
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		t := time.NewTicker(keepAliveEvery)
		defer t.Stop()
		for {
			select {
			case <-k.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				k.mu.Lock()
				activity.RecordHeartbeat(ctx, k.details...)
				k.mu.Unlock()
			}
		}
	}()
	return k
}

// progress records new details at once and on every later tick.
func (k *keepAlive) progress(details ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.details = details
	if activity.IsActivity(k.ctx) {
		activity.RecordHeartbeat(k.ctx, details...)
	}
}

// stop ends the heartbeats; it waits for a tick under way.
func (k *keepAlive) stop() {
	select {
	case <-k.done:
	default:
		close(k.done)
	}
	k.wg.Wait()
}
