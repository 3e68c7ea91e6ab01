package store

import "context"

// CustomerAccess are the facts about one person's relation to a customer
// that interaction-scoped authorization needs.
type CustomerAccess struct {
	// Assigned: the person is the agent of a live interaction (ended_at
	// IS NULL) with the customer.
	Assigned bool
	// Verified: in one of those live interactions the caller passed
	// identity verification (verified_at IS NOT NULL).
	Verified bool
	// InTeam: the customer has an interaction (live or past) whose queue
	// is one of the given teams.
	InTeam bool
}

// Access answers the questions of interaction-scoped authorization.
type Access interface {
	// CustomerAccess returns agentID's relation to customerID; teams may
	// be empty. A customer that does not exist has no relations (no
	// error).
	CustomerAccess(ctx context.Context, customerID, agentID string, teams []string) (CustomerAccess, error)
}
