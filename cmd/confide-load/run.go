package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// maxSleep bounds one sleep of the open-loop scheduler, so that it notices
// an interrupt quickly even at low rates.
const maxSleep = 50 * time.Millisecond

// outcome is a finished run before it is summarised.
type outcome struct {
	tally   *tally
	elapsed time.Duration
	unsent  int64 // open loop: scheduled requests still queued at the hard stop
	// clientCPU is the CPU time confide-load itself used during the run:
	// on a shared machine, capacity the server did not have.
	clientCPU time.Duration
}

// closedLoop runs o.concurrency workers that each send a request as soon as
// their previous one is answered, until o.duration has passed or
// o.maxRequests have been sent. Requests in flight at the end are awaited
// (each is bounded by the client timeout).
func closedLoop(ctx context.Context, c *client, w workload, o options) outcome {
	var budget atomic.Int64
	budget.Store(o.maxRequests)
	start := time.Now()
	end := start.Add(o.duration)
	tallies := make([]*tally, o.concurrency)
	var wg sync.WaitGroup
	for i := range tallies {
		t := newTally(o.seed + uint64(i)<<8)
		tallies[i] = t
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(o.seed, uint64(i)))
			for ctx.Err() == nil && time.Now().Before(end) && budget.Add(-1) >= 0 {
				r := w.next(rng)
				t.send(ctx, c, r, time.Now(), false)
			}
		})
	}
	wg.Wait()
	return outcome{tally: mergeTallies(tallies), elapsed: time.Since(start)}
}

// openLoop schedules min(o.maxRequests, o.rate·o.duration) requests at fixed
// intervals of 1/o.rate and has up to o.concurrency workers send them. The
// latency of each request counts from its scheduled time, so a server stall
// shows as the queueing delay it causes rather than as fewer samples
// (coordinated omission). Requests still queued o.timeout after the schedule
// ends are not sent and are counted as unsent.
func openLoop(ctx context.Context, c *client, w workload, o options) outcome {
	total := min(o.maxRequests, int64(o.duration.Seconds()*o.rate))
	interval := float64(time.Second) / o.rate
	queue := make(chan time.Time, min(total, 1<<16))
	start := time.Now()
	hardStop := start.Add(o.duration + o.timeout)

	go func() {
		defer close(queue)
		sleep := preciseSleeper()
		for i := range total {
			at := start.Add(time.Duration(float64(i) * interval))
			// Sleep in slices of at most maxSleep to notice cancellation.
			for wait := time.Until(at); wait > 0 && ctx.Err() == nil; wait = time.Until(at) {
				sleep(min(wait, maxSleep))
			}
			select {
			case <-ctx.Done():
				return
			case queue <- at:
			}
		}
	}()

	tallies := make([]*tally, o.concurrency)
	var unsent atomic.Int64
	var wg sync.WaitGroup
	for i := range tallies {
		t := newTally(o.seed + uint64(i)<<8)
		tallies[i] = t
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(o.seed, uint64(i)))
			for at := range queue {
				if ctx.Err() != nil || time.Now().After(hardStop) {
					unsent.Add(1)
					continue
				}
				t.send(ctx, c, w.next(rng), at, true)
			}
		})
	}
	wg.Wait()
	return outcome{tally: mergeTallies(tallies), elapsed: time.Since(start), unsent: unsent.Load()}
}
