package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/confide-cc/confide/internal/api"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/tlsutil"
	"github.com/confide-cc/confide/internal/web"
)

// Handler returns the node's HTTP handler: health, readiness, metrics and
// the authenticated API.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", httpx.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	mux.Handle("GET /readyz", httpx.Route(http.HandlerFunc(a.ready)))
	mux.Handle("GET /metrics", httpx.Route(a.Metrics.Handler()))
	authn := httpx.AuthenticateAny(a.Tokens, a.Users, a.cookies(), a.Records, a.Log)
	api.New(a.Records, a.Tokens, a.Log, a.Config.MaxBodyBytes).WithAuditLog(a.Audit).WithMonitor(a.Monitor).WithUsers(a.Users, a.cookies()).WithVerification(a.Verification).Register(mux, func(h http.Handler) http.Handler {
		return httpx.Route(authn(a.withAuthz(h)))
	})
	web.New(a.Users, a.cookies(), a.Log).Register(mux)
	var h http.Handler = mux
	h = httpx.Recover(a.Log)(h)
	h = httpx.SecureHeaders(h)
	h = httpx.Limit(a.rateLimit(), a.Metrics)(h)
	h = httpx.Observe(a.Log, a.Metrics)(h)
	h = httpx.RequestID(h)
	return h
}

// rateLimit is the per-client-address limit of the configuration (already
// validated), reporting refusals to the audit log.
func (a *App) rateLimit() httpx.RateLimit {
	ps, _ := a.Config.RateLimit.PerSecond()
	exempt, _ := a.Config.RateLimit.ExemptNetworks()
	return httpx.RateLimit{Rate: ps, Burst: a.Config.RateLimit.BurstSize(), Exempt: exempt,
		Report: func(client netip.Prefix, refused int) {
			ctx := audit.WithRequest(systemContext(context.Background()), audit.RequestInfo{Origin: client.Addr().String()})
			ev := audit.NewEvent(ctx, "request.rate_limited", "client/"+client.String(), audit.Denied)
			ev.Reason = "rate_limited"
			ev.Details = map[string]any{"refused": refused}
			if err := a.Store.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
				a.Log.Error("could not audit rate-limit refusals", "client", client.String(), "refused", refused, "err", err)
			}
			a.Log.Warn("rate limit: refused requests from a client address", "client", client.String(), "refused", refused)
		}}
}

// ready reports whether the database and the blob store answer.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "blob_store": "ok"}
	status := http.StatusOK
	if err := a.Store.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
		a.Log.Warn("readiness: database unavailable", "err", err)
	}
	if err := a.Blobs.Ping(ctx); err != nil {
		checks["blob_store"], status = "unavailable", http.StatusServiceUnavailable
		a.Log.Warn("readiness: blob store unavailable", "err", err)
	}
	httpx.WriteJSON(w, status, checks)
}

// systemContext is the context of the node's own actions (start, stop).
func systemContext(ctx context.Context) context.Context {
	return identity.WithPrincipal(ctx, identity.Principal{ID: "system:node", Kind: identity.KindSystem})
}

// Serve listens on the configured address (TLS unless insecure_http) and
// serves until ctx is cancelled, then shuts down gracefully. ready, if not
// nil, receives the bound address once listening.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	cfg := a.Config
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if !cfg.InsecureHTTP {
		if cfg.UsesDefaultTLSFiles() {
			created, err := tlsutil.EnsureSelfSigned(cfg.TLSCertFile, cfg.TLSKeyFile, nil)
			if err != nil {
				return fmt.Errorf("TLS certificate: %w", err)
			}
			if created {
				a.Log.Info("created a self-signed TLS certificate", "cert", cfg.TLSCertFile)
			}
		}
		tc, err := tlsutil.ServerConfig(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		srv.TLSConfig = tc
	} else {
		a.Log.Warn("serving plain HTTP (--insecure-http): traffic is not encrypted; loopback only")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if err := a.auditSystem(ctx, "system.start"); err != nil {
		ln.Close()
		return fmt.Errorf("audit log unavailable, refusing to serve: %w", err)
	}
	// Background jobs stop with the server, and Serve waits for them, so
	// that none is still using the store when the caller closes it.
	bg, stopBG := context.WithCancel(ctx)
	var jobs sync.WaitGroup
	defer func() {
		stopBG()
		jobs.Wait()
	}()
	jobs.Go(func() { a.Records.RunBlobCollector(bg, cfg.BlobGCInterval) })
	if cfg.CardScanInterval > 0 {
		jobs.Go(func() { a.Records.RunCardScanner(bg, cfg.CardScanInterval) })
	}
	jobs.Go(func() { a.reloadKeys(bg, keyReloadInterval) })
	jobs.Go(func() { a.Audit.Run(bg, audit.CheckpointInterval) })
	if a.SIEM != nil {
		jobs.Go(func() { a.SIEM.Run(bg) })
	}
	jobs.Go(func() { a.MonitorEngine.Run(bg) })
	jobs.Go(func() { a.Users.RunDormancy(systemContext(bg), dormancyInterval) })

	errc := make(chan error, 1)
	useTLS := srv.TLSConfig != nil // read before ServeTLS starts changing srv
	go func() {
		if useTLS {
			// ServeTLS (unlike Serve on a TLS listener) also sets up HTTP/2;
			// the certificate comes from TLSConfig.GetCertificate.
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	scheme := "https"
	if !useTLS {
		scheme = "http"
	}
	a.Log.Info("serving", "url", scheme+"://"+ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if aerr := a.auditSystem(context.WithoutCancel(ctx), "system.stop"); aerr != nil {
		a.Log.Error("could not audit shutdown", "err", aerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}

func (a *App) auditSystem(ctx context.Context, action string) error {
	ctx = systemContext(ctx)
	ev := audit.NewEvent(ctx, action, "node", audit.Success)
	return a.Store.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) })
}

// keyReloadInterval is how soon a node picks up a key-encryption key
// rotated by another node or the CLI (until then it still reads every
// keyset: unknown keys trigger a reload on demand; it only keeps wrapping new
// keysets under the previous primary).
const keyReloadInterval = 30 * time.Second

func (a *App) reloadKeys(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Vault.Reload(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("reloading the key-encryption keyset failed; will retry", "err", err)
			}
		}
	}
}
