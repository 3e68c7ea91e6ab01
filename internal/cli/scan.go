package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/identity"
)

// runScan implements `confide scan cards`: scan every stored interaction
// for payment card numbers that redaction should have removed.
func runScan(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "cards" {
		fmt.Fprintln(stderr, "usage: confide scan cards [flags]")
		return 2
	}
	return withApp(ctx, "scan cards", args[1:], stderr, io.Discard, nil, func(a *app.App, _ []string) int {
		ctx := localAdmin(ctx, identity.RoleSecurityAdmin)
		rep, err := a.Records.ScanForCardNumbers(ctx, func(n int) { fmt.Fprintf(stderr, "\rscanned %d interactions", n) })
		fmt.Fprintln(stderr)
		if err != nil {
			fmt.Fprintf(stderr, "confide scan cards: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "scanned %d interactions; %d hold card numbers\n", rep.Interactions, len(rep.Findings))
		for _, id := range rep.Findings {
			fmt.Fprintf(stdout, "  interaction %s (audited as redaction.pan_found)\n", id)
		}
		if len(rep.Findings) > 0 {
			return 3 // findings: distinct from failure, for scripts and monitoring
		}
		return 0
	})
}
