// Package config is the only reader of Confide's command-line flags,
// environment variables and configuration file.
//
// Every setting has one name in three spellings: a YAML key in the config
// file (max_body_bytes), an environment variable (CONFIDE_MAX_BODY_BYTES)
// and a flag (--max-body-bytes). Load merges them in increasing order of
// precedence — built-in defaults, the config file, the environment, flags
// set on the command line — then resolves relative paths against the
// working directory, fills in the defaults derived from data_dir and
// validates the result.
//
// Values that can hold credentials (database_url, blob_url) never appear
// in clear in an error or in Effective.
package config

import (
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"time"
)

// Config is the effective configuration of a Confide process.
// Load returns it with every path absolute; a Config built by hand should
// pass Validate before use.
type Config struct {
	DataDir      string // directory for the default database, blobs, keys and TLS files
	Addr         string // host:port the server listens on
	InsecureHTTP bool   // serve plain HTTP; only allowed when Addr is loopback
	DatabaseURL  string // "" (SQLite in DataDir), sqlite:PATH or postgres://...
	BlobURL      string // "" (DataDir/blobs), file:///DIR or s3://BUCKET?endpoint=...
	RootKeyFile  string // file holding the root key of the key hierarchy
	TLSCertFile  string // PEM certificate (chain) served over HTTPS
	TLSKeyFile   string // PEM private key of TLSCertFile

	MaxRecordingBytes int64 // largest accepted recording upload
	MaxBodyBytes      int64 // largest accepted JSON or email request body

	LogLevel  string // debug, info, warn or error
	LogFormat string // json or text

	ShutdownTimeout   time.Duration // grace period for in-flight requests on shutdown
	ReadHeaderTimeout time.Duration // http.Server.ReadHeaderTimeout
	IdleTimeout       time.Duration // http.Server.IdleTimeout
	BlobGCInterval    time.Duration // period of the orphaned-blob collector
	CardScanInterval  time.Duration // period of the stored-content card-number scan; 0 = off
	KeepOriginalAudio bool          // keep unredacted originals of redacted recordings (privacy officer only)

	// AuditWitnessDir, if set, receives a copy of every audit checkpoint
	// this node signs, outside the database (one file per tree size and
	// "latest").
	AuditWitnessDir string
	// AuditWitnessURL, if set, is an S3 bucket (s3://BUCKET[/PREFIX]?...,
	// like blob_url) that receives the same copies.
	AuditWitnessURL string
	// AuditWitnessInterval spaces the checkpoints published to the
	// witnesses (0: every checkpoint).
	AuditWitnessInterval time.Duration
	// AuditHotPeriod: audit records younger than this stay in the
	// database (searchable); older ones move to encrypted archive segments
	// in the blob store. 0: they stay until AuditRetention.
	AuditHotPeriod time.Duration
	// AuditRetention: archived audit records older than this are deleted
	// for good. 0: kept forever.
	AuditRetention time.Duration
	// AllowShortAuditRetention accepts an AuditRetention or AuditHotPeriod
	// shorter than PCI DSS 10.5.1 requires (MinAuditRetention,
	// MinAuditHotPeriod); it is flagged at start.
	AllowShortAuditRetention bool

	SIEM SIEMConfig // audit log export to SIEMs (docs/SIEM.md)

	Monitor MonitorConfig // detection rules and alert delivery (docs/MONITOR.md)

	Identity IdentityConfig // sessions, lockout, dormancy, re-authentication, break-glass (docs/IDENTITY.md)

	Verification VerificationConfig // caller identity verification (docs/VERIFICATION.md)

	Access    AccessConfig    // authorization policies and conditions (docs/ACCESS.md)
	RateLimit RateLimitConfig // per-client-address request limit

	WebAuthn WebAuthnConfig // passkey relying party (docs/IDENTITY.md)

	// prov records where each value came from; nil means all defaults.
	// It is shared, never modified, by copies of the Config.
	prov *provenance
}

// Setting is one effective setting as reported by Effective.
type Setting struct {
	Key    string // YAML key, e.g. "max_body_bytes"; "config" for the config file itself
	Value  string // formatted value, with credentials replaced by "***"
	Source string // "default", "file", "env" or "flag"
}

// Names of the files derived from DataDir.
const (
	sqliteFileName  = "confide.db"
	blobDirName     = "blobs"
	rootKeyFileName = "root.key"
	tlsDirName      = "tls"
	tlsCertFileName = "cert.pem"
	tlsKeyFileName  = "key.pem"
)

// Database kinds returned by DatabaseKind.
const (
	DatabaseSQLite   = "sqlite"
	DatabasePostgres = "postgres"
)

// Blob store kinds returned by BlobKind.
const (
	BlobFS = "fs"
	BlobS3 = "s3"
)

// DatabaseKind reports which database DatabaseURL selects: DatabaseSQLite
// ("sqlite") or DatabasePostgres ("postgres"); "" if the URL is invalid.
func (c Config) DatabaseKind() string {
	kind, _, err := parseDatabaseURL(c.DatabaseURL)
	if err != nil {
		return ""
	}
	return kind
}

// SQLitePath returns the SQLite database file: DataDir/confide.db when
// DatabaseURL is empty, the URL's path otherwise. It returns "" when the
// database is not SQLite or the URL is invalid.
func (c Config) SQLitePath() string {
	kind, path, err := parseDatabaseURL(c.DatabaseURL)
	if err != nil || kind != DatabaseSQLite {
		return ""
	}
	if path == "" {
		return filepath.Join(c.DataDir, sqliteFileName)
	}
	return path
}

// BlobKind reports which blob store BlobURL selects: BlobFS ("fs") or
// BlobS3 ("s3"); "" if the URL is invalid.
func (c Config) BlobKind() string {
	kind, _, err := parseBlobURL(c.BlobURL)
	if err != nil {
		return ""
	}
	return kind
}

// BlobDir returns the local blob directory: DataDir/blobs when BlobURL is
// empty, the file URL's path otherwise. It returns "" when blobs are not
// stored in a local directory or the URL is invalid.
func (c Config) BlobDir() string {
	kind, dir, err := parseBlobURL(c.BlobURL)
	if err != nil || kind != BlobFS {
		return ""
	}
	if dir == "" {
		return filepath.Join(c.DataDir, blobDirName)
	}
	return dir
}

// UsesDefaultTLSFiles reports whether both TLS files are the defaults
// derived from DataDir (DataDir/tls/cert.pem and DataDir/tls/key.pem),
// which the server may generate as a self-signed pair when absent.
func (c Config) UsesDefaultTLSFiles() bool {
	return c.TLSCertFile == defaultTLSCertFile(c.DataDir) &&
		c.TLSKeyFile == defaultTLSKeyFile(c.DataDir)
}

// IsLoopback reports whether Addr's host is a loopback IP address
// (127.0.0.0/8, ::1) or "localhost". An empty host, which listens on every
// interface, is not loopback.
func (c Config) IsLoopback() bool {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func defaultRootKeyFile(dataDir string) string { return filepath.Join(dataDir, rootKeyFileName) }

func defaultTLSCertFile(dataDir string) string {
	return filepath.Join(dataDir, tlsDirName, tlsCertFileName)
}

func defaultTLSKeyFile(dataDir string) string {
	return filepath.Join(dataDir, tlsDirName, tlsKeyFileName)
}

// PCI DSS 10.5.1: audit history is retained for at least twelve months,
// the latest three immediately available for analysis.
const (
	MinAuditRetention = 365 * 24 * time.Hour
	MinAuditHotPeriod = 90 * 24 * time.Hour
)

// ShortAuditRetention reports whether the audit retention settings are
// below what PCI DSS 10.5.1 requires (accepted only with
// AllowShortAuditRetention).
func (c Config) ShortAuditRetention() bool {
	return (c.AuditRetention > 0 && c.AuditRetention < MinAuditRetention) ||
		(c.AuditHotPeriod > 0 && c.AuditHotPeriod < MinAuditHotPeriod)
}
