package users

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
)

// MinPasswordLength is the least number of characters (Unicode code
// points) in a password (PCI DSS 8.3.6 asks for 12).
const MinPasswordLength = 12

// PasswordHistory is how many of a user's latest passwords (the current
// one included) cannot be chosen again.
const PasswordHistory = 4

// commonPasswords is the 10,000 most frequent passwords of zxcvbn 4.4.2's
// frequency list (MIT licence, Copyright (c) 2012-2016 Dan Wheeler and
// Dropbox, Inc.; see common-passwords.NOTICE), one per line, lower case.
//
//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line != "" {
			m[line] = struct{}{}
		}
	}
	return m
}()

// checkPasswordRules enforces the rules that need no stored state: length
// and the common-password list. A password is refused if, lower-cased, it
// is on the list, or is a listed password followed only by digits and
// punctuation ("dragon12345678!"), or one listed password repeated
// ("monkeymonkeymonkey").
func checkPasswordRules(password string) error {
	if !utf8.ValidString(password) {
		return apperr.New(apperr.Invalid, "invalid_password", "the password is not valid UTF-8")
	}
	if len(password) > maxPasswordBytes {
		return apperr.New(apperr.Invalid, "password_too_long", "the password is longer than %d bytes", maxPasswordBytes)
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return apperr.New(apperr.Invalid, "password_too_short", "the password must have at least %d characters", MinPasswordLength)
	}
	if isCommon(password) {
		return apperr.New(apperr.Invalid, "password_too_common", "the password is on the list of commonly used passwords; choose another")
	}
	return nil
}

func isCommon(password string) bool {
	lower := strings.ToLower(password)
	candidates := []string{lower, strings.TrimRightFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})}
	for n := 1; n <= len(lower)/2; n++ {
		if len(lower)%n == 0 && strings.Repeat(lower[:n], len(lower)/n) == lower {
			candidates = append(candidates, lower[:n])
			break
		}
	}
	for _, c := range candidates {
		if _, ok := commonPasswords[c]; ok && c != "" {
			return true
		}
	}
	return false
}
