// Package cli implements the confide command: the server and the
// administrative subcommands. Each subcommand reads its configuration
// through internal/config and builds what it needs through internal/app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "run the Confide server", runServe},
		{"config", "config check: validate the configuration and print effective values (secrets hidden)", runConfig},
		{"migrate", "apply database schema migrations and exit", runMigrate},
		{"tokens", "tokens create --name N --role R | tokens list | tokens revoke ID", runTokens},
		{"users", "users create --email E --name N --role R [--team T] | users list | users disable ID | users link ID", runUsers},
		{"policy", "policy validate [--dir D] | policy print | policy table: check and show the authorization policies", runPolicy},
		{"keys", "keys rotate | keys rewrap | keys status | keys rotate-root: manage the key-encryption and root keys", runKeys},
		{"audit", "audit key | audit export --out DIR | audit verify [DIR [--against URL]]: the tamper-evident audit log", runAudit},
		{"monitor", "monitor honey create | monitor alerts [--status S] [--rule R]: detection alerts and honey customers", runMonitor},
		{"scan", "scan cards: look for card numbers left in stored content (exit 3 if any)", runScan},
		{"redact", "redact text, JSON lines or transcripts from stdin to stdout", runRedact},
		{"redact-audio", "redact-audio --transcript T.json IN.wav OUT.wav: silence redacted spans", runRedactAudio},
		{"version", "print the version", func(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
			fmt.Fprintln(stdout, "confide", Version)
			return 0
		}},
	}
}

// Main runs the command line args and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "confide: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: confide <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nEvery command accepts the configuration flags (--data, --addr, --config, --database-url, ...);\nrun 'confide <command> -h' for them.")
}

// loadConfig parses args with the configuration flags plus the command's own
// (registered by extra). It prints errors and warnings to stderr.
func loadConfig(name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (config.Config, []string, int) {
	fs := flag.NewFlagSet("confide "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	cfg, warnings, err := config.Load(fs, args, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, nil, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide %s: %v\n", name, err)
		return cfg, nil, 2
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "confide %s: warning: %s\n", name, w)
	}
	return cfg, fs.Args(), -1
}

// newLogger builds the structured logger of cfg.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// withApp parses args with the configuration flags plus the command's own
// (extra), opens the node's components (logging to logs), runs fn with the
// positional arguments left over, and closes them. Parse and open failures
// are printed to stderr and become the exit code.
func withApp(ctx context.Context, name string, args []string, stderr, logs io.Writer, extra func(*flag.FlagSet), fn func(a *app.App, rest []string) int) int {
	cfg, rest, code := loadConfig(name, args, stderr, extra)
	if code >= 0 {
		return code
	}
	a, ok := openApp(ctx, name, cfg, newLogger(cfg, logs), stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	return fn(a, rest)
}

// unexpectedArgs reports positional arguments a command does not take.
func unexpectedArgs(stderr io.Writer, name string, rest []string) int {
	fmt.Fprintf(stderr, "confide %s: unexpected argument %q\n", name, rest[0])
	return 2
}

// openApp opens the App for cfg, printing a failure to stderr.
func openApp(ctx context.Context, name string, cfg config.Config, log *slog.Logger, stderr io.Writer) (*app.App, bool) {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "confide %s: %v\n", name, err)
		return nil, false
	}
	return a, true
}
