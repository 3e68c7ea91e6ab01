package api

import (
	"time"

	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/store"
)

func viewToken(t store.Token) tokenView {
	v := tokenView{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, Networks: []string{}}
	if len(t.Networks) > 0 {
		v.Networks = tokens.NetworkStrings(t.Networks)
	}
	if !t.LastUsedAt.IsZero() {
		v.LastUsedAt = ptr(t.LastUsedAt)
	}
	if !t.RevokedAt.IsZero() {
		v.RevokedAt = ptr(t.RevokedAt)
	}
	return v
}

func ptr(t time.Time) *time.Time { return &t }
