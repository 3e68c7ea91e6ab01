package sqlstore

import (
	"context"
	"strings"

	"github.com/confide-cc/confide/internal/store"
)

// CustomerAccess implements store.Access in one query; the agent's live
// interactions are found through the interactions_live_agent index.
func (t *tx) CustomerAccess(ctx context.Context, customerID, agentID string, teams []string) (store.CustomerAccess, error) {
	var out store.CustomerAccess
	if agentID == "" && len(teams) == 0 {
		return out, nil
	}
	var args []any
	assigned, verified, team := "1 = 0", "1 = 0", "1 = 0"
	if agentID != "" {
		assigned = `EXISTS (SELECT 1 FROM interactions WHERE agent = ? AND customer_id = ? AND ended_at IS NULL)`
		verified = `EXISTS (SELECT 1 FROM interactions WHERE agent = ? AND customer_id = ? AND ended_at IS NULL AND verified_at IS NOT NULL)`
		args = append(args, agentID, customerID, agentID, customerID)
	}
	if len(teams) > 0 {
		team = `EXISTS (SELECT 1 FROM interactions WHERE customer_id = ? AND queue IN (?` + strings.Repeat(", ?", len(teams)-1) + `))`
		args = append(args, customerID)
		for _, tm := range teams {
			args = append(args, tm)
		}
	}
	var a, v, in int
	err := t.queryRow(ctx, `SELECT CASE WHEN `+assigned+` THEN 1 ELSE 0 END, CASE WHEN `+verified+` THEN 1 ELSE 0 END, CASE WHEN `+team+` THEN 1 ELSE 0 END`,
		args...).Scan(&a, &v, &in)
	if err != nil {
		return out, t.fail("customer access", err)
	}
	out.Assigned, out.Verified, out.InTeam = a == 1, v == 1, in == 1
	return out, nil
}
