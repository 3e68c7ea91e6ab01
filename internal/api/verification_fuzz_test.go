package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/records"
)

// FuzzVerificationBodies feeds arbitrary bodies to the decoding of the
// verification requests: no panic, every refusal is a 4xx with a code, and
// accepted knowledge answers normalize or are refused as invalid.
func FuzzVerificationBodies(f *testing.F) {
	for _, s := range []string{
		`{"method":"sms"}`, `{"method":"email","destination":1}`, `{"method":"sms","destination":-1}`,
		`{"method":"kba","answers":{"date_of_birth":"1984-07-28","postcode":"62701"}}`,
		`{"method":"kba","answers":{"date_of_birth":"1984/7/28","account_last4":" 5678 "}}`,
		`{"method":"kba","answers":{"postcode":"62701","mother":"x"}}`, `{"method":"kba","answers":null}`,
		`{"code":"123456"}`, `{"code":123456}`, `{"method":"sms"} {}`, `{"method":`, ``, `[]`, `{"destination":1e99}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&records.StartVerificationRequest{}, &checkRequest{}} {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := decodeJSON(httptest.NewRecorder(), r, 4096, v)
			if err != nil {
				ae := apperr.As(err)
				if ae.Code == "" || (ae.Kind != apperr.Invalid && ae.Kind != apperr.TooLarge) {
					t.Fatalf("body %q: refusal %v (kind %d)", body, err, ae.Kind)
				}
				continue
			}
			if req, ok := v.(*records.StartVerificationRequest); ok && req.Answers != nil {
				if _, err := records.NormalizeKBA(*req.Answers); err != nil && apperr.KindOf(err) != apperr.Invalid {
					t.Fatalf("answers of %q: %v", body, err)
				}
			}
		}
	})
}
