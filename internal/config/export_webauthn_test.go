package config

// ValidateForTest exposes the passkey settings' validation to fuzzing.
func (w WebAuthnConfig) ValidateForTest(c Config, fail func(key, format string, args ...any)) {
	w.validate(c, fail)
}
