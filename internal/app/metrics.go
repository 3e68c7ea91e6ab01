package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// timedStore records transaction latency.
type timedStore struct {
	store.Store
	m *httpx.Metrics
}

func (t timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := t.Store.Update(ctx, fn)
	t.observe("update", start, err)
	return err
}

func (t timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := t.Store.View(ctx, fn)
	t.observe("view", start, err)
	return err
}

func (t timedStore) observe(kind string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	t.m.StoreLatency.WithLabelValues(kind, outcome).Observe(time.Since(start).Seconds())
}

// vaultCollector exposes the vault's operation counters.
type vaultCollector struct{ v *vault.Vault }

var vaultOpsDesc = prometheus.NewDesc("confide_vault_operations_total",
	"Vault cryptographic operations by kind.", []string{"op"}, nil)

func (c vaultCollector) Describe(ch chan<- *prometheus.Desc) { ch <- vaultOpsDesc }

func (c vaultCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.v.Stats()
	for op, n := range map[string]uint64{
		"seal": s.Seals, "open": s.Opens, "blob_encrypt": s.BlobEncrypts, "blob_open": s.BlobOpens,
		"unwrap": s.Unwraps, "failure": s.Failures,
	} {
		ch <- prometheus.MustNewConstMetric(vaultOpsDesc, prometheus.CounterValue, float64(n), op)
	}
}
