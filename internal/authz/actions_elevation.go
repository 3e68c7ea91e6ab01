package authz

// Actions of break-glass elevation and user administration (engineer D's
// area; added by C so that the policies cover them from the start).
const (
	BreakGlassRequest Action = "breakglass.request" // ask for a time-boxed elevation, with a reason
	BreakGlassReview  Action = "breakglass.review"  // review (approve, close) someone else's elevation
	BreakGlassList    Action = "breakglass.list"    // list elevations for review
	UserMFAReset      Action = "user.mfa_reset"     // force a user to enroll a second factor again
	UserUpdate        Action = "user.update"        // change a user's roles or team
	UserTraining      Action = "user.training"      // record a security-training attestation
)
