package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/vault"
)

// localAdmin is the principal of an administrator running the CLI on a
// node: whoever can read the data directory or the database URL and the
// root key already holds every key, so the CLI acts with the role the
// command needs and is audited as "cli:uid=N".
func localAdmin(ctx context.Context, role string) context.Context {
	p := identity.Principal{ID: "cli:uid=" + strconv.Itoa(os.Getuid()), Kind: identity.KindSystem, Roles: []string{role}}
	return audit.WithRequest(identity.WithPrincipal(ctx, p), audit.RequestInfo{Origin: "local"})
}

func runTokens(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: confide tokens create --name NAME --role ROLE [--cidr PREFIX,...] | tokens list | tokens revoke ID")
		return 2
	}
	sub, args := args[0], args[1:]
	var name, role, cidr string
	return withApp(ctx, "tokens "+sub, args, stderr, io.Discard, func(fs *flag.FlagSet) {
		if sub == "create" {
			fs.StringVar(&name, "name", "", "token name (which integration uses it)")
			fs.StringVar(&role, "role", "", "role: agent, supervisor, qa_analyst, privacy_officer, security_admin, auditor, it_support, integration")
			fs.StringVar(&cidr, "cidr", "", "comma-separated networks the token may be used from (e.g. 10.0.0.0/8,2001:db8::/32; a single address is a /32 or /128); default: any address")
		}
	}, func(a *app.App, rest []string) int {
		ctx := localAdmin(ctx, identity.RoleSecurityAdmin)
		switch sub {
		case "create":
			if name == "" || role == "" {
				fmt.Fprintln(stderr, "confide tokens create: --name and --role are required")
				return 2
			}
			var networks []string
			if cidr != "" {
				networks = strings.Split(cidr, ",")
			}
			secret, t, err := a.Tokens.CreateWithNetworks(ctx, name, role, networks)
			if err != nil {
				fmt.Fprintf(stderr, "confide tokens create: %v\n", err)
				return 1
			}
			fmt.Fprintf(stderr, "created token %s (name %s, role %s, networks %s); it is shown only once:\n", t.ID, t.Name, t.Role, fmtNetworks(t.Networks))
			fmt.Fprintln(stdout, secret)
		case "list":
			ts, err := a.Tokens.List(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide tokens list: %v\n", err)
				return 1
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED\tREVOKED\tNETWORKS")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format("2006-01-02 15:04"),
					fmtTime(t.LastUsedAt), fmtTime(t.RevokedAt), fmtNetworks(t.Networks))
			}
			tw.Flush()
		case "revoke":
			if len(rest) != 1 {
				fmt.Fprintln(stderr, "usage: confide tokens revoke ID")
				return 2
			}
			if err := a.Tokens.Revoke(ctx, rest[0]); err != nil {
				fmt.Fprintf(stderr, "confide tokens revoke: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "revoked %s\n", rest[0])
		default:
			fmt.Fprintf(stderr, "confide tokens: unknown subcommand %q\n", sub)
			return 2
		}
		return 0
	})
}

func runKeys(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: confide keys rotate | keys rewrap | keys status | keys rotate-root --new-key-file F | --finish | --abort")
		return 2
	}
	sub, args := args[0], args[1:]
	if sub == "rotate-root" {
		return runRotateRoot(ctx, args, stdout, stderr)
	}
	return withApp(ctx, "keys "+sub, args, stderr, io.Discard, nil, func(a *app.App, _ []string) int {
		ctx := localAdmin(ctx, identity.RoleITSupport)
		progress := func(done, total int64) {
			pct := 100.0
			if total > 0 {
				pct = 100 * float64(done) / float64(total)
			}
			fmt.Fprintf(stderr, "\rre-wrapping customer keysets: %d/%d (%.0f%%)", done, total, pct)
		}
		switch sub {
		case "rotate":
			id, err := a.Records.RotateKEK(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys rotate: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "new key-encryption key %d is primary; running servers pick it up within 30 s\n", id)
			fallthrough
		case "rewrap":
			n, err := a.Records.RewrapKeysets(ctx, progress)
			fmt.Fprintln(stderr)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys %s: %v (safe to resume with: confide keys rewrap)\n", sub, err)
				return 1
			}
			fmt.Fprintf(stdout, "re-wrapped %d customer keysets under key %d\n", n, a.Vault.PrimaryKEKKeyID())
		case "status":
			total, current, err := a.Records.KeysetStatus(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys status: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "primary key-encryption key: %d\ncustomer keysets: %d, wrapped by the primary: %d, pending re-wrap: %d\n",
				a.Vault.PrimaryKEKKeyID(), total, current, total-current)
			if rr, err := a.Vault.RootRotation(ctx); err == nil && len(rr.Staged) > 0 {
				fmt.Fprintf(stdout, "root-key rotation staged for: %s (finish with: confide keys rotate-root --finish, on the new key)\n", strings.Join(rr.Staged, ", "))
			}
		default:
			fmt.Fprintf(stderr, "confide keys: unknown subcommand %q\n", sub)
			return 2
		}
		return 0
	})
}

// runRotateRoot stages, finishes or aborts a root-key rotation.
func runRotateRoot(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var newKey string
	var finish, abort bool
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&newKey, "new-key-file", "", "stage a rotation to the root key in this `file` (created, 0600, if it does not exist)")
		fs.BoolVar(&finish, "finish", false, "finish a staged rotation (run with root_key_file set to the new key, after every node uses it)")
		fs.BoolVar(&abort, "abort", false, "discard a staged rotation")
	}
	return withApp(ctx, "keys rotate-root", args, stderr, io.Discard, extra, func(a *app.App, rest []string) int {
		if len(rest) > 0 {
			return unexpectedArgs(stderr, "keys rotate-root", rest)
		}
		modes := 0
		for _, on := range []bool{newKey != "", finish, abort} {
			if on {
				modes++
			}
		}
		if modes != 1 {
			fmt.Fprintln(stderr, "confide keys rotate-root: give exactly one of --new-key-file FILE, --finish or --abort")
			return 2
		}
		ctx := localAdmin(ctx, identity.RoleITSupport)
		switch {
		case newKey != "":
			if sameFile(newKey, a.Config.RootKeyFile) {
				fmt.Fprintln(stderr, "confide keys rotate-root: --new-key-file is the current root key file")
				return 2
			}
			created, err := vault.EnsureRootKeyFile(newKey)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys rotate-root: %v\n", err)
				return 1
			}
			if created {
				fmt.Fprintf(stderr, "created the new root key %s (0600); back it up separately from the database\n", newKey)
			}
			names, err := a.Records.StageRootRotation(ctx, vault.FileKeySource(newKey))
			if err != nil {
				fmt.Fprintf(stderr, "confide keys rotate-root: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "staged: %s re-wrapped under %s\n", strings.Join(names, ", "), newKey)
			fmt.Fprintln(stdout, "next: point root_key_file of every node at the new key and restart them (nodes work with either key meanwhile), then run: confide keys rotate-root --finish")
		case finish:
			names, err := a.Records.FinishRootRotation(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys rotate-root --finish: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "finished: %s now wrapped only by %s; destroy the old root key file and its backups\n", strings.Join(names, ", "), a.Config.RootKeyFile)
		case abort:
			names, err := a.Records.AbortRootRotation(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "confide keys rotate-root --abort: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "aborted: removed the staged copies of %d keysets\n", len(names))
		}
		return 0
	})
}

// sameFile reports whether paths a and b name the same file.
func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	aa, errA := filepath.Abs(a)
	ab, errB := filepath.Abs(b)
	return errA == nil && errB == nil && aa == ab
}
