// Package blobtest is the conformance suite that every blob.Store passes.
//
// A backend's test calls Run with a constructor that returns an empty
// store, isolated from every other store it returns (a fresh directory, a
// fresh key prefix), and registers its own clean-up with t.Cleanup. Bench
// measures a store's throughput.
package blobtest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// Run runs the conformance suite against stores made by newStore, one
// store per subtest.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		test func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"ReadAt", testReadAt},
		{"ReadAtAfterClose", testReadAtAfterClose},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"NestedKeys", testNestedKeys},
		{"ValidKeys", testValidKeys},
		{"InvalidKeys", testInvalidKeys},
		{"FailingReader", testFailingReader},
		{"FailedReplaceKeepsOld", testFailedReplaceKeepsOld},
		{"CancelledContext", testCancelledContext},
		{"CancelMidStream", testCancelMidStream},
		{"LargeStreamed", testLargeStreamed},
		{"Concurrent", testConcurrent},
		{"Ping", testPing},
		{"List", testList},
		{"ListErrors", testListErrors},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.test(t, newStore(t))
		})
	}
}

// put stores data under key and fails the test unless all of it was stored.
func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	n, err := s.Put(t.Context(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put(%q) = %d; want %d", key, n, len(data))
	}
}

// get returns the whole object under key.
func get(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer obj.Close()
	data, err := io.ReadAll(io.NewSectionReader(obj, 0, obj.Size()))
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

// wantContent fails the test unless the object under key holds want.
func wantContent(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	if got := get(t, s, key); !bytes.Equal(got, want) {
		t.Fatalf("object %q holds %d bytes, not the %d expected", key, len(got), len(want))
	}
}

// wantNotFound fails the test unless Open reports that key holds no object.
func wantNotFound(t *testing.T, s blob.Store, key string) {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err == nil {
		obj.Close()
		t.Fatalf("Open(%q) succeeded; want blob.ErrNotFound", key)
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open(%q) = %v; want blob.ErrNotFound", key, err)
	}
}
