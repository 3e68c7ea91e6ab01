package app_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestConcurrentIngestAndRead runs many ingests and reads at once (run it
// with -race): every interaction comes back intact, no request fails, and
// the audit chain has exactly one record per request.
func TestConcurrentIngestAndRead(t *testing.T) {
	e := newEnv(t)
	const workers, perWorker = 8, 15
	customers := make([]string, workers)
	for i := range customers {
		customers[i] = e.createCustomer(sampleCustomer())
	}
	before := e.auditCount()
	var mu sync.Mutex
	created := map[string]string{} // interaction id -> expected text
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*3)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				text := fmt.Sprintf("worker %d message %d", w, i)
				in := callInteraction(customers[w])
				in["transcript"] = map[string]any{"turns": []any{map[string]any{"speaker": "customer", "start": 0, "end": 1, "text": text}}}
				r := e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", in)
				if r.Status != 201 {
					errs <- fmt.Errorf("ingest: %d %s", r.Status, r.Body)
					continue
				}
				var out struct{ ID string }
				r.json(t, &out)
				mu.Lock()
				created[out.ID] = text
				mu.Unlock()
				if r := e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+customers[(w+i)%workers], nil); r.Status != 200 {
					errs <- fmt.Errorf("read: %d", r.Status)
				}
				if r := e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+out.ID, nil); r.Status != 200 {
					errs <- fmt.Errorf("read interaction: %d", r.Status)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(created) != workers*perWorker {
		t.Fatalf("%d interactions created, want %d", len(created), workers*perWorker)
	}
	for id, text := range created {
		var got struct {
			Transcript struct{ Turns []struct{ Text string } }
		}
		e.must(e.do(identity.RoleSupervisor, "GET", "/api/v1/interactions/"+id, nil), 200).json(t, &got)
		if len(got.Transcript.Turns) != 1 || got.Transcript.Turns[0].Text != text {
			t.Errorf("interaction %s: got %+v, want %q", id, got, text)
		}
	}
	if got, want := e.auditCount()-before, int64(workers*perWorker*3+len(created)); got != want {
		t.Errorf("%d audit records, want %d", got, want)
	}
}
