package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

const usersAdminUsage = "users mfa-reset ID --reason R | users update ID [--roles R[,R]] [--team T] | users training ID --until DATE | users unlock ID --reason R"

// runUsersAdmin runs the sensitive user subcommands (MFA reset, role and
// team changes, training attestation, unlock) as a local security admin;
// ok is false for other subcommands. The user id comes first, the flags
// after it.
func runUsersAdmin(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	switch sub {
	case "mfa-reset", "update", "training", "unlock":
	default:
		return 0, false
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append(args[1:], args[0]) // ID first: flags parse only before positional arguments
	}
	var reason, roles, team, until string
	var teamSet bool
	name := "users " + sub
	return withApp(ctx, name, args, stderr, io.Discard, func(fs *flag.FlagSet) {
		switch sub {
		case "mfa-reset", "unlock":
			fs.StringVar(&reason, "reason", "", "why (required; recorded in the audit log, personal data redacted)")
		case "update":
			fs.StringVar(&roles, "roles", "", "new role(s), comma-separated")
			fs.Func("team", "new team (empty removes it)", func(v string) error { team, teamSet = v, true; return nil })
		case "training":
			fs.StringVar(&until, "until", "", "expiry of the attestation: a date (2027-11-30) or an RFC 3339 time")
		}
	}, func(a *app.App, rest []string) int {
		if len(rest) != 1 {
			fmt.Fprintf(stderr, "usage: confide %s\n", usersAdminUsage)
			return 2
		}
		id := rest[0]
		ctx := localAdmin(ctx, identity.RoleSecurityAdmin)
		fail := func(err error) int {
			fmt.Fprintf(stderr, "confide %s: %v\n", name, err)
			return 1
		}
		switch sub {
		case "mfa-reset":
			link, err := a.Users.ResetMFA(ctx, id, reason)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stderr, "reset the second factors of %s and ended their sessions; they enroll again with this single-use link, valid until %s:\n",
				id, link.ExpiresAt.Format("2006-01-02 15:04 MST"))
			fmt.Fprintln(stdout, enrollURL(a.Config, link.Token))
		case "update":
			var upd users.UserUpdate
			if roles != "" {
				r := strings.Split(roles, ",")
				upd.Roles = &r
			}
			if teamSet {
				upd.Team = &team
			}
			u, err := a.Users.Update(ctx, id, upd)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "%s now has roles %s and team %q; their sessions have ended\n", u.ID, strings.Join(u.Roles, ","), u.Team)
		case "training":
			t, err := parseUntil(until)
			if err != nil {
				fmt.Fprintf(stderr, "confide %s: --until: %v\n", name, err)
				return 2
			}
			got, err := a.Users.AttestTraining(ctx, id, t)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "security training of %s recorded, valid until %s\n", id, got.Format(time.RFC3339))
		case "unlock":
			if err := a.Users.Unlock(ctx, id, reason); err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "unlocked %s\n", id)
		}
		return 0
	}), true
}

// parseUntil reads a date (the end of that day, UTC) or an RFC 3339 time.
func parseUntil(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2027-11-30) or an RFC 3339 time", s)
	}
	return t.Add(24*time.Hour - time.Second), nil
}
