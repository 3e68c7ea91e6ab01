package config_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestVerificationSecretsHidden(t *testing.T) {
	cfg := mustLoad(t, "", map[string]string{
		"CONFIDE_VERIFICATION_SMS_WEBHOOK_URL":    "https://gw:" + canary + "@sms.example.com/send?token=" + canary,
		"CONFIDE_VERIFICATION_SMS_WEBHOOK_SECRET": canary,
		"CONFIDE_VERIFICATION_SMTP_ADDR":          "smtp.example.com:587",
		"CONFIDE_VERIFICATION_SMTP_FROM":          "verify@example.com",
		"CONFIDE_VERIFICATION_SMTP_USERNAME":      "confide",
		"CONFIDE_VERIFICATION_SMTP_PASSWORD":      canary,
	})
	for _, s := range cfg.Effective() {
		if strings.Contains(s.Value, canary) {
			t.Errorf("Effective() %s shows the secret: %s", s.Key, s.Value)
		}
	}
	if printed := fmt.Sprint(cfg); strings.Contains(printed, canary) {
		t.Errorf("a printed Config shows the secret: %s", printed)
	}
	for _, key := range []string{"verification_sms_webhook_secret", "verification_smtp_password"} {
		if got := effective(t, cfg, key).Value; got != "***" {
			t.Errorf("%s = %q, want ***", key, got)
		}
	}
	if cfg.Verification.SMTPPassword != canary || cfg.Verification.MaxStarts != 5 {
		t.Errorf("loaded %+v", cfg.Verification.MaxStarts)
	}
}

func TestVerificationValidation(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" for valid
	}{
		{"defaults", nil, ""},
		{"loopback plain http gateway", map[string]string{"CONFIDE_VERIFICATION_SMS_WEBHOOK_URL": "http://127.0.0.1:9/sms"}, ""},
		{"remote plain http gateway", map[string]string{"CONFIDE_VERIFICATION_SMS_WEBHOOK_URL": "http://sms.example.com/sms"}, "verification_sms_webhook_url: plain http"},
		{"secret without gateway", map[string]string{"CONFIDE_VERIFICATION_SMS_WEBHOOK_SECRET": "x"}, "verification_sms_webhook_secret: is set but"},
		{"smtp without from", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "smtp.example.com:587"}, "verification_smtp_from:"},
		{"smtp named from", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "smtp.example.com:587", "CONFIDE_VERIFICATION_SMTP_FROM": "Bank <v@example.com>"}, "verification_smtp_from:"},
		{"smtp bad addr", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "smtp.example.com", "CONFIDE_VERIFICATION_SMTP_FROM": "v@example.com"}, "verification_smtp_addr:"},
		{"plain smtp remote", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "smtp.example.com:25", "CONFIDE_VERIFICATION_SMTP_FROM": "v@example.com", "CONFIDE_VERIFICATION_SMTP_SECURITY": "none"}, "verification_smtp_security: none"},
		{"plain smtp loopback", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "127.0.0.1:2525", "CONFIDE_VERIFICATION_SMTP_FROM": "v@example.com", "CONFIDE_VERIFICATION_SMTP_SECURITY": "none"}, ""},
		{"unknown security", map[string]string{"CONFIDE_VERIFICATION_SMTP_SECURITY": "ssl"}, "verification_smtp_security: must be"},
		{"password without user", map[string]string{"CONFIDE_VERIFICATION_SMTP_ADDR": "smtp.example.com:587", "CONFIDE_VERIFICATION_SMTP_FROM": "v@example.com", "CONFIDE_VERIFICATION_SMTP_PASSWORD": "p"}, "verification_smtp_username:"},
		{"CA file without SMTP", map[string]string{"CONFIDE_VERIFICATION_SMTP_CA_FILE": "/etc/ca.pem"}, "verification_smtp_ca_file: needs"},
		{"zero starts", map[string]string{"CONFIDE_VERIFICATION_MAX_STARTS": "0"}, "verification_max_starts:"},
		{"zero threshold", map[string]string{"CONFIDE_VERIFICATION_TAKEOVER_THRESHOLD": "0"}, "verification_takeover_threshold:"},
		{"negative window", map[string]string{"CONFIDE_VERIFICATION_TAKEOVER_WINDOW": "-1h"}, "verification_takeover_window:"},
		{"zero timeout", map[string]string{"CONFIDE_VERIFICATION_SEND_TIMEOUT": "0s"}, "verification_send_timeout:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := load(t, "", tt.env)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := load(t, "", map[string]string{"CONFIDE_VERIFICATION_MAX_STARTS": "five"}); err == nil || !strings.Contains(err.Error(), "whole number") {
		t.Errorf("non-numeric max starts: %v", err)
	}
}
