package app

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/monitor"
)

// openMonitor builds the detection service and engine from cfg: the rule
// file (or the defaults), the configured honey customers, containment
// (token revocation; user lock-out, containment.go) and the optional
// webhook.
func (a *App) openMonitor(cfg config.Config, log *slog.Logger) error {
	rules := monitor.DefaultConfig()
	if cfg.Monitor.RulesFile != "" {
		data, err := os.ReadFile(cfg.Monitor.RulesFile)
		if err != nil {
			return fmt.Errorf("monitor_rules_file: %w", err)
		}
		if rules, err = monitor.ParseConfig(data); err != nil {
			return fmt.Errorf("monitor_rules_file %s: %w", cfg.Monitor.RulesFile, err)
		}
		rules.ResolvePaths(filepath.Dir(cfg.Monitor.RulesFile))
	}
	rules.Honey.Customers = append(rules.Honey.Customers, cfg.Monitor.HoneyIDs()...)
	opt := monitor.EngineOptions{
		Rules:       rules,
		Containment: monitor.Containments{monitor.TokenContainment{Tokens: a.Tokens}, userContainment{users: a.Users}},
		Logger:      log,
	}
	if cfg.Monitor.WebhookURL != "" {
		opt.Webhook = &monitor.Webhook{URL: cfg.Monitor.WebhookURL, Secret: []byte(cfg.Monitor.WebhookSecret)}
	}
	if to := cfg.Monitor.AlertRecipients(); len(to) > 0 {
		m, err := smtpSender(cfg.Verification)
		if err != nil {
			return err
		}
		m.Subject = "Confide security alert"
		opt.Email = &monitor.Email{Mailer: m, To: to}
	}
	e, err := monitor.NewEngine(a.Store, opt)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	a.MonitorEngine = e
	a.Monitor = monitor.NewService(a.Store, a.Records)
	return nil
}
