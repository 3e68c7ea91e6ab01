package users

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// User is an account as shown to security admins and to the user. Email
// and Name are personal data: LogValue leaves them out.
type User struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	Team   string   `json:"team,omitempty"`
	Status Status   `json:"status"`
	Locked bool     `json:"locked"`
	// Contained is set when the monitor locked the account; only an
	// unlock by a security admin clears it.
	Contained bool `json:"contained"`
	// TrainingUntil is when the security-training attestation expires;
	// absent if there is none.
	TrainingUntil time.Time `json:"training_until,omitzero"`
	CreatedAt     time.Time `json:"created_at"`
	EnrolledAt    time.Time `json:"enrolled_at,omitzero"`
	LastLoginAt   time.Time `json:"last_login_at,omitzero"`
}

// LogValue keeps logs to the id, roles and status.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.ID), slog.Any("roles", u.Roles), slog.String("status", string(u.Status)))
}

// NewUser describes an account to create.
type NewUser struct {
	Email string
	Name  string
	Roles []string
	Team  string
}

// Link is a single-use link secret, shown once. The HTTP layer turns it
// into a URL (/enroll?token=…).
type Link struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// profile is the sealed part of a user row.
type profile struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// emailIndexPurpose separates user e-mail hashes from customer ones.
const emailIndexPurpose = "user_email"

var teamRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// NormalizeEmail validates a bare e-mail address and case-folds it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	invalid := apperr.New(apperr.Invalid, "invalid_email", "email: must be a bare address such as name@example.com")
	if len(s) > 254 || !utf8.ValidString(s) {
		return "", invalid
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", invalid
	}
	return strings.ToLower(s), nil
}

// validate normalizes n or returns the first problem found.
func (n NewUser) validate() (NewUser, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return n, err
	}
	n.Email = email
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 200 || !utf8.ValidString(n.Name) {
		return n, apperr.New(apperr.Invalid, "invalid_name", "name: 1 to 200 characters")
	}
	if len(n.Roles) == 0 {
		return n, apperr.New(apperr.Invalid, "invalid_role", "role: at least one is required")
	}
	for _, r := range n.Roles {
		if !identity.ValidRole(r) || r == identity.RoleIntegration {
			return n, apperr.New(apperr.Invalid, "invalid_role",
				"role: must be one of the human roles (%s); integrations use API tokens", strings.Join(humanRoles(), ", "))
		}
	}
	slices.Sort(n.Roles)
	n.Roles = slices.Compact(n.Roles)
	if n.Team != "" && !teamRE.MatchString(n.Team) {
		return n, apperr.New(apperr.Invalid, "invalid_team", "team: 1 to 64 characters of [a-z0-9_.-]")
	}
	return n, nil
}

func humanRoles() []string {
	return slices.DeleteFunc(slices.Clone(identity.Roles), func(r string) bool { return r == identity.RoleIntegration })
}

// authorize checks the principal of ctx for a, auditing a denial as ev.
func (s *Service) authorize(ctx context.Context, a authz.Action, ev audit.Event) error {
	kind, id, _ := strings.Cut(ev.Resource, "/")
	if d := authz.Check(ctx, a, authz.Resource{Kind: kind, ID: id}, false); !d.Allow {
		return s.fail(ctx, ev, audit.Denied, d.Reason, apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", d.Reason))
	}
	return nil
}

// Create adds a pending account and returns it with its single-use
// enrollment link. The caller must be allowed to manage users.
func (s *Service) Create(ctx context.Context, n NewUser) (User, Link, error) {
	ev := audit.NewEvent(ctx, "user.create", "user", audit.Success)
	if err := s.authorize(ctx, authz.UserManage, ev); err != nil {
		return User{}, Link{}, err
	}
	n, err := n.validate()
	if err != nil {
		return User{}, Link{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	var u store.User
	var link Link
	err = s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if u, err = s.insertUser(ctx, tx, n); err != nil {
			return err
		}
		ev.Resource = "user/" + u.ID
		ev.Details = map[string]any{"roles": u.Roles, "team": u.Team}
		if err := audit.Append(ctx, tx, ev); err != nil {
			return err
		}
		link, err = s.issueLink(ctx, tx, u.ID, "enroll")
		return err
	})
	if err != nil {
		if apperr.KindOf(err) == apperr.Conflict {
			return User{}, Link{}, s.fail(ctx, ev, audit.Invalid, "email_taken", err)
		}
		return User{}, Link{}, storeErr(err)
	}
	return s.view(u, profile{Email: n.Email, Name: n.Name}), link, nil
}

// insertUser stores a new pending user for n (already validated).
func (s *Service) insertUser(ctx context.Context, tx store.Tx, n NewUser) (store.User, error) {
	hashes, err := s.vault.IndexHashes(emailIndexPurpose, []byte(n.Email))
	if err != nil {
		return store.User{}, err
	}
	for _, h := range hashes {
		if _, err := tx.UserByEmailIndex(ctx, h.KeyID, h.Sum); err == nil {
			return store.User{}, errEmailTaken
		} else if !errors.Is(err, store.ErrNotFound) {
			return store.User{}, err
		}
	}
	now := s.now()
	u := store.User{ID: newID("usr_"), EmailKeyID: hashes[0].KeyID, EmailIndex: hashes[0].Sum, Roles: n.Roles,
		Team: n.Team, Status: string(StatusPending), CreatedAt: now, UpdatedAt: now}
	keys, wrapped, kekID, err := s.vault.NewCustomerKeys(keysetOwner(u.ID))
	if err != nil {
		return store.User{}, err
	}
	u.Keyset, u.KEKKeyID = wrapped, kekID
	if u.Profile, err = keys.Seal(mustJSON(profile{Email: n.Email, Name: n.Name}), profileAD(u.ID)); err != nil {
		return store.User{}, err
	}
	if err := tx.InsertUser(ctx, u); errors.Is(err, store.ErrConflict) {
		return store.User{}, errEmailTaken
	} else if err != nil {
		return store.User{}, err
	}
	return u, nil
}

var errEmailTaken = apperr.New(apperr.Conflict, "email_taken", "a user with this email address exists")

// keysetOwner names a user's keyset to the vault; the "user/" prefix keeps
// it apart from customer keysets.
func keysetOwner(userID string) string { return "user/" + userID }

func profileAD(userID string) vault.FieldAD {
	return vault.FieldAD{Table: "users", Column: "profile", Row: userID}
}
func totpAD(userID string) vault.FieldAD {
	return vault.FieldAD{Table: "users", Column: "totp_secret", Row: userID}
}

// keys opens the user's keyset.
func (s *Service) keys(ctx context.Context, u store.User) (*vault.CustomerKeys, error) {
	return s.vault.OpenCustomerKeys(ctx, keysetOwner(u.ID), u.Keyset)
}

// openProfile decrypts the user's profile.
func (s *Service) openProfile(ctx context.Context, u store.User) (profile, error) {
	k, err := s.keys(ctx, u)
	if err != nil {
		return profile{}, err
	}
	pt, err := k.Open(u.Profile, profileAD(u.ID))
	if err != nil {
		return profile{}, err
	}
	var p profile
	if err := json.Unmarshal(pt, &p); err != nil {
		return profile{}, err
	}
	return p, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types
	}
	return b
}

func (s *Service) view(u store.User, p profile) User {
	return User{ID: u.ID, Email: p.Email, Name: p.Name, Roles: u.Roles, Team: u.Team, Status: Status(u.Status),
		Locked: u.LockedUntil.After(s.now()), Contained: contained(u), CreatedAt: u.CreatedAt, EnrolledAt: u.EnrolledAt, LastLoginAt: u.LastLoginAt}
}

// List returns every user, by id. The caller must be allowed to manage
// users.
func (s *Service) List(ctx context.Context) ([]User, error) {
	ev := audit.NewEvent(ctx, "user.list", "user", audit.Success)
	if err := s.authorize(ctx, authz.UserManage, ev); err != nil {
		return nil, err
	}
	var rows []store.User
	var training []store.Training
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if rows, err = allUsers(ctx, tx); err != nil {
			return err
		}
		if training, err = tx.ListTraining(ctx); err != nil {
			return err
		}
		ev.Details = map[string]any{"count": len(rows)}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	out := make([]User, 0, len(rows))
	for _, u := range rows {
		p, err := s.openProfile(ctx, u)
		if err != nil {
			return nil, apperr.Wrap(err, "user profile unreadable")
		}
		v := s.view(u, p)
		if i := slices.IndexFunc(training, func(t store.Training) bool { return t.UserID == u.ID }); i >= 0 {
			v.TrainingUntil = training[i].ExpiresAt
		}
		out = append(out, v)
	}
	return out, nil
}

// allUsers pages through every user.
func allUsers(ctx context.Context, tx store.Tx) ([]store.User, error) {
	var out []store.User
	after := ""
	for {
		page, err := tx.ListUsers(ctx, after, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// Disable disables an account at once: its sessions end and its unused
// links expire in the same transaction. The caller must be allowed to
// manage users.
func (s *Service) Disable(ctx context.Context, id string) error {
	ev := audit.NewEvent(ctx, "user.disable", "user/"+id, audit.Success)
	if err := s.authorize(ctx, authz.UserManage, ev); err != nil {
		return err
	}
	if p, _ := identity.FromContext(ctx); p.Kind == identity.KindHuman {
		if err := s.requireFreshAuth(ctx, ev); err != nil { // reauth.go
			return err
		}
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		return s.disable(ctx, tx, u, ev)
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("user"))
	}
	return storeErr(err)
}

// disable marks u disabled, ends its sessions and links, and appends ev
// (with the number of sessions ended).
func (s *Service) disable(ctx context.Context, tx store.Tx, u store.User, ev audit.Event) error {
	now := s.now()
	u.Status, u.UpdatedAt = string(StatusDisabled), now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	n, err := tx.RevokeUserSessions(ctx, u.ID, now)
	if err != nil {
		return err
	}
	if _, err := tx.ExpireUserLinks(ctx, u.ID, "enroll", now); err != nil {
		return err
	}
	if ev.Details == nil {
		ev.Details = map[string]any{}
	}
	ev.Details["sessions_ended"] = n
	return audit.Append(ctx, tx, ev)
}

// NewEnrollmentLink issues a fresh enrollment link for a pending user
// (whose previous link expired or was lost); earlier unused links stop
// working. The caller must be allowed to manage users.
func (s *Service) NewEnrollmentLink(ctx context.Context, id string) (Link, error) {
	ev := audit.NewEvent(ctx, "enrollment.link", "user/"+id, audit.Success)
	if err := s.authorize(ctx, authz.UserManage, ev); err != nil {
		return Link{}, err
	}
	var link Link
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		if u.Status != string(StatusPending) {
			return apperr.New(apperr.Conflict, "not_pending", "the user has already enrolled (or is disabled)")
		}
		link, err = s.issueLink(ctx, tx, id, "enroll")
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Link{}, s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("user"))
	case apperr.KindOf(err) == apperr.Conflict:
		return Link{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	return link, storeErr(err)
}

// issueLink expires the unused links of (userID, purpose), stores a new one
// and audits it.
func (s *Service) issueLink(ctx context.Context, tx store.Tx, userID, purpose string) (Link, error) {
	now := s.now()
	if _, err := tx.ExpireUserLinks(ctx, userID, purpose, now); err != nil {
		return Link{}, err
	}
	token := newSecret(linkPrefix)
	l := store.UserLink{Hash: secretHash(token), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(s.opt.LinkLifetime)}
	if err := tx.InsertUserLink(ctx, l); err != nil {
		return Link{}, err
	}
	resource := "user/" + userID
	if userID == "" {
		resource = "user"
	}
	ev := audit.NewEvent(ctx, "enrollment.link", resource, audit.Success)
	ev.Details = map[string]any{"purpose": purpose, "expires_at": l.ExpiresAt.Format(time.RFC3339)}
	if err := audit.Append(ctx, tx, ev); err != nil {
		return Link{}, err
	}
	return Link{Token: token, ExpiresAt: l.ExpiresAt}, nil
}

// SetupLink returns a single-use link for creating the first security
// admin, if the installation has no active security admin; otherwise ok is
// false. Each call invalidates the previous setup link. It runs as the
// system (the node at start-up).
func (s *Service) SetupLink(ctx context.Context) (link Link, ok bool, err error) {
	err = s.st.Update(ctx, func(tx store.Tx) error {
		all, err := allUsers(ctx, tx)
		if err != nil {
			return err
		}
		for _, u := range all {
			if u.Status == string(StatusActive) && slices.Contains(u.Roles, identity.RoleSecurityAdmin) {
				return nil
			}
		}
		link, err = s.issueLink(ctx, tx, "", "setup")
		ok = err == nil
		return err
	})
	return link, ok, storeErr(err)
}
