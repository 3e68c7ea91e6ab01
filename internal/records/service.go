// Package records is Confide's core domain service: customers, their
// interactions, recordings and attachments, and their erasure. Every method
// authorizes first, audits in the same transaction as its effect (failing
// closed), and hands the store only sealed data.
package records

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Options configure a Service.
type Options struct {
	// DefaultRegion is the region used to read national phone numbers
	// (ISO 3166-1 alpha-2, default "US").
	DefaultRegion string
	// MaxRecordingBytes bounds recording uploads (default 2 GiB).
	MaxRecordingBytes int64
	// Logger receives operational logs (never customer data).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Redactor removes personal and card data from interaction content and
	// free-text reasons before they are stored (default: every entity type,
	// typed placeholders).
	Redactor *redact.Redactor
	// KeepOriginalAudio keeps the unredacted original of a redacted
	// recording as well, encrypted, readable only through
	// OpenOriginalRecording (privacy officers, with a reason).
	KeepOriginalAudio bool
	// AfterErase runs after an erasure commits, for example a SQLite WAL
	// checkpoint so that shredded pages do not linger in the log. Optional.
	AfterErase func(context.Context) error
	// Authz decides every operation (default: the built-in policies with
	// default options).
	Authz *authz.Engine
	// RevealLimit bounds reveals per user per RevealWindow (default 30 per
	// hour; negative: unlimited), counted in the audit log, so across
	// every node sharing the database.
	RevealLimit  int
	RevealWindow time.Duration
}

// Service implements the customer and interaction operations.
type Service struct {
	st       store.Store
	vault    *vault.Vault
	blobs    blob.Store
	opt      Options
	log      *slog.Logger
	redactor *redact.Redactor
	// collectNow wakes the blob collector (buffered, size 1).
	collectNow chan struct{}
	engine     *authz.Engine
}

// New returns a Service.
func New(st store.Store, v *vault.Vault, blobs blob.Store, opt Options) *Service {
	if opt.DefaultRegion == "" {
		opt.DefaultRegion = "US"
	}
	if opt.MaxRecordingBytes <= 0 {
		opt.MaxRecordingBytes = 2 << 30
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Redactor == nil {
		r, err := redact.New(redact.Config{})
		if err != nil {
			panic(fmt.Sprintf("records: default redactor: %v", err)) // the zero Config is valid
		}
		opt.Redactor = r
	}
	if opt.Authz == nil {
		opt.Authz = authz.Builtin()
	}
	if opt.RevealLimit == 0 {
		opt.RevealLimit = 30
	}
	if opt.RevealWindow <= 0 {
		opt.RevealWindow = time.Hour
	}
	s := &Service{st: st, vault: v, blobs: blobs, opt: opt, log: opt.Logger, redactor: opt.Redactor, collectNow: make(chan struct{}, 1),
		engine: opt.Authz}
	return s
}

// newID returns a random, time-ordered identifier (UUIDv7).
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// crypto/rand never fails on supported platforms.
		panic(err)
	}
	return id.String()
}

// validID reports whether s looks like an id we issued; anything else is
// not found without touching the store.
func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func randomKey() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x", b[:])
}

// authorize checks the principal of ctx for a on resource ("customer/ID",
// "interaction/ID", or a collection), with the facts the policies need
// (see accessRequest). A denial is audited with its reason; the caller
// gets "not found" (as hideAs, if set) when they may not know the resource
// exists, else Forbidden with the reason.
func (s *Service) authorize(ctx context.Context, a authz.Action, resource string, hideAs string) error {
	req, err := s.accessRequest(ctx, a, resource)
	if err != nil {
		return err
	}
	d := s.engine.Decide(req)
	if d.Allow {
		return nil
	}
	return s.deny(ctx, req, d, resource, hideAs)
}

// hiddenBehind names, for actions on an existing resource, the action that
// makes the resource visible, and what it is called when hidden: a caller
// who may do neither gets "not found", as if it did not exist.
var hiddenBehind = map[authz.Action]struct {
	visible authz.Action
	kind    string
}{
	authz.CustomerRead:          {authz.CustomerRead, "customer"},
	authz.CustomerUpdate:        {authz.CustomerRead, "customer"},
	authz.CustomerReveal:        {authz.CustomerRead, "customer"},
	authz.CustomerErase:         {authz.CustomerRead, "customer"},
	authz.InteractionList:       {authz.InteractionList, "customer"},
	authz.InteractionRead:       {authz.InteractionRead, "interaction"},
	authz.RecordingPlay:         {authz.RecordingPlay, "interaction"},
	authz.RecordingPlayOriginal: {authz.RecordingPlay, "interaction"},
	authz.AttachmentDownload:    {authz.AttachmentDownload, "interaction"},
	authz.VerificationStart:     {authz.InteractionRead, "interaction"},
	authz.VerificationCheck:     {authz.InteractionRead, "interaction"},
	authz.InteractionEnd:        {authz.InteractionRead, "interaction"},
}

// Precheck authorizes action on resource before a request is parsed, so
// that a caller who may not act learns nothing from validation errors: a
// resource they may not see is "not found", an action they may not take is
// forbidden with the reason. Denials are audited. Service methods
// authorize again.
func (s *Service) Precheck(ctx context.Context, a authz.Action, resource string) error {
	return s.authorize(ctx, a, resource, hiddenBehind[a].kind)
}

// appendOnly writes one audit event in its own transaction.
func (s *Service) appendOnly(ctx context.Context, ev audit.Event) error {
	err := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) })
	if err != nil {
		return apperr.Wrap(err, "audit log unavailable")
	}
	return nil
}

// AuditRejected records a request for action that was rejected before it
// reached the service (for example malformed JSON), with outcome and a
// machine-readable reason.
func (s *Service) AuditRejected(ctx context.Context, action authz.Action, resource string, outcome audit.Outcome, reason string) error {
	ev := audit.NewEvent(ctx, string(action), resource, outcome)
	ev.Reason = reason
	return s.appendOnly(ctx, ev)
}

func mapStoreErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.New(apperr.Unavailable, "cancelled", "request cancelled").WithCause(err)
	}
	return apperr.Wrap(err, "storage error")
}

// outcomeOf maps an error to an audit outcome.
func outcomeOf(err error) audit.Outcome {
	switch apperr.KindOf(err) {
	case apperr.NotFound, apperr.Unprocessable:
		return audit.NotFound
	case apperr.Invalid, apperr.TooLarge, apperr.UnsupportedMedia, apperr.RangeNotSatisfiable:
		return audit.Invalid
	case apperr.Forbidden, apperr.Unauthenticated, apperr.TooManyRequests:
		return audit.Denied
	}
	return audit.Failure
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("records: marshal %T: %v", v, err)) // only our own types
	}
	return b
}

// AuditRefused records a request refused before it reached an action
// (unauthenticated, or no such route). route is the matched pattern or a
// fixed description, never the raw URL.
func (s *Service) AuditRefused(ctx context.Context, route, reason string) error {
	ev := audit.NewEvent(ctx, "request.denied", "route", audit.Denied)
	ev.Reason = reason
	ev.Details = map[string]any{"route": route}
	return s.appendOnly(ctx, ev)
}
