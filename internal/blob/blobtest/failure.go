package blobtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// failurePoints are the numbers of bytes after which a source fails: before
// any data, within a first buffer or part, and after an S3 multipart upload
// has stored its first 16 MiB part.
var failurePoints = []int64{0, 100, 3 << 20, 17 << 20}

func testFailingReader(t *testing.T, s blob.Store) {
	for _, after := range failurePoints {
		t.Run(fmt.Sprintf("after %d bytes", after), func(t *testing.T) {
			key := fmt.Sprintf("failing/%d", after)
			_, err := s.Put(t.Context(), key, failingReader(pattern(1).reader(64<<20), after))
			if !errors.Is(err, errSource) {
				t.Fatalf("Put = %v; want the source's error", err)
			}
			wantNotFound(t, s, key)
		})
	}
}

func testFailedReplaceKeepsOld(t *testing.T, s blob.Store) {
	old := []byte("the version that must survive")
	put(t, s, "kept", old)
	_, err := s.Put(t.Context(), "kept", failingReader(pattern(2).reader(64<<20), 1<<20))
	if !errors.Is(err, errSource) {
		t.Fatalf("Put = %v; want the source's error", err)
	}
	wantContent(t, s, "kept", old)
}

func testCancelledContext(t *testing.T, s blob.Store) {
	data := []byte("stored before the cancellation")
	put(t, s, "existing", data)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if _, err := s.Put(ctx, "new", strings.NewReader("never stored")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v; want context.Canceled", err)
	}
	wantNotFound(t, s, "new")

	if _, err := s.Put(ctx, "existing", strings.NewReader("never stored")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put replacing = %v; want context.Canceled", err)
	}
	if obj, err := s.Open(ctx, "existing"); !errors.Is(err, context.Canceled) {
		if err == nil {
			obj.Close()
		}
		t.Errorf("Open = %v; want context.Canceled", err)
	}
	if err := s.Delete(ctx, "existing"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete = %v; want context.Canceled", err)
	}
	wantContent(t, s, "existing", data)

	if err := s.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping = %v; want context.Canceled", err)
	}
}

// testCancelMidStream cancels the context while Put is reading an endless
// (64 MiB) source, both for a new key and for one that holds an object.
func testCancelMidStream(t *testing.T, s blob.Store) {
	old := []byte("the version that must survive")
	put(t, s, "existing", old)
	for _, after := range failurePoints {
		for _, key := range []string{"new", "existing"} {
			t.Run(fmt.Sprintf("%s after %d bytes", key, after), func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				src := &hookReader{r: pattern(3).reader(64 << 20), n: after, hook: cancel}
				if _, err := s.Put(ctx, key, src); !errors.Is(err, context.Canceled) {
					t.Fatalf("Put = %v; want context.Canceled", err)
				}
				if key == "new" {
					wantNotFound(t, s, key)
				} else {
					wantContent(t, s, key, old)
				}
			})
		}
	}
}
