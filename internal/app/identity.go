package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/users"
)

// dormancyInterval is how often the node looks for dormant accounts.
const dormancyInterval = time.Hour

// openUsers builds the user service.
func (a *App) openUsers(cfg config.Config, log *slog.Logger) error {
	id := cfg.Identity
	u, err := users.New(a.Store, a.Vault, users.Options{Logger: log, Now: a.clock.Now,
		IdleTimeout: id.SessionIdleTimeout, SessionLifetime: id.SessionLifetime, AllowLongSessions: id.AllowLongSessions,
		LockoutThreshold: int(id.LockoutThreshold), LockoutDuration: id.LockoutDuration, DormantAfter: id.DormantAfter,
		ReauthWindow: id.ReauthWindow, BreakGlassMax: id.BreakGlassMax})
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	if err := u.EnableWebAuthn(users.WebAuthnConfig{RPID: cfg.WebAuthnRPID(), Origins: cfg.WebAuthnOrigins()}); err != nil {
		return fmt.Errorf("users: %w", err)
	}
	a.Users = u
	return nil
}

// cookies returns how the node sets session cookies.
func (a *App) cookies() httpx.Cookies { return httpx.Cookies{Insecure: a.Config.InsecureHTTP} }

// SetupLink returns the path of a single-use link (/enroll?token=…) that
// creates the first security admin, if the installation has no active one;
// each call replaces the previous link.
func (a *App) SetupLink(ctx context.Context) (path string, expires time.Time, ok bool, err error) {
	link, ok, err := a.Users.SetupLink(systemContext(ctx))
	if err != nil || !ok {
		return "", time.Time{}, false, err
	}
	return "/enroll?token=" + link.Token, link.ExpiresAt, true, nil
}
