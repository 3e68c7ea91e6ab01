package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/confide-cc/confide/internal/tlsutil"
)

func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cfg, rest, code := loadConfig("serve", args, stderr, nil)
	if code >= 0 {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "confide serve: unexpected arguments %q\n", rest)
		return 2
	}
	log := newLogger(cfg, stderr)
	a, ok := openApp(ctx, "serve", cfg, log, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	err := a.Serve(ctx, func(addr string) {
		scheme := "https"
		if cfg.InsecureHTTP {
			scheme = "http"
		}
		fmt.Fprintf(stdout, "Confide is serving on %s://%s (data: %s)\n", scheme, addr, cfg.DataDir)
		if !cfg.InsecureHTTP {
			if fp, err := tlsutil.Fingerprint(cfg.TLSCertFile); err == nil {
				fmt.Fprintf(stdout, "TLS certificate SHA-256 fingerprint: %s\n", fp)
			}
		}
		fmt.Fprintln(stdout, "Create an API token with: confide tokens create --name NAME --role ROLE")
		if path, expires, ok, err := a.SetupLink(ctx); err != nil {
			fmt.Fprintf(stderr, "confide serve: no setup link: %v\n", err)
		} else if ok {
			fmt.Fprintf(stdout, "No security admin yet. Set up the first one with this single-use link (valid until %s):\n%s://%s%s\n",
				expires.Format("2006-01-02 15:04 MST"), scheme, addr, path)
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "confide serve: %v\n", err)
		return 1
	}
	return 0
}

func runConfig(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: confide config check [flags]")
		return 2
	}
	cfg, _, code := loadConfig("config check", args[1:], stderr, nil)
	if code >= 0 {
		return code
	}
	fmt.Fprintln(stdout, "configuration is valid; effective values:")
	width := 22
	for _, s := range cfg.Effective() {
		width = max(width, len(s.Key))
	}
	for _, s := range cfg.Effective() {
		fmt.Fprintf(stdout, "  %-*s %-48s (%s)\n", width, s.Key, s.Value, s.Source)
	}
	return 0
}

func runMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cfg, _, code := loadConfig("migrate", args, stderr, nil)
	if code >= 0 {
		return code
	}
	a, ok := openApp(ctx, "migrate", cfg, newLogger(cfg, stderr), stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	fmt.Fprintln(stdout, "database schema is up to date")
	return 0
}
