// Package redact finds personal and payment-card data in contact-center text
// (call transcripts, chats, emails, agent notes) and replaces it before
// anything is stored.
//
// It understands text as speech-to-text engines and people produce it: digits
// written or spoken as words ("four one one one", "double four", "oh",
// "twenty twenty six"), ASR homophones in digit context ("for", "to"),
// numbers split across speaker turns by backchannels ("mhm"), spelled email
// addresses ("j dot smith at gmail dot com") and lowercase unpunctuated text.
// Spoken forms are normalized with an offset map, so the original characters
// (and, for transcripts, the words and their audio times) are what is removed.
//
// Checksums validate whatever has one (Luhn, ABA, IBAN mod-97, SSN rules,
// phone numbering plans); the rest is found from dialogue context, such as an
// agent's prompt for "the three digits on the back of the card".
//
// The package is pure: it performs no I/O beyond its inputs and never puts a
// detected value in an error, a [Span] or a count.
package redact
