package authz

// Actions of caller identity verification and the interaction lifecycle
// (docs/VERIFICATION.md). An agent acts only in live interactions assigned
// to them.
const (
	// VerificationStart starts a caller verification in a live
	// interaction: a one-time code to a registered phone or email, or a
	// knowledge-based check.
	VerificationStart Action = "verification.start"
	// VerificationCheck checks a one-time code the caller read out.
	VerificationCheck Action = "verification.check"
	// InteractionEnd ends a live interaction (sets ended_at).
	InteractionEnd Action = "interaction.end"
)
