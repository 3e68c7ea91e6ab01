package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testWebAuthn(t *testing.T, s store.Store) {
	ctx := t.Context()
	u1 := store.User{ID: "usr_w1", EmailKeyID: 1, EmailIndex: []byte("w1"), Keyset: []byte("k"), Profile: []byte("p"),
		Roles: []string{"agent"}, Status: "active", CreatedAt: at(1), UpdatedAt: at(1)}
	u2 := u1
	u2.ID, u2.EmailIndex = "usr_w2", []byte("w2")
	c1 := store.WebAuthnCredential{ID: "wac_1", UserID: u1.ID, CredentialID: []byte("cred-1"), PublicKey: []byte("sealed-pk"),
		Name: "Laptop", AAGUID: []byte("0123456789abcdef"), SignCount: 7, Transports: []string{"internal", "hybrid"},
		Attachment: "platform", AttestationType: "none", AttestationFormat: "none", Flags: 0x5d, BackupEligible: true,
		BackupState: true, CreatedAt: at(2)}
	c2 := store.WebAuthnCredential{ID: "wac_2", UserID: u1.ID, CredentialID: []byte("cred-2"), PublicKey: []byte("pk2"),
		Name: "Key", CreatedAt: at(3)}
	ss := store.Session{ID: "ses_w1", Hash: []byte("wh1"), UserID: u1.ID, Stage: "password", Binding: []byte("b"),
		CreatedAt: at(1), LastSeenAt: at(1), ExpiresAt: at(100)}
	update(t, s, func(tx store.Tx) error {
		for _, u := range []store.User{u1, u2} {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		if err := tx.InsertSession(ctx, ss); err != nil {
			return err
		}
		if err := tx.InsertWebAuthnCredential(ctx, c1); err != nil {
			return err
		}
		if err := tx.InsertWebAuthnCredential(ctx, c2); err != nil {
			return err
		}
		dup := c2
		dup.ID = "wac_3"
		wantErr(t, "credential id taken (same user)", tx.InsertWebAuthnCredential(ctx, dup), store.ErrConflict)
		dup.UserID = u2.ID
		wantErr(t, "credential id taken (other user)", tx.InsertWebAuthnCredential(ctx, dup), store.ErrConflict)
		dup = c1
		dup.CredentialID = []byte("cred-9")
		wantErr(t, "id taken", tx.InsertWebAuthnCredential(ctx, dup), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListWebAuthnCredentials(ctx, u1.ID)
		equal(t, "credentials", got, []store.WebAuthnCredential{c1, c2})
		if err != nil {
			return err
		}
		none, err := tx.ListWebAuthnCredentials(ctx, u2.ID)
		equal(t, "no credentials", len(none), 0)
		if err != nil {
			return err
		}
		n, err := tx.CountWebAuthnCredentials(ctx, u1.ID)
		equal(t, "count", n, 2)
		return err
	})

	// Use is recorded only on the owner's credential.
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "use of another user's credential", tx.RecordWebAuthnUse(ctx, u2.ID, c1.ID, 9, 0x05, false, at(4)), store.ErrNotFound)
		if err := tx.RecordWebAuthnUse(ctx, u1.ID, c1.ID, 4294967295, 0x1d, false, at(5)); err != nil {
			return err
		}
		c1.SignCount, c1.Flags, c1.BackupState, c1.LastUsedAt = 4294967295, 0x1d, false, at(5)
		got, err := tx.ListWebAuthnCredentials(ctx, u1.ID)
		equal(t, "after use", got, []store.WebAuthnCredential{c1, c2})
		return err
	})

	// Deletion is per owner.
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "delete another user's credential", tx.DeleteWebAuthnCredential(ctx, u2.ID, c2.ID), store.ErrNotFound)
		if err := tx.DeleteWebAuthnCredential(ctx, u1.ID, c2.ID); err != nil {
			return err
		}
		wantErr(t, "delete twice", tx.DeleteWebAuthnCredential(ctx, u1.ID, c2.ID), store.ErrNotFound)
		n, err := tx.DeleteUserWebAuthnCredentials(ctx, u1.ID)
		equal(t, "deleted for user", n, int64(1))
		return err
	})

	// Challenges: one per session, single use, of the kind asked for.
	ch := store.WebAuthnChallenge{SessionID: ss.ID, Ceremony: "login", Data: []byte(`{"challenge":"a"}`), ExpiresAt: at(10)}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.TakeWebAuthnChallenge(ctx, ss.ID, "login")
		wantErr(t, "take before put", err, store.ErrNotFound)
		if err := tx.PutWebAuthnChallenge(ctx, ch); err != nil {
			return err
		}
		ch.Data, ch.ExpiresAt = []byte(`{"challenge":"b"}`), at(11)
		if err := tx.PutWebAuthnChallenge(ctx, ch); err != nil {
			return err
		}
		_, err = tx.TakeWebAuthnChallenge(ctx, ss.ID, "register")
		wantErr(t, "take of another kind", err, store.ErrNotFound)
		got, err := tx.TakeWebAuthnChallenge(ctx, ss.ID, "login")
		equal(t, "taken challenge", got, ch)
		if err != nil {
			return err
		}
		_, err = tx.TakeWebAuthnChallenge(ctx, ss.ID, "login")
		wantErr(t, "taken twice", err, store.ErrNotFound)
		return nil
	})

	// A challenge goes with its session.
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutWebAuthnChallenge(ctx, ch); err != nil {
			return err
		}
		if err := tx.RevokeSession(ctx, ss.ID, at(20)); err != nil {
			return err
		}
		n, err := tx.PurgeSessions(ctx, at(21))
		equal(t, "sessions purged", n, int64(1))
		if err != nil {
			return err
		}
		_, err = tx.TakeWebAuthnChallenge(ctx, ss.ID, "login")
		wantErr(t, "challenge of a purged session", err, store.ErrNotFound)
		return nil
	})
}
