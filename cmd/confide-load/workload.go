package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request is what a workload asks a worker to send.
type request struct {
	method, path string
	body         []byte // JSON, or nil
}

// workload makes the requests of one mode. next is called by one worker at
// a time per rng, and must be safe for concurrent use across workers.
type workload interface {
	next(rng *rand.Rand) request
}

// setupWorkers bounds the concurrent requests that create customers before
// a run: enough to be quick, few enough not to need a wide connection pool.
const setupWorkers = 16

// newWorkload prepares the workload of o.mode, creating the customers it
// needs through c.
func newWorkload(ctx context.Context, c *client, o options) (workload, error) {
	workers := min(o.concurrency, setupWorkers)
	switch o.mode {
	case modeHealth:
		return healthLoad{}, nil
	case modeIngest:
		ids, err := createCustomers(ctx, c, o.customers, workers, o.seed)
		if err != nil {
			return nil, err
		}
		return newIngestLoad(ids, o.transcriptBytes, o.seed), nil
	case modeRead:
		ids, err := createCustomers(ctx, c, o.customers, workers, o.seed)
		if err != nil {
			return nil, err
		}
		return readLoad{customers: ids}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", o.mode)
}

// healthLoad reads the liveness endpoint: no authentication, no storage.
type healthLoad struct{}

func (healthLoad) next(*rand.Rand) request { return request{method: http.MethodGet, path: "/healthz"} }

// readLoad reads customers' masked profiles in random order.
type readLoad struct{ customers []string }

func (l readLoad) next(rng *rand.Rand) request {
	return request{method: http.MethodGet, path: "/api/v1/customers/" + url.PathEscape(pick(rng, l.customers))}
}

// ingestLoad creates call interactions with a transcript each, spread over
// the customers. Its bodies are generated before the run (ingestPool of
// them, drawn at random), so that making them does not take CPU from the
// server under test on the same machine: a 4 KiB transcript costs about
// 0.15 ms to generate, some 40% of confide-load's CPU per ingest.
type ingestLoad struct {
	bodies [][]byte
}

// ingestPool is how many distinct ingest bodies a run prepares.
const ingestPool = 1024

// newIngestLoad prepares ingestPool bodies over customers.
func newIngestLoad(customers []string, transcriptBytes int, seed uint64) *ingestLoad {
	rng := rand.New(rand.NewPCG(seed, 0x1a9e57))
	l := &ingestLoad{bodies: make([][]byte, ingestPool)}
	for i := range l.bodies {
		l.bodies[i] = ingestBody(rng, customers, transcriptBytes)
	}
	return l
}

type interactionInput struct {
	CustomerID string          `json:"customer_id"`
	Channel    string          `json:"channel"`
	StartedAt  time.Time       `json:"started_at"`
	EndedAt    time.Time       `json:"ended_at"`
	Queue      string          `json:"queue"`
	Agent      string          `json:"agent"`
	Transcript json.RawMessage `json:"transcript"`
}

var queues = []string{"billing", "support", "sales", "retention"}

func (l *ingestLoad) next(rng *rand.Rand) request {
	return request{method: http.MethodPost, path: "/api/v1/interactions", body: pick(rng, l.bodies)}
}

// ingestBody returns the JSON of one call interaction of a random customer.
func ingestBody(rng *rand.Rand, customers []string, transcriptBytes int) []byte {
	g := transcriptGen{rng: rng, target: transcriptBytes}
	// A call of the past year: the server refuses start times in the future.
	started := time.Now().UTC().Add(-time.Duration(3600+rng.IntN(365*24*3600)) * time.Second).Truncate(time.Second)
	in := interactionInput{
		CustomerID: pick(rng, customers),
		Channel:    "call",
		StartedAt:  started,
		EndedAt:    started.Add(time.Duration(60+rng.IntN(900)) * time.Second),
		Queue:      pick(rng, queues),
		Agent:      fmt.Sprintf("agent-%03d", rng.IntN(200)),
		Transcript: g.next(),
	}
	body, _ := json.Marshal(in) // a valid RawMessage and plain fields: cannot fail
	return body
}

// customerProfile is the body of POST /api/v1/customers.
type customerProfile struct {
	Name           string            `json:"name"`
	Phones         []string          `json:"phones"`
	Emails         []string          `json:"emails"`
	DateOfBirth    string            `json:"date_of_birth"`
	AccountNumbers []string          `json:"account_numbers"`
	Attributes     map[string]string `json:"attributes"`
}

// createCustomers creates n customers with workers concurrent requests and
// returns their IDs. It fails on the first refused creation.
func createCustomers(ctx context.Context, c *client, n, workers int, seed uint64) ([]string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range min(workers, n) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				id, err := createCustomer(ctx, c, rng, i)
				if err != nil {
					cancel(fmt.Errorf("creating customer %d of %d: %w", i+1, n, err))
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

func createCustomer(ctx context.Context, c *client, rng *rand.Rand, i int) (string, error) {
	first, last := pick(rng, firstNames), pick(rng, lastNames)
	p := customerProfile{
		Name:           first + " " + last,
		Phones:         []string{fmt.Sprintf("+1 415 555 01%02d", i%100)},
		Emails:         []string{fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), i)},
		DateOfBirth:    fmt.Sprintf("%d-%02d-%02d", 1950+rng.IntN(55), 1+rng.IntN(12), 1+rng.IntN(28)),
		AccountNumbers: []string{fmt.Sprintf("ACC%08d", i)},
		Attributes:     map[string]string{"tier": pick(rng, []string{"gold", "silver", "bronze"})},
	}
	body, _ := json.Marshal(p) // strings only: cannot fail
	res, err := c.do(ctx, request{method: http.MethodPost, path: "/api/v1/customers", body: body})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("server answered %s: %s", res.Status, bytes.TrimSpace(b))
	}
	var created struct{ ID string }
	if err := json.Unmarshal(b, &created); err != nil || created.ID == "" {
		return "", fmt.Errorf("server answered 201 without a customer id")
	}
	return created.ID, nil
}
