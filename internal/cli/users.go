package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

const usersUsage = "usage: confide users create --email E --name N --role ROLE[,ROLE] [--team T] | users list | users disable ID | users link ID | " + usersAdminUsage

// runUsers manages human accounts from a node: it acts as a local security
// admin (see localAdmin) and prints single-use enrollment links.
func runUsers(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usersUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	if code, ok := runUsersAdmin(ctx, sub, args, stdout, stderr); ok { // users_admin.go
		return code
	}
	var email, name, role, team string
	return withApp(ctx, "users "+sub, args, stderr, io.Discard, func(fs *flag.FlagSet) {
		if sub == "create" {
			fs.StringVar(&email, "email", "", "the user's e-mail address (their sign-in name)")
			fs.StringVar(&name, "name", "", "the user's name")
			fs.StringVar(&role, "role", "", "role(s), comma-separated: agent, supervisor, qa_analyst, privacy_officer, security_admin, auditor, it_support")
			fs.StringVar(&team, "team", "", "the user's team (optional)")
		}
	}, func(a *app.App, rest []string) int {
		ctx := localAdmin(ctx, identity.RoleSecurityAdmin)
		switch sub {
		case "create":
			if email == "" || name == "" || role == "" {
				fmt.Fprintln(stderr, "confide users create: --email, --name and --role are required")
				return 2
			}
			u, link, err := a.Users.Create(ctx, users.NewUser{Email: email, Name: name, Roles: strings.Split(role, ","), Team: team})
			if err != nil {
				fmt.Fprintf(stderr, "confide users create: %v\n", err)
				return 1
			}
			fmt.Fprintf(stderr, "created user %s (%s); send them this single-use enrollment link, valid until %s:\n",
				u.ID, strings.Join(u.Roles, ", "), link.ExpiresAt.Format("2006-01-02 15:04 MST"))
			fmt.Fprintln(stdout, enrollURL(a.Config, link.Token))
		case "link":
			if len(rest) != 1 {
				fmt.Fprintln(stderr, "usage: confide users link ID")
				return 2
			}
			link, err := a.Users.NewEnrollmentLink(ctx, rest[0])
			if err != nil {
				fmt.Fprintf(stderr, "confide users link: %v\n", err)
				return 1
			}
			fmt.Fprintf(stderr, "new enrollment link for %s (earlier links no longer work), valid until %s:\n",
				rest[0], link.ExpiresAt.Format("2006-01-02 15:04 MST"))
			fmt.Fprintln(stdout, enrollURL(a.Config, link.Token))
		case "list":
			list, err := a.Users.List(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide users list: %v\n", err)
				return 1
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tTEAM\tSTATUS\tLAST LOGIN\tTRAINING UNTIL")
			for _, u := range list {
				status := string(u.Status)
				switch {
				case u.Contained:
					status += " (contained)"
				case u.Locked:
					status += " (locked)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, strings.Join(u.Roles, ","), u.Team,
					status, fmtTime(u.LastLoginAt), fmtTime(u.TrainingUntil))
			}
			tw.Flush()
		case "disable":
			if len(rest) != 1 {
				fmt.Fprintln(stderr, "usage: confide users disable ID")
				return 2
			}
			if err := a.Users.Disable(ctx, rest[0]); err != nil {
				fmt.Fprintf(stderr, "confide users disable: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "disabled %s; their sessions have ended\n", rest[0])
		default:
			fmt.Fprintf(stderr, "confide users: unknown subcommand %q\n%s\n", sub, usersUsage)
			return 2
		}
		return 0
	})
}

// enrollURL is the enrollment page for token on this node's address.
func enrollURL(cfg config.Config, token string) string {
	scheme := "https"
	if cfg.InsecureHTTP {
		scheme = "http"
	}
	return scheme + "://" + cfg.Addr + "/enroll?token=" + token
}
