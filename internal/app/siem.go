package app

import (
	"crypto/rand"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/siem"
)

// openSIEM builds the SIEM export runner when cfg configures sinks, so
// that a bad sink setting (an unreadable CA file) stops the node at start.
// Serve runs it.
func (a *App) openSIEM(cfg config.Config, log *slog.Logger) error {
	if !cfg.SIEM.Enabled() {
		return nil
	}
	sinks, err := siem.NewSinks(cfg.SIEM, siem.DefaultProduct(buildVersion()))
	if err != nil {
		return err
	}
	exported := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confide_siem_exported_records_total",
		Help: "Audit records delivered to each SIEM sink.",
	}, []string{"sink"})
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confide_siem_delivery_failures_total",
		Help: "Failed deliveries of a batch to each SIEM sink (each is retried).",
	}, []string{"sink"})
	a.Metrics.Register(exported, failures)
	host, _ := os.Hostname()
	a.SIEM = siem.NewRunner(a.Store, sinks, siem.RunnerOptions{
		Holder:       host + "/" + rand.Text()[:12],
		Logger:       log.With("component", "siem"),
		PollInterval: cfg.SIEM.PollInterval,
		Observe: func(sink string, n int, err error) {
			if err != nil {
				failures.WithLabelValues(sink).Inc()
				return
			}
			exported.WithLabelValues(sink).Add(float64(n))
		},
	})
	return nil
}

// buildVersion is the main module's version as the build recorded it.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}
