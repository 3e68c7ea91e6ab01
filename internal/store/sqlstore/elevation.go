package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// prefixed qualifies each column of a column list with table alias p.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// sessionAuthQuery joins a session with its user, the user's training
// attestation and the user's active break-glass grant.
// The three scalar subqueries walk the same index entries
// (break_glass_user) and agree: the id of the latest-expiring live grant,
// its expiry and its customer scope.
var sessionAuthQuery = `SELECT ` + prefixed("s", sessionColumns) + `, ` + prefixed("u", userColumns) + `,
	s.auth_time, t.expires_at,
	(SELECT b.id FROM break_glass_grants b WHERE b.user_id = u.id AND b.ended_at IS NULL AND b.expires_at > ?
		ORDER BY b.expires_at DESC, b.id LIMIT 1),
	(SELECT b.expires_at FROM break_glass_grants b WHERE b.user_id = u.id AND b.ended_at IS NULL AND b.expires_at > ?
		ORDER BY b.expires_at DESC, b.id LIMIT 1),
	(SELECT b.customer_id FROM break_glass_grants b WHERE b.user_id = u.id AND b.ended_at IS NULL AND b.expires_at > ?
		ORDER BY b.expires_at DESC, b.id LIMIT 1)
	FROM sessions s
	JOIN users u ON u.id = s.user_id
	LEFT JOIN user_training t ON t.user_id = u.id
	WHERE s.hash = ?`

// SessionAuth implements store.Elevation.
func (t *tx) SessionAuth(ctx context.Context, hash []byte, now time.Time) (store.SessionAuth, error) {
	var out store.SessionAuth
	var grantID, grantCustomer sql.NullString
	row := t.queryRow(ctx, sessionAuthQuery, micros(now), micros(now), micros(now), bytesArg(hash))
	// scanSession and scanUser each name their columns; the row holds both,
	// then the extras.
	s, err := scanSession(scanFunc(func(sd ...any) error {
		var uerr error
		out.User, uerr = scanUser(scanFunc(func(ud ...any) error {
			dest := append(append(sd, ud...), timeDest{&out.AuthTime}, timeDest{&out.TrainingUntil}, &grantID,
				timeDest{&out.BreakGlassUntil}, &grantCustomer)
			return row.Scan(dest...)
		}))
		return uerr
	}))
	if err != nil {
		return store.SessionAuth{}, t.fail("session auth", err)
	}
	out.Session, out.BreakGlassID, out.BreakGlassCustomer = s, grantID.String, grantCustomer.String
	return out, nil
}

// SetSessionAuthTime implements store.Elevation.
func (t *tx) SetSessionAuthTime(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "set session auth time", store.ErrNotFound,
		`UPDATE sessions SET auth_time = ? WHERE id = ?`, micros(at), id)
}

// SetTraining implements store.Elevation.
func (t *tx) SetTraining(ctx context.Context, tr store.Training) error {
	_, err := t.execCount(ctx, "set training",
		`INSERT INTO user_training (user_id, expires_at, attested_by, attested_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at, attested_by = excluded.attested_by,
		attested_at = excluded.attested_at`,
		tr.UserID, micros(tr.ExpiresAt), tr.AttestedBy, micros(tr.AttestedAt))
	return err
}

const trainingColumns = `user_id, expires_at, attested_by, attested_at`

func scanTraining(row scanner) (store.Training, error) {
	var tr store.Training
	err := row.Scan(&tr.UserID, timeDest{&tr.ExpiresAt}, &tr.AttestedBy, timeDest{&tr.AttestedAt})
	return tr, err
}

// GetTraining implements store.Elevation.
func (t *tx) GetTraining(ctx context.Context, userID string) (store.Training, error) {
	tr, err := scanTraining(t.queryRow(ctx, `SELECT `+trainingColumns+` FROM user_training WHERE user_id = ?`, userID))
	if err != nil {
		return store.Training{}, t.fail("get training", err)
	}
	return tr, nil
}

// ListTraining implements store.Elevation.
func (t *tx) ListTraining(ctx context.Context) ([]store.Training, error) {
	return list(ctx, t, "list training", scanTraining, `SELECT `+trainingColumns+` FROM user_training ORDER BY user_id`)
}

const breakGlassColumns = `id, user_id, reason, customer_id, created_at, expires_at, ended_at, reviewed_at, reviewer_id,
	outcome, review_note`

func scanBreakGlass(row scanner) (store.BreakGlass, error) {
	var g store.BreakGlass
	var customer, reviewer, outcome, note sql.NullString
	err := row.Scan(&g.ID, &g.UserID, &g.Reason, &customer, timeDest{&g.CreatedAt}, timeDest{&g.ExpiresAt},
		timeDest{&g.EndedAt}, timeDest{&g.ReviewedAt}, &reviewer, &outcome, &note)
	g.CustomerID, g.ReviewerID, g.Outcome, g.ReviewNote = customer.String, reviewer.String, outcome.String, note.String
	return g, err
}

// InsertBreakGlass implements store.Elevation.
func (t *tx) InsertBreakGlass(ctx context.Context, g store.BreakGlass) error {
	return t.execOne(ctx, "insert break-glass grant", store.ErrConflict,
		`INSERT INTO break_glass_grants (`+breakGlassColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		g.ID, g.UserID, g.Reason, nullString(g.CustomerID), micros(g.CreatedAt), micros(g.ExpiresAt),
		micros(g.EndedAt), micros(g.ReviewedAt), nullString(g.ReviewerID), nullString(g.Outcome), nullString(g.ReviewNote))
}

// GetBreakGlass implements store.Elevation.
func (t *tx) GetBreakGlass(ctx context.Context, id string) (store.BreakGlass, error) {
	g, err := scanBreakGlass(t.queryRow(ctx, `SELECT `+breakGlassColumns+` FROM break_glass_grants WHERE id = ?`+t.lockClause(), id))
	if err != nil {
		return store.BreakGlass{}, t.fail("get break-glass grant", err)
	}
	return g, nil
}

// EndBreakGlass implements store.Elevation.
func (t *tx) EndBreakGlass(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "end break-glass grant", store.ErrNotFound,
		`UPDATE break_glass_grants SET ended_at = ? WHERE id = ? AND ended_at IS NULL AND expires_at > ?`,
		micros(at), id, micros(at))
}

// EndUserBreakGlass implements store.Elevation.
func (t *tx) EndUserBreakGlass(ctx context.Context, userID string, at time.Time) (int64, error) {
	return t.execCount(ctx, "end user break-glass grants",
		`UPDATE break_glass_grants SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND expires_at > ?`,
		micros(at), userID, micros(at))
}

// ReviewBreakGlass implements store.Elevation.
func (t *tx) ReviewBreakGlass(ctx context.Context, id, reviewerID, outcome, note string, at time.Time) error {
	return t.execOne(ctx, "review break-glass grant", store.ErrNotFound,
		`UPDATE break_glass_grants SET reviewed_at = ?, reviewer_id = ?, outcome = ?, review_note = ?
		WHERE id = ? AND reviewed_at IS NULL`,
		micros(at), reviewerID, outcome, nullString(note), id)
}

// ListBreakGlass implements store.Elevation.
func (t *tx) ListBreakGlass(ctx context.Context, q store.BreakGlassQuery) ([]store.BreakGlass, error) {
	const op = "list break-glass grants"
	if err := checkLimit(op, q.Limit); err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.UserID != "" {
		where, args = append(where, "user_id = ?"), append(args, q.UserID)
	}
	if q.Unreviewed {
		where = append(where, "reviewed_at IS NULL")
	}
	if !q.OverAt.IsZero() {
		where, args = append(where, "(ended_at IS NOT NULL OR expires_at <= ?)"), append(args, micros(q.OverAt))
	}
	args = append(args, q.Limit)
	return list(ctx, t, op, scanBreakGlass, `SELECT `+breakGlassColumns+` FROM break_glass_grants WHERE `+
		strings.Join(where, " AND ")+` ORDER BY created_at DESC, id DESC LIMIT ?`, args...)
}
