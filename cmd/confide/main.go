// Command confide is the Confide customer-data vault: server and CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/confide-cc/confide/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
