// Package content validates and parses the content of contact-center
// interactions submitted to Confide: call transcripts, chat and SMS messages,
// and raw e-mail.
//
// The package is pure: it reads only its inputs and has no side effects. Every
// function that accepts untrusted input either returns a value that satisfies
// the documented invariants or an [*Error] that names the offending field and
// the problem. Because interaction content is customer data, an error never
// quotes any part of the input: it says where the problem is (for example
// "transcript.turns[3].words[2]") and what it is ("end before start"), so it is
// safe to return to an API client and to write to a log.
//
// The formats, rules and limits enforced here are specified for integrators in
// docs/TRANSCRIPT-FORMAT.md; that document and this package must change
// together.
package content
