package api

import (
	"time"

	"github.com/confide-cc/confide/internal/store"
)

func viewToken(t store.Token) tokenView {
	v := tokenView{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		v.LastUsedAt = ptr(t.LastUsedAt)
	}
	if !t.RevokedAt.IsZero() {
		v.RevokedAt = ptr(t.RevokedAt)
	}
	return v
}

func ptr(t time.Time) *time.Time { return &t }
