package storetest

import (
	"net/netip"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// testTokenNetworks checks that a token's allowed networks round-trip
// (IPv4 and IPv6, in order), that a token without networks reads back
// with none, and that an invalid prefix is refused without a write.
func testTokenNetworks(t *testing.T, s store.Store) {
	ctx := t.Context()
	restricted := store.Token{ID: "tn1", Name: "ivr", Role: "integration", Hash: []byte("hash-n1"), CreatedAt: at(1),
		Networks: []netip.Prefix{
			netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32"),
			netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("::1/128"),
		}}
	open := store.Token{ID: "tn2", Name: "crm", Role: "integration", Hash: []byte("hash-n2"), CreatedAt: at(2)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertToken(ctx, restricted); err != nil {
			return err
		}
		return tx.InsertToken(ctx, open)
	})
	bad := store.Token{ID: "tn3", Name: "bad", Role: "integration", Hash: []byte("hash-n3"), CreatedAt: at(3),
		Networks: []netip.Prefix{{}}}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertToken(ctx, bad) }); err == nil {
		t.Fatal("inserting a token with an invalid prefix succeeded")
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(ctx, restricted.Hash)
		equal(t, "restricted token by hash", got, restricted)
		if err != nil {
			return err
		}
		got, err = tx.TokenByHash(ctx, open.Hash)
		equal(t, "unrestricted token by hash", got, open)
		if err != nil {
			return err
		}
		all, err := tx.ListTokens(ctx)
		equal(t, "listed tokens", all, []store.Token{restricted, open})
		return err
	})
	// Touching and revoking leave the networks alone.
	update(t, s, func(tx store.Tx) error {
		if err := tx.TouchToken(ctx, "tn1", at(10)); err != nil {
			return err
		}
		return tx.RevokeToken(ctx, "tn1", at(11))
	})
	restricted.LastUsedAt, restricted.RevokedAt = at(10), at(11)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(ctx, restricted.Hash)
		equal(t, "touched and revoked token", got, restricted)
		return err
	})
}
