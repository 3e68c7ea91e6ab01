package audit

// Definition documents one event type. Codes are stable: once published a
// code keeps its meaning forever; retired codes are not reused.
type Definition struct {
	Code        string
	Action      string
	Description string
	// PCI lists the PCI DSS v4.0 requirement 10.2.1.x items the event serves.
	PCI string
}

// Catalogue lists every event Confide emits, keyed by action.
// docs/audit-events.md is checked against it by a test.
var Catalogue = catalogue(
	Definition{"CF-1002", "token.create", "An API token was created for a service account (its role, and its allowed networks if limited, in details).", "10.2.1.5"},
	Definition{"CF-1003", "token.revoke", "An API token was revoked.", "10.2.1.5"},
	Definition{"CF-1004", "token.list", "API tokens were listed.", "10.2.1.2"},
	Definition{"CF-1010", "user.create", "A user account was created (pending enrollment), by a security admin, the CLI or a setup link.", "10.2.1.5"},
	Definition{"CF-1011", "user.disable", "A user account was disabled and its sessions ended (by a security admin, or automatically when dormant).", "10.2.1.5"},
	Definition{"CF-1012", "user.lock", "A user account was locked after too many failed sign-in attempts.", "10.2.1.4"},
	Definition{"CF-1013", "user.list", "User accounts were listed.", "10.2.1.2"},
	Definition{"CF-1014", "enrollment.link", "A single-use enrollment or setup link was issued.", "10.2.1.5"},
	Definition{"CF-1015", "enrollment.start", "An enrollment or setup link was redeemed (or an invalid one presented).", "10.2.1.4, 10.2.1.5"},
	Definition{"CF-1016", "enrollment.password", "A user set their password during enrollment (or it was refused, with the rule in the reason).", "10.2.1.5"},
	Definition{"CF-1017", "enrollment.complete", "A user completed enrollment with a second factor (a confirmed TOTP authenticator, passkeys, or both) and received recovery codes; the account is active.", "10.2.1.5"},
	Definition{"CF-1020", "login.password", "A sign-in attempt with e-mail address and password (first factor); the reason tells failures apart.", "10.2.1.4, 10.2.1.5"},
	Definition{"CF-1021", "login.mfa", "A second-factor check (TOTP or recovery code); success opens a session.", "10.2.1.4, 10.2.1.5"},
	Definition{"CF-1022", "session.revoke", "A session was ended by its user (logout, revocation) or a security admin.", "10.2.1.5"},
	Definition{"CF-1023", "session.end", "A session was ended by the server: idle or absolute timeout, or a request from another client.", "10.2.1.5"},
	Definition{"CF-1024", "session.list", "A user's sessions were listed.", "10.2.1.2"},
	Definition{"CF-1025", "session.read", "A signed-in user read their own session (who they are signed in as).", "10.2.1.2"},
	Definition{"CF-1030", "webauthn.register", "A user registered a passkey (WebAuthn credential), during enrollment or signed in; a refused registration carries the reason.", "10.2.1.5"},
	Definition{"CF-1031", "login.webauthn", "A passkey assertion as the second factor; success opens a session; failures carry the reason (verification_failed, unknown_credential, sign_count_regression, no_challenge, challenge_expired, locked, …).", "10.2.1.4, 10.2.1.5"},
	Definition{"CF-1032", "webauthn.remove", "A user removed one of their passkeys (or was refused removing their last second factor).", "10.2.1.5"},
	Definition{"CF-1033", "webauthn.list", "A signed-in user listed their passkeys.", "10.2.1.2"},
	Definition{"CF-1040", "user.mfa_reset", "A security admin reset a user's second factors (TOTP, recovery codes, passkeys), with a reason (redacted); the user's sessions ended and a new enrollment link was issued.", "10.2.1.5"},
	Definition{"CF-1041", "user.update", "A security admin changed a user's roles or team (old and new in details); the user's sessions and elevations ended.", "10.2.1.5"},
	Definition{"CF-1042", "user.training", "A security-training attestation was recorded for a user, with its expiry.", "10.2.1.5"},
	Definition{"CF-1043", "user.unlock", "A security admin unlocked a locked or contained user, with a reason (redacted).", "10.2.1.5"},
	Definition{"CF-1044", "user.contain", "The monitor contained a user: the account is locked until unlocked and its sessions and elevations ended.", "10.2.1.2, 10.2.1.5"},
	Definition{"CF-1045", "session.reauth", "A signed-in user re-authenticated (password and second factor) for sensitive actions; failures count towards lockout.", "10.2.1.4, 10.2.1.5"},
	Definition{"CF-1046", "breakglass.request", "High severity: a user took a time-boxed break-glass elevation, with a reason (redacted), duration and optional customer.", "10.2.1.2, 10.2.1.5"},
	Definition{"CF-1047", "breakglass.end", "High severity: the holder ended a break-glass elevation before it expired.", "10.2.1.2, 10.2.1.5"},
	Definition{"CF-1048", "breakglass.list", "Break-glass elevations were listed for review.", "10.2.1.2"},
	Definition{"CF-1049", "breakglass.review", "A security admin other than the holder reviewed a break-glass elevation as justified or unjustified (high severity if unjustified).", "10.2.1.2"},
	Definition{"CF-2001", "customer.create", "A customer profile was created.", "10.2.1.1"},
	Definition{"CF-2002", "customer.read", "A customer profile was read (masked).", "10.2.1.1"},
	Definition{"CF-2003", "customer.search", "Customers were searched by blind index (phone or email).", "10.2.1.1"},
	Definition{"CF-2004", "customer.update", "A customer profile was rectified.", "10.2.1.1"},
	Definition{"CF-2005", "customer.reveal", "Profile fields were revealed in clear, with a recorded reason.", "10.2.1.1"},
	Definition{"CF-2006", "customer.erase", "A customer was erased by crypto-shredding their keyset.", "10.2.1.1, 10.2.1.7"},
	Definition{"CF-3001", "interaction.create", "An interaction was ingested.", "10.2.1.1"},
	Definition{"CF-3002", "interaction.read", "An interaction's content was read.", "10.2.1.1"},
	Definition{"CF-3003", "interaction.list", "A customer's interactions were listed.", "10.2.1.1"},
	Definition{"CF-3004", "recording.upload", "A call recording was uploaded.", "10.2.1.1"},
	Definition{"CF-3005", "recording.play", "A call recording was played or downloaded (with the byte range).", "10.2.1.1"},
	Definition{"CF-3006", "attachment.download", "An email attachment was downloaded.", "10.2.1.1"},
	Definition{"CF-3008", "recording.play_original", "The unredacted original of a redacted recording was fetched by a privacy officer, with the stated (redacted) reason and the byte range.", "10.2.1.1"},
	Definition{"CF-3007", "redaction.pan_found", "High severity: the stored-content scanner found a payment card number in an interaction (PCI DSS 12.10.7); details give the count, never the number.", "10.2.1.1"},
	Definition{"CF-3020", "interaction.end", "A live interaction was ended (ended_at set) by its integration or assigned agent; its caller verification and interaction-scoped access end with it.", "10.2.1.1"},
	Definition{"CF-3021", "verification.start", "A caller verification was started in an interaction: a one-time code sent (method and destination index, never the destination or code) or a knowledge-based check (the questions answered and the result; outcome failure with reason kba_mismatch if it failed).", "10.2.1.1, 10.2.1.4"},
	Definition{"CF-3022", "verification.check", "A one-time code was checked (result and attempts left; outcome failure with reason wrong_code for a wrong code); a pass marks the interaction verified.", "10.2.1.1, 10.2.1.4"},
	Definition{"CF-4001", "keys.rotate", "The key-encryption key was rotated.", "10.2.1.2"},
	Definition{"CF-4002", "keys.rewrap", "Customer keysets were re-wrapped under the current key-encryption key (a batch).", "10.2.1.2"},
	Definition{"CF-4003", "keys.root_stage", "A root-key rotation was staged: the installation keysets were re-wrapped under a new root key beside the current ones.", "10.2.1.2"},
	Definition{"CF-4004", "keys.root_finish", "A root-key rotation was finished: the installation keysets are now wrapped only by the new root key.", "10.2.1.2"},
	Definition{"CF-4005", "keys.root_abort", "A staged root-key rotation was discarded.", "10.2.1.2"},
	Definition{"CF-5001", "system.start", "A Confide node started serving (audit logging active).", "10.2.1.6"},
	Definition{"CF-5002", "system.stop", "A Confide node stopped serving.", "10.2.1.6"},
	Definition{"CF-5003", "request.denied", "A request was refused before reaching an action (unauthenticated or unknown route); reason token_network_refused, with the token as actor, for a valid API token used from outside its networks.", "10.2.1.4"},
	Definition{"CF-5004", "request.rate_limited", "Requests from one client address were refused with 429 by the per-address rate limit (at most one event per address per minute, with the number refused).", "10.2.1.4"},
	Definition{"CF-6001", "audit.read", "The audit log was read: a checkpoint, entries or a proof (which one in details).", "10.2.1.3"},
	Definition{"CF-6002", "audit.search", "Audit events were searched (the filters used in details).", "10.2.1.3"},
	Definition{"CF-6003", "audit.export", "The audit log was exported for offline verification.", "10.2.1.3"},
	Definition{"CF-6004", "audit.verify", "The audit log was verified against its signed checkpoints (the result in the outcome).", "10.2.1.3"},
	Definition{"CF-6005", "audit.tamper", "A node found the stored audit log not matching its signed checkpoints and stopped extending it (critical).", "10.2.1.6"},
	Definition{"CF-6006", "audit.archive", "Audit records older than the hot period were moved from the database to an encrypted archive segment (leaf range and the retention state after the move in details).", "10.2.1.6, 10.2.1.7"},
	Definition{"CF-6007", "audit.expire", "Archived audit records older than the retention period were deleted for good (leaf range and the retention state after the deletion in details); the tree's hashes stay.", "10.2.1.6, 10.2.1.7"},
	Definition{"CF-8001", "alert.raised", "A detection rule raised an alert (rule, severity and evidence audit indexes in details).", "10.2.1.6"},
	Definition{"CF-8002", "alert.list", "Security alerts were listed.", "10.2.1.2"},
	Definition{"CF-8003", "alert.ack", "A security alert was acknowledged, with a reason.", "10.2.1.2"},
	Definition{"CF-8004", "containment.lock", "An actor was locked automatically by a detection rule (their API token revoked or sessions ended).", "10.2.1.2, 10.2.1.5"},
	Definition{"CF-8005", "honey.create", "A honey (canary) customer record was created for detection.", "10.2.1.2"},
	Definition{"CF-8010", "verification.takeover_signal", "High severity account-takeover signal: one customer's caller verifications failed repeatedly across interactions (count, threshold and window in details; the customer by id only).", "10.2.1.4"},
)

func catalogue(defs ...Definition) map[string]Definition {
	m := make(map[string]Definition, len(defs))
	for _, d := range defs {
		if _, dup := m[d.Action]; dup {
			panic("audit: duplicate action " + d.Action)
		}
		m[d.Action] = d
	}
	return m
}
