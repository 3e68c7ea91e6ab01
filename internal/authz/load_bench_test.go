package authz_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/authz"
)

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := authz.Load("", authz.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
