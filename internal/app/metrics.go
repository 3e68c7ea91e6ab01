package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confide-cc/confide/internal/audit"
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

// auditCollector exposes the checkpointer's view of the audit log.
type auditCollector struct{ l *audit.Log }

var (
	auditHeadDesc = prometheus.NewDesc("confide_audit_head_records",
		"Records in the audit log when the checkpointer last looked.", nil, nil)
	auditCheckpointDesc = prometheus.NewDesc("confide_audit_checkpoint_size",
		"Size of the latest signed checkpoint when the checkpointer last looked.", nil, nil)
	auditCaughtUpDesc = prometheus.NewDesc("confide_audit_last_checkpoint_timestamp_seconds",
		"When a signed checkpoint last covered every record (Unix time; 0 before the first).", nil, nil)
	auditVerifiedAtDesc = prometheus.NewDesc("confide_audit_last_verified_timestamp_seconds",
		"When a full verification of the log last succeeded on this node (Unix time; 0 before the first).", nil, nil)
	auditVerifiedDesc = prometheus.NewDesc("confide_audit_verified_records",
		"Records the last successful full verification covered.", nil, nil)
	auditTamperedDesc = prometheus.NewDesc("confide_audit_tampered",
		"1 once this node has found the audit log tampered with.", nil, nil)
)

func (c auditCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{auditHeadDesc, auditCheckpointDesc, auditCaughtUpDesc, auditVerifiedAtDesc, auditVerifiedDesc, auditTamperedDesc} {
		ch <- d
	}
}

func (c auditCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.l.Status()
	unix := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}
	tampered := 0.0
	if s.Tampered {
		tampered = 1
	}
	for _, m := range []struct {
		d *prometheus.Desc
		v float64
	}{
		{auditHeadDesc, float64(s.Head)}, {auditCheckpointDesc, float64(s.CheckpointSize)},
		{auditCaughtUpDesc, unix(s.LastIntegrate)}, {auditVerifiedAtDesc, unix(s.LastVerified)},
		{auditVerifiedDesc, float64(s.VerifiedSize)}, {auditTamperedDesc, tampered},
	} {
		ch <- prometheus.MustNewConstMetric(m.d, prometheus.GaugeValue, m.v)
	}
}
