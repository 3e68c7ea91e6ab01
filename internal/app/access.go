package app

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/records"
)

// accessOptions loads the authorization policies (built-in, overridden and
// extended by policy_dir) and the conditions of cfg into records options.
// An invalid policy refuses the start with every problem listed.
func accessOptions(cfg config.Config, log *slog.Logger, o records.Options) (records.Options, error) {
	opt, err := cfg.Access.AuthzOptions()
	if err != nil {
		return o, err
	}
	e, err := authz.Load(cfg.Access.PolicyDir, opt)
	if err != nil {
		return o, fmt.Errorf("authorization policies (policy_dir %q): %w; check them with: confide policy validate --dir DIR", cfg.Access.PolicyDir, err)
	}
	if cfg.Access.PolicyDir != "" {
		log.Info("authorization policies loaded", "policy_dir", cfg.Access.PolicyDir, "files", len(e.Files()))
	}
	n, window, err := cfg.Access.RevealLimit()
	if err != nil {
		return o, fmt.Errorf("reveal_rate: %w", err)
	}
	o.Authz, o.RevealLimit, o.RevealWindow = e, n, window
	return o, nil
}

// withAuthz makes the node's policy engine and the client's address
// available to authorization outside the records service (users, tokens,
// alerts, sessions: authz.Check), and lets the records service read a
// resource's relation facts once per request (a handler's precheck and
// its operation ask the same question).
func (a *App) withAuthz(next http.Handler) http.Handler {
	e := a.Records.Engine()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := records.WithRequestMemo(authz.NewContext(r.Context(), e, httpx.ClientAddr(r)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
