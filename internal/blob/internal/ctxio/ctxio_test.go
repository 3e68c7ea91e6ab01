package ctxio_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob/internal/ctxio"
)

func TestReaderPassesThroughUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	r := ctxio.NewReader(ctx, strings.NewReader("abcdef"))

	buf := make([]byte, 3)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("Read = %q, %v; want \"abc\", nil", buf[:n], err)
	}

	cancel()
	n, err = r.Read(buf)
	if n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel = %d, %v; want 0, context.Canceled", n, err)
	}
}

func TestReaderReportsEOF(t *testing.T) {
	b, err := io.ReadAll(ctxio.NewReader(t.Context(), strings.NewReader("xyz")))
	if err != nil || string(b) != "xyz" {
		t.Fatalf("ReadAll = %q, %v; want \"xyz\", nil", b, err)
	}
}
