// Package storetest is the conformance suite every store.Store backend
// passes. A backend's tests call Run with a function that opens a fresh,
// empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... })
//	}
package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// Run runs the conformance suite. open must return a new, empty, migrated
// store for each call and close it when the test ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"SystemKeysets", testSystemKeysets},
		{"SystemKeysetConcurrentCAS", testSystemKeysetConcurrentCAS},
		{"CustomerKeysets", testCustomerKeysets},
		{"Customers", testCustomers},
		{"DeleteCustomer", testDeleteCustomer},
		{"BlindIndex", testBlindIndex},
		{"Interactions", testInteractions},
		{"Verifications", testVerifications},
		{"InteractionPages", testInteractionPages},
		{"InteractionScan", testInteractionScan},
		{"OriginalRecordings", testOriginalRecordings},
		{"Blobs", testBlobs},
		{"BlobDeletionQueue", testBlobDeletionQueue},
		{"Tokens", testTokens},
		{"TokenNetworks", testTokenNetworks},
		{"Audit", testAudit},
		{"AuditConcurrentAppenders", testAuditConcurrentAppenders},
		{"AuditSearch", testAuditSearch},
		{"AuditTree", testAuditTree},
		{"AuditTreeConcurrentAdvance", testAuditTreeConcurrentAdvance},
		{"Erasures", testErasures},
		{"MonitorLease", testMonitorLease},
		{"Alerts", testAlerts},
		{"AlertDeliveries", testAlertDeliveries},
		{"SIEMCursors", testSIEMCursors},
		{"SIEMLeaseRace", testSIEMLeaseRace},
		{"MissingReferences", testMissingReferences},
		{"LimitMustBePositive", testLimitMustBePositive},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"UsableAfterConflict", testUsableAfterConflict},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentWriters", testConcurrentWriters},
		{"MixedOutcomes", testMixedOutcomes},
		{"GoexitInFunction", testGoexitInFunction},
		{"TxAfterFunction", testTxAfterFunction},
		{"CloseWhileBusy", testCloseWhileBusy},
		{"TimePrecision", testTimePrecision},
		{"LargeValues", testLargeValues},
		{"EmptyValues", testEmptyValues},
		{"Ping", testPing},
		{"Identity", testIdentity},
		{"WebAuthn", testWebAuthn},
		{"Elevation", testElevation},
		{"Access", testAccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// update runs fn in s.Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr fails the test unless errors.Is(err, want).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// equal fails the test unless got and want are deeply equal.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// at returns a distinct UTC time with microsecond precision, as a store
// returns it.
func at(n int) time.Time {
	return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(n)*time.Second + 123456*time.Microsecond)
}

// sealed returns recognisable stand-in ciphertext.
func sealed(parts ...any) []byte {
	return []byte(fmt.Sprint(append([]any{"sealed:"}, parts...)...))
}

func newCustomer(id string) store.Customer {
	return store.Customer{
		ID:             id,
		Name:           sealed(id, "name"),
		Phones:         sealed(id, "phones"),
		Emails:         sealed(id, "emails"),
		Address:        sealed(id, "address"),
		DateOfBirth:    sealed(id, "dob"),
		AccountNumbers: sealed(id, "accounts"),
		Attributes:     sealed(id, "attributes"),
		CreatedAt:      at(1),
		UpdatedAt:      at(2),
	}
}

func newKeyset(customerID string, kekKeyID uint32) store.CustomerKeyset {
	return store.CustomerKeyset{CustomerID: customerID, KEKKeyID: kekKeyID, Wrapped: sealed(customerID, "keyset", kekKeyID)}
}

func newInteraction(id, customerID string) store.Interaction {
	return store.Interaction{
		ID:         id,
		CustomerID: customerID,
		Channel:    "voice",
		StartedAt:  at(10),
		EndedAt:    at(20),
		Queue:      "billing",
		Agent:      "agent-7",
		Content:    sealed(id, "content"),
		CreatedAt:  at(21),
	}
}

func newBlob(key, customerID, interactionID, kind string) store.Blob {
	return store.Blob{
		Key:           key,
		CustomerID:    customerID,
		InteractionID: interactionID,
		Kind:          kind,
		Meta:          sealed(key, "meta"),
		Size:          int64(len(key)) * 1000,
		CreatedAt:     at(30),
	}
}

// seed inserts customers, each with a keyset, and interactions given as
// interaction id → customer id.
func seed(t *testing.T, s store.Store, customers []string, interactions map[string]string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, id := range customers {
			if err := tx.InsertCustomerKeyset(t.Context(), newKeyset(id, 1)); err != nil {
				return err
			}
			if err := tx.InsertCustomer(t.Context(), newCustomer(id)); err != nil {
				return err
			}
		}
		for _, id := range slices.Sorted(maps.Keys(interactions)) {
			if err := tx.InsertInteraction(t.Context(), newInteraction(id, interactions[id])); err != nil {
				return err
			}
		}
		return nil
	})
}
