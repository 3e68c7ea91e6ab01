package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testIdentity(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := store.User{ID: "usr_1", EmailKeyID: 7, EmailIndex: []byte("idx-1"), Keyset: []byte("ks"), KEKKeyID: 3,
		Profile: []byte("sealed"), Roles: []string{"agent", "supervisor"}, Team: "billing", Status: "pending",
		CreatedAt: at(1), UpdatedAt: at(1)}
	u2 := store.User{ID: "usr_2", EmailKeyID: 7, EmailIndex: []byte("idx-2"), Keyset: []byte("ks2"), Profile: []byte("p2"),
		Roles: []string{"auditor"}, Status: "active", CreatedAt: at(2), UpdatedAt: at(2)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u2); err != nil {
			return err
		}
		dup := u2
		dup.ID = "usr_3"
		wantErr(t, "duplicate email index", tx.InsertUser(ctx, dup), store.ErrConflict)
		wantErr(t, "update unknown", tx.UpdateUser(ctx, store.User{ID: "usr_9"}), store.ErrNotFound)
		_, err := tx.GetUser(ctx, "usr_9")
		wantErr(t, "get unknown", err, store.ErrNotFound)
		return nil
	})
	u.Status, u.PasswordHash, u.TOTPSecret, u.TOTPLastStep, u.FailedLogins = "active", "$argon2id$x", []byte("totp"), 99, 3
	u.LockedUntil, u.EnrolledAt, u.LastLoginAt, u.UpdatedAt = at(5), at(4), at(6), at(6)
	update(t, s, func(tx store.Tx) error { return tx.UpdateUser(ctx, u) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.UserByEmailIndex(ctx, 7, []byte("idx-1"))
		equal(t, "user by email index", got, u)
		if err != nil {
			return err
		}
		all, err := tx.ListUsers(ctx, "", 10)
		equal(t, "users by id", all, []store.User{u, u2})
		page, err2 := tx.ListUsers(ctx, "usr_1", 10)
		equal(t, "users after usr_1", page, []store.User{u2})
		if err2 != nil {
			return err2
		}
		return err
	})

	// Password history keeps the newest entries.
	update(t, s, func(tx store.Tx) error {
		for i, h := range []string{"h1", "h2", "h3", "h4"} {
			if err := tx.AddPasswordHistory(ctx, u.ID, h, at(10+i), 3); err != nil {
				return err
			}
		}
		got, err := tx.PasswordHistory(ctx, u.ID)
		equal(t, "password history", got, []string{"h4", "h3", "h2"})
		return err
	})

	// Recovery codes are single use and replaced as a set.
	update(t, s, func(tx store.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("c1"), []byte("c2")}); err != nil {
			return err
		}
		if err := tx.UseRecoveryCode(ctx, u.ID, []byte("c1"), at(20)); err != nil {
			return err
		}
		wantErr(t, "reused code", tx.UseRecoveryCode(ctx, u.ID, []byte("c1"), at(21)), store.ErrNotFound)
		wantErr(t, "another user's code", tx.UseRecoveryCode(ctx, u2.ID, []byte("c2"), at(21)), store.ErrNotFound)
		n, err := tx.UnusedRecoveryCodes(ctx, u.ID)
		equal(t, "unused codes", n, 1)
		return err
	})

	// Links are single use, expire, and can be expired in bulk.
	l := store.UserLink{Hash: []byte("link-1"), UserID: u.ID, Purpose: "enroll", CreatedAt: at(30), ExpiresAt: at(40)}
	setup := store.UserLink{Hash: []byte("link-2"), Purpose: "setup", CreatedAt: at(30), ExpiresAt: at(40)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertUserLink(ctx, l); err != nil {
			return err
		}
		if err := tx.InsertUserLink(ctx, setup); err != nil {
			return err
		}
		wantErr(t, "duplicate link", tx.InsertUserLink(ctx, l), store.ErrConflict)
		_, err := tx.UseUserLink(ctx, l.Hash, at(40))
		wantErr(t, "expired link", err, store.ErrNotFound)
		got, err := tx.UseUserLink(ctx, l.Hash, at(35))
		l.UsedAt = at(35)
		equal(t, "used link", got, l)
		if err != nil {
			return err
		}
		_, err = tx.UseUserLink(ctx, l.Hash, at(36))
		wantErr(t, "link used twice", err, store.ErrNotFound)
		n, err := tx.ExpireUserLinks(ctx, "", "setup", at(37))
		equal(t, "setup links expired", n, int64(1))
		if err != nil {
			return err
		}
		_, err = tx.UseUserLink(ctx, setup.Hash, at(38))
		wantErr(t, "expired setup link", err, store.ErrNotFound)
		return nil
	})

	// Sessions.
	s1 := store.Session{ID: "ses_1", Hash: []byte("sh1"), UserID: u.ID, Stage: "full", Binding: []byte("b"), Client: "Firefox",
		CreatedAt: at(50), LastSeenAt: at(50), ExpiresAt: at(100)}
	s2 := store.Session{ID: "ses_2", Hash: []byte("sh2"), UserID: u.ID, Stage: "password", Binding: []byte("b"),
		CreatedAt: at(51), LastSeenAt: at(51), ExpiresAt: at(60)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertSession(ctx, s1); err != nil {
			return err
		}
		if err := tx.InsertSession(ctx, s2); err != nil {
			return err
		}
		wantErr(t, "duplicate session", tx.InsertSession(ctx, s1), store.ErrConflict)
		wantErr(t, "touch unknown", tx.TouchSession(ctx, "ses_9", at(52)), store.ErrNotFound)
		wantErr(t, "revoke unknown", tx.RevokeSession(ctx, "ses_9", at(52)), store.ErrNotFound)
		if err := tx.TouchSession(ctx, s1.ID, at(55)); err != nil {
			return err
		}
		s1.LastSeenAt = at(55)
		got, err := tx.SessionByHash(ctx, s1.Hash)
		equal(t, "session by hash", got, s1)
		if err != nil {
			return err
		}
		list, err := tx.ListSessions(ctx, u.ID)
		equal(t, "sessions", list, []store.Session{s1, s2})
		if err != nil {
			return err
		}
		if err := tx.RevokeSession(ctx, s2.ID, at(56)); err != nil {
			return err
		}
		if err := tx.RevokeSession(ctx, s2.ID, at(57)); err != nil {
			return err
		}
		s2.RevokedAt = at(56)
		got, err = tx.GetSession(ctx, s2.ID)
		equal(t, "first revocation stands", got, s2)
		if err != nil {
			return err
		}
		n, err := tx.RevokeUserSessions(ctx, u.ID, at(58))
		equal(t, "sessions revoked", n, int64(1))
		if err != nil {
			return err
		}
		n, err = tx.PurgeSessions(ctx, at(57))
		equal(t, "sessions purged", n, int64(1)) // s2, revoked at 56
		return err
	})
}
