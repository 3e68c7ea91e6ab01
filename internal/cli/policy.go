package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/confide-cc/confide/internal/authz"
)

const policyUsage = "usage: confide policy validate [--dir D] | policy print [--dir D] | policy table [--dir D]"

// runPolicy checks and shows the authorization policies: the built-in ones,
// overridden and extended by the operator's directory (--dir, default the
// policy_dir setting). It opens no database.
func runPolicy(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "validate" && args[0] != "print" && args[0] != "table") {
		fmt.Fprintln(stderr, policyUsage)
		return 2
	}
	sub := args[0]
	var dir string
	cfg, rest, code := loadConfig("policy "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&dir, "dir", "", "directory of operator *.cedar policies (default: the policy_dir setting; none: built-in only)")
	})
	if code >= 0 {
		return code
	}
	if len(rest) > 0 {
		return unexpectedArgs(stderr, "policy "+sub, rest)
	}
	if dir == "" {
		dir = cfg.Access.PolicyDir
	}
	opt, err := cfg.Access.AuthzOptions()
	if err != nil {
		fmt.Fprintf(stderr, "confide policy %s: %v\n", sub, err)
		return 2
	}
	e, err := authz.Load(dir, opt)
	if err != nil {
		var pe *authz.PolicyError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "confide policy %s: %d problem(s):\n", sub, len(pe.Problems))
			for _, p := range pe.Problems {
				fmt.Fprintf(stderr, "  %s\n", p)
			}
		} else {
			fmt.Fprintf(stderr, "confide policy %s: %v\n", sub, err)
		}
		return 1
	}
	switch sub {
	case "validate":
		src := "built-in policies"
		if dir != "" {
			src += " with " + dir
		}
		fmt.Fprintf(stdout, "ok: %d files (%s) are valid against the schema and cover %d actions\n", len(e.Files()), src, len(authz.AllActions()))
	case "print":
		for _, f := range e.Files() {
			fmt.Fprintf(stdout, "// ===== %s =====\n%s\n", f.Name, f.Text)
		}
	case "table":
		fmt.Fprint(stdout, e.RightsMarkdown())
	}
	return 0
}
