package audit_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// BenchmarkAppendConcurrent measures durable audit appends on SQLite with
// many concurrent appenders (group commit), while the checkpointer runs,
// and the latency from an append's commit to its coverage by a signed
// checkpoint.
//
//	go test ./internal/audit -run XXX -bench AppendConcurrent -benchtime 100000x
func BenchmarkAppendConcurrent(b *testing.B) {
	f := openLog(b, audit.Options{})
	ctx := identity.WithPrincipal(context.Background(), identity.Principal{ID: "tok_3fa94c21d07e5b68", Kind: identity.KindService, Roles: []string{"agent"}})
	type commit struct {
		seq int64
		at  time.Time
	}
	var (
		mu      sync.Mutex
		commits []commit
		cps     []commit // size, signed at
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(audit.CheckpointInterval)
		defer t.Stop()
		for {
			_, size, err := f.log.Integrate(context.Background())
			if err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			cps = append(cps, commit{size, time.Now()})
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.SetParallelism(32) // 32 × GOMAXPROCS appenders
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ev := audit.NewEvent(ctx, "customer.read", "customer/0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77", audit.Success)
			var seq int64
			err := f.st.Update(ctx, func(tx store.Tx) error {
				if err := audit.Append(ctx, tx, ev); err != nil {
					return err
				}
				var err error
				seq, _, err = tx.AuditHead(ctx)
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			commits = append(commits, commit{seq, time.Now()})
			mu.Unlock()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// Let the checkpointer cover the tail, then measure coverage latency.
	time.Sleep(2 * audit.CheckpointInterval)
	close(stop)
	<-done
	var lat []time.Duration
	for _, c := range commits {
		i, _ := slices.BinarySearchFunc(cps, c.seq, func(cp commit, seq int64) int { return int(cp.seq - seq) })
		if i < len(cps) {
			lat = append(lat, max(0, cps[i].at.Sub(c.at)))
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*50/100].Milliseconds()), "p50-checkpoint-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-checkpoint-ms")
	}
}

// writeLeaves writes n synthetic leaf lines like real events to a file.
func writeLeavesFile(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "leaves")
	file, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(file, 1<<20)
	for i := range n {
		ev := fmt.Sprintf(`{"code":"CF-2002","action":"customer.read","time":"2026-11-20T10:07:12.%09dZ","actor_id":"tok_3fa94c21d07e5b68","actor_kind":"service","roles":["agent"],"resource":"customer/0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77","outcome":"success","origin":"10.1.2.3","request_id":"5f0c2a9e8b7d46a1c3e9%04x"}`, i%1e9, i%65536)
		w.WriteString(base64.StdEncoding.EncodeToString([]byte(ev)))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	file.Close()
	return path
}

// BenchmarkOfflineVerify recomputes the root of one million leaves (or
// $CONFIDE_BENCH_LEAVES; 10 million make a 4.4 GB file) from an export's
// leaves file, with one worker and with GOMAXPROCS workers.
//
//	go test ./internal/audit -run XXX -bench OfflineVerify -benchtime 3x
//	CONFIDE_BENCH_LEAVES=10000000 go test ./internal/audit -run XXX -bench 'OfflineVerify/workers=0' -benchtime 2x -timeout 30m
func BenchmarkOfflineVerify(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("CONFIDE_BENCH_LEAVES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("CONFIDE_BENCH_LEAVES=%q: want a positive number", v)
		}
	}
	path := writeLeavesFile(b, n)
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				size, _, _, err := audit.HashLeaves(f, nil, workers, nil)
				f.Close()
				if err != nil || size != uint64(n) {
					b.Fatal(size, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
		})
	}
}

// BenchmarkInclusionProof fetches (from SQLite) and verifies inclusion
// proofs in a tree of 100,000 leaves, reporting the proof size.
//
//	go test ./internal/audit -run XXX -bench InclusionProof
func BenchmarkInclusionProof(b *testing.B) {
	const n = 100_000
	f := openLog(b, audit.Options{})
	ctx := context.Background()
	fill(b, f, n)
	c := integrate(b, f.log)
	entries, err := f.log.Entries(ctx, 12345, 12346)
	if err != nil {
		b.Fatal(err)
	}
	p, err := f.log.InclusionProof(ctx, 12345, n)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fetch", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.log.InclusionProof(ctx, 12345, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := audit.VerifyInclusion(c, 12345, entries[0].Data, p); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(32*len(p)), "proof-bytes")
	})
}

// fill appends n events in transactions of 1000 and integrates them.
func fill(b *testing.B, f fixture, n int) {
	b.Helper()
	ctx := context.Background()
	ev := audit.Event{Action: "customer.read", Outcome: audit.Success, Resource: "customer/x"}
	for i := 0; i < n; i += 1000 {
		if err := f.st.Update(ctx, func(tx store.Tx) error {
			for range 1000 {
				if err := audit.Append(ctx, tx, ev); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	for {
		_, size, err := f.log.Integrate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if size == int64(n) {
			return
		}
	}
}

// BenchmarkRetention measures archiving 100,000 records (read, checked,
// encrypted to the blob store, deleted from the database) against
// exporting the same records, measured in the same run:
//
//	go test ./internal/audit -run XXX -bench Retention -benchtime 3x
func BenchmarkRetention(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	b.Run("export", func(b *testing.B) {
		f := openLog(b, audit.Options{})
		fill(b, f, n)
		for i := 0; b.Loop(); i++ {
			if _, err := f.log.Export(ctx, filepath.Join(b.TempDir(), strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
	})
	b.Run("archive", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			arch, _ := newArchive(b)
			f := openLog(b, audit.Options{Archive: arch})
			fill(b, f, n)
			start := time.Now()
			res, err := f.log.ApplyRetention(ctx, audit.Retention{Hot: time.Hour}, time.Now().Add(2*time.Hour))
			total += time.Since(start)
			if err != nil || len(res.Archived) == 0 || res.Archived[len(res.Archived)-1].End != n {
				b.Fatalf("ApplyRetention = %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "leaves/s")
	})
}
