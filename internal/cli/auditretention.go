package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/audit"
)

// auditRetention applies the configured audit retention policy once (the
// server does it every hour) and reports what moved.
func auditRetention(ctx context.Context, a *app.App, stdout, stderr io.Writer) int {
	p := audit.Retention{Hot: a.Config.AuditHotPeriod, Keep: a.Config.AuditRetention}
	// Sign a checkpoint covering everything so far, so that the records due
	// are all covered by one.
	if _, _, err := a.Audit.Integrate(ctx); err != nil {
		fmt.Fprintf(stderr, "confide audit retention: %v\n", err)
		return 1
	}
	res, err := a.Audit.ApplyRetention(ctx, p, time.Now())
	for _, s := range res.Archived {
		fmt.Fprintf(stdout, "archived leaves [%d, %d)\n", s.Start, s.End)
	}
	if res.Expired.End > 0 {
		fmt.Fprintf(stdout, "deleted leaves [%d, %d) for good\n", res.Expired.Start, res.Expired.End)
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide audit retention: %v\n", err)
		return 1
	}
	if len(res.Archived) == 0 && res.Expired.End == 0 {
		fmt.Fprintf(stdout, "nothing due (hot period %s, retention %s)\n", describePeriod(p.Hot), describePeriod(p.Keep))
	}
	return 0
}

func describePeriod(d time.Duration) string {
	if d == 0 {
		return "unlimited"
	}
	return d.String()
}
