package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

const monitorUsage = "usage: confide monitor honey create | monitor alerts [--status S] [--rule R] [--limit N]"

// runMonitor creates honey customers and lists alerts, acting locally as a
// security admin (audited like the API).
func runMonitor(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, monitorUsage)
		return 2
	}
	sub := args[0]
	if sub == "honey" {
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprintln(stderr, monitorUsage)
			return 2
		}
		sub, args = "honey create", args[1:]
	}
	var q store.AlertQuery
	cfg, rest, code := loadConfig("monitor "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		if sub == "alerts" {
			fs.StringVar(&q.Status, "status", "", "only alerts with this status: open or acknowledged")
			fs.StringVar(&q.Rule, "rule", "", "only alerts of this rule")
			fs.IntVar(&q.Limit, "limit", 100, "at most this many alerts, newest first")
		}
	})
	if code >= 0 {
		return code
	}
	if len(rest) != 0 || (sub != "alerts" && sub != "honey create") {
		fmt.Fprintln(stderr, monitorUsage)
		return 2
	}
	a, ok := openApp(ctx, "monitor", cfg, newLogger(cfg, io.Discard), stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	ctx = localAdmin(ctx, identity.RoleSecurityAdmin)
	switch sub {
	case "honey create":
		id, err := a.Monitor.CreateHoney(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "confide monitor honey create: %v\n", err)
			return 1
		}
		fmt.Fprintln(stderr, "created a honey customer; any access to it raises a critical alert. Keep its id secret:")
		fmt.Fprintln(stdout, id)
	case "alerts":
		as, err := a.Monitor.List(ctx, q)
		if err != nil {
			fmt.Fprintf(stderr, "confide monitor alerts: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tRULE\tSEVERITY\tACTOR\tSOURCE\tSTATUS\tSUMMARY")
		for _, al := range as {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", al.ID, al.CreatedAt.Format("2006-01-02 15:04:05"), al.Rule,
				al.Severity, al.ActorID, al.SourceIP, al.Status, al.Summary)
		}
		tw.Flush()
	}
	return 0
}
