package sqlstore

import (
	"context"

	"github.com/confide-cc/confide/internal/store"
)

const interactionColumns = `id, customer_id, channel, started_at, ended_at, queue, agent, content, created_at`

// interactionSelect is what reads return: the inserted columns and verified_at.
const interactionSelect = interactionColumns + `, verified_at`

// InsertInteraction implements store.Interactions. An unknown customer is
// store.ErrNotFound.
func (t *tx) InsertInteraction(ctx context.Context, in store.Interaction) error {
	return t.execOne(ctx, "insert interaction", store.ErrConflict,
		`INSERT INTO interactions (`+interactionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		in.ID, in.CustomerID, in.Channel, micros(in.StartedAt), micros(in.EndedAt), in.Queue, in.Agent,
		bytesArg(in.Content), micros(in.CreatedAt))
}

// GetInteraction implements store.Interactions.
func (t *tx) GetInteraction(ctx context.Context, id string) (store.Interaction, error) {
	in, err := scanInteraction(t.queryRow(ctx, `SELECT `+interactionSelect+` FROM interactions WHERE id = ?`, id))
	if err != nil {
		return store.Interaction{}, t.fail("get interaction", err)
	}
	return in, nil
}

// ListInteractions implements store.Interactions.
func (t *tx) ListInteractions(ctx context.Context, customerID, afterID string, limit int) ([]store.Interaction, error) {
	const op = "list interactions"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanInteraction, `SELECT `+interactionSelect+` FROM interactions
		WHERE customer_id = ? AND id > ? ORDER BY id LIMIT ?`, customerID, afterID, limit)
}

// ScanInteractions implements store.Interactions.
func (t *tx) ScanInteractions(ctx context.Context, afterID string, limit int) ([]store.Interaction, error) {
	const op = "scan interactions"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanInteraction, `SELECT `+interactionSelect+` FROM interactions
		WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

func scanInteraction(row scanner) (store.Interaction, error) {
	var in store.Interaction
	err := row.Scan(&in.ID, &in.CustomerID, &in.Channel, timeDest{&in.StartedAt}, timeDest{&in.EndedAt},
		&in.Queue, &in.Agent, &in.Content, timeDest{&in.CreatedAt}, timeDest{&in.VerifiedAt})
	return in, err
}
