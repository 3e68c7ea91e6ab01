package users

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"net/url"
	"strconv"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238): the defaults every authenticator app
// supports. A code is accepted for the current 30-second step and one step
// either side, and only once: the last accepted step is stored and no code
// of that step or an earlier one is accepted again.
const (
	totpIssuer = "Confide"
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPEnrollment is what a user needs to add Confide to an authenticator
// app. It is shown once, during enrollment.
type TOTPEnrollment struct {
	Secret string // base32, for manual entry
	URI    string // otpauth:// URI (the QR code's content)
}

// newTOTPKey generates a 160-bit TOTP secret for accountName.
func newTOTPKey(accountName string) (*otp.Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: accountName, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("users: generate TOTP secret: %w", err)
	}
	return k, nil
}

// totpKey rebuilds the key of a stored secret, for its URI and QR code.
func totpKey(accountName, secret string) (*otp.Key, error) {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", strconv.Itoa(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + accountName, RawQuery: v.Encode()}
	return otp.NewKeyFromURL(u.String())
}

// matchTOTP returns the time step of now±1 whose code equals code and that
// is later than lastStep.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if step <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// qrPNG renders the key's URI as a QR code PNG of size×size pixels.
func qrPNG(k *otp.Key, size int) ([]byte, error) {
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("users: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("users: QR code: %w", err)
	}
	return buf.Bytes(), nil
}
