// Package app is Confide's composition root: it opens the store, the blob
// store and the vault from a configuration, builds the domain services and
// the HTTP handler, and runs the server. Nothing imports it but the CLI.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/blob/fs"
	"github.com/confide-cc/confide/internal/blob/s3"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/records"
	"github.com/confide-cc/confide/internal/siem"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/postgres"
	"github.com/confide-cc/confide/internal/store/sqlite"
	"github.com/confide-cc/confide/internal/vault"
)

// App holds Confide's components for one node.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Store   store.Store
	Blobs   blob.Store
	Vault   *vault.Vault
	Records *records.Service
	Tokens  *tokens.Service
	Metrics *httpx.Metrics
	// Audit is the Merkle-tree audit log: checkpoints, proofs, export.
	Audit *audit.Log
	// SIEM exports the audit log to SIEMs (Serve runs it); nil if no sink
	// is configured.
	SIEM *siem.Runner
	// Monitor serves alerts; MonitorEngine runs the detectors (Serve).
	Monitor       *monitor.Service
	MonitorEngine *monitor.Engine
	// Users manages human accounts, MFA and sessions.
	Users *users.Service
	clock clock // the user service's clock (clock.go)
	// Verification verifies callers' identities in interactions.
	Verification *records.Verifier

	closeStore func() error
}

// Open builds an App from cfg: it creates the data directory (0700) when
// local storage or the default root key file is used, opens and migrates
// the database, opens the blob store, and opens (on first start, creates)
// the key hierarchy.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := ensurePrivateDir(cfg.DataDir); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Metrics: httpx.NewMetrics()}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()

	var st store.Store
	var afterErase func(context.Context) error
	switch cfg.DatabaseKind() {
	case "sqlite":
		if err := ensurePrivateDir(filepath.Dir(cfg.SQLitePath())); err != nil {
			return nil, err
		}
		s, err := sqlite.Open(ctx, cfg.SQLitePath())
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		st, afterErase = s, s.Checkpoint
	case "postgres":
		s, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database: %w", err)
		}
		st = s
	default:
		return nil, fmt.Errorf("database_url: unsupported database %q", cfg.DatabaseKind())
	}
	a.closeStore = st.Close
	a.Store = timedStore{Store: st, m: a.Metrics}

	switch cfg.BlobKind() {
	case "fs":
		b, err := fs.New(cfg.BlobDir())
		if err != nil {
			return nil, fmt.Errorf("open blob directory: %w", err)
		}
		a.Blobs = b
	case "s3":
		b, err := s3.New(ctx, cfg.BlobURL)
		if err != nil {
			return nil, fmt.Errorf("open S3 blob store: %w", err)
		}
		a.Blobs = b
	default:
		return nil, fmt.Errorf("blob_url: unsupported blob store %q", cfg.BlobKind())
	}

	if err := ensurePrivateDir(filepath.Dir(cfg.RootKeyFile)); err != nil {
		return nil, err
	}
	created, err := vault.EnsureRootKeyFile(cfg.RootKeyFile)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	if created {
		log.Warn("created a new root key; back it up separately from the database: without it nothing can be decrypted", "path", cfg.RootKeyFile)
	}
	v, err := vault.Open(ctx, vault.FileKeySource(cfg.RootKeyFile), systemKeysets{a.Store})
	if err != nil {
		return nil, fmt.Errorf("open key hierarchy: %w", err)
	}
	a.Vault = v
	a.Metrics.Register(vaultCollector{v})

	ropt, err := accessOptions(cfg, log, records.Options{
		MaxRecordingBytes: cfg.MaxRecordingBytes,
		KeepOriginalAudio: cfg.KeepOriginalAudio,
		Logger:            log,
		AfterErase:        afterErase,
	})
	if err != nil {
		return nil, err
	}
	a.Records = records.New(a.Store, v, a.Blobs, ropt)
	a.Tokens = tokens.New(a.Store)
	if err := a.openVerification(cfg, log); err != nil {
		return nil, err
	}
	if err := a.openUsers(cfg, log); err != nil {
		return nil, err
	}
	if err := a.openMonitor(cfg, log); err != nil {
		return nil, err
	}
	if a.Audit, err = openAuditLog(ctx, a.Store, v, a.Blobs, cfg, log); err != nil {
		return nil, err
	}
	a.Metrics.Register(auditCollector{a.Audit})
	if err := a.openSIEM(cfg, log); err != nil {
		return nil, fmt.Errorf("SIEM export: %w", err)
	}
	ok = true
	return a, nil
}

// openAuditLog opens the audit log of st, signing checkpoints with the
// installation's checkpoint key (created on first use) and archiving old
// records to blobs.
func openAuditLog(ctx context.Context, st store.Store, v *vault.Vault, blobs blob.Store, cfg config.Config, log *slog.Logger) (*audit.Log, error) {
	origin, err := audit.Origin(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	signer, err := v.NoteSigner(ctx, origin)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	opts := audit.Options{
		Logger:     log,
		WitnessDir: cfg.AuditWitnessDir,
		// 0 in the configuration is every checkpoint: -1 for the Log.
		WitnessEvery: cmp.Or(cfg.AuditWitnessInterval, -1),
		Archive:      &audit.Archive{Blobs: blobs, Vault: v},
		Retention:    audit.Retention{Hot: cfg.AuditHotPeriod, Keep: cfg.AuditRetention},
	}
	if cfg.ShortAuditRetention() {
		log.Warn("audit retention is below PCI DSS 10.5.1 (12 months kept, 3 months in the database): allow_short_audit_retention is set",
			"audit_retention", cfg.AuditRetention, "audit_hot_period", cfg.AuditHotPeriod)
	}
	if cfg.AuditWitnessURL != "" {
		b, err := s3.New(ctx, cfg.AuditWitnessURL)
		if err != nil {
			return nil, fmt.Errorf("audit_witness_url: %w", err)
		}
		opts.Witnesses = append(opts.Witnesses, audit.ObjectWitness{Store: b, Description: "s3:" + b.Describe()})
	}
	return audit.NewLog(st, origin, signer, opts), nil
}

// Close releases the database.
func (a *App) Close() error {
	if a.closeStore != nil {
		return a.closeStore()
	}
	return nil
}

// ensurePrivateDir creates dir with mode 0700 if it does not exist, and
// refuses an existing directory that others can read.
func ensurePrivateDir(dir string) error {
	if dir == "" {
		return errors.New("data directory: empty path")
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create directory %s: %w", dir, err)
		}
		return os.Chmod(dir, 0o700) // MkdirAll is subject to the umask
	}
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("directory %s is accessible to other users (mode %v); run chmod 700 on it", dir, fi.Mode().Perm())
	}
	return nil
}

// systemKeysets adapts the store to the vault's keyset persistence.
type systemKeysets struct{ st store.Store }

func (s systemKeysets) LoadSystemKeyset(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.st.View(ctx, func(tx store.Tx) error {
		k, err := tx.GetSystemKeyset(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		out = k.Wrapped
		return err
	})
	return out, err
}

func (s systemKeysets) CreateSystemKeyset(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	var out []byte
	err := s.st.Update(ctx, func(tx store.Tx) error {
		k, err := tx.CreateSystemKeyset(ctx, store.SystemKeyset{Name: name, Wrapped: wrapped, UpdatedAt: time.Now().UTC()})
		out = k.Wrapped
		return err
	})
	return out, err
}

func (s systemKeysets) SwapSystemKeyset(ctx context.Context, name string, old, new []byte) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return tx.UpdateSystemKeyset(ctx, name, old, new) })
}

func (s systemKeysets) DeleteSystemKeyset(ctx context.Context, name string, old []byte) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteSystemKeyset(ctx, name, old) })
}
