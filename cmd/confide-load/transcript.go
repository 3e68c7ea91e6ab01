package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// minTranscriptBytes is the smallest transcript size asked for: one short
// turn with word timings fits in it.
const minTranscriptBytes = 256

// The lines of a billing call. Placeholders in braces are replaced with
// generated personal data, so the server's redaction has real work to do.
var (
	agentLines = []string{
		"Thank you for calling Acme support, my name is {agent}. How can I help you today?",
		"I can certainly help with that. Could I have your full name, please?",
		"Thanks {first}. Can you confirm the phone number on the account?",
		"And for security, what is the email address we have on file?",
		"I see the order {order} here. It looks like the payment was taken twice.",
		"Could you read me the card number you used, so I can find the second charge?",
		"Thank you. I have raised a refund of {amount} dollars to that card.",
		"The refund should appear within three to five working days.",
		"Is there anything else I can help you with today?",
		"I understand, I am sorry for the trouble this has caused.",
		"Let me put you on a short hold while I check with the billing team.",
		"Thanks for holding. The billing team confirmed the duplicate charge.",
	}
	customerLines = []string{
		"Hi, I was charged twice for my last order and I would like a refund.",
		"Sure, it is {name}.",
		"Yes, it is {phone}.",
		"It should be {email}.",
		"The card number is {card}, expiry {expiry}.",
		"Okay, great. How long will that take?",
		"My date of birth is {dob} if you need it.",
		"No, that is everything. Thanks for your help.",
		"I have been waiting for this for over a week now.",
		"The order number is {order}.",
		"Can you also update my address to {street}?",
		"That is fine, I can hold.",
	}
	firstNames = []string{"Jane", "Omar", "Wei", "Priya", "Lucas", "Amara", "Sofia", "Kenji", "Fatima", "Noah", "Elena", "Tariq"}
	lastNames  = []string{"Smith", "Haddad", "Chen", "Raman", "Moreau", "Okafor", "Rossi", "Tanaka", "Khan", "Berg", "Novak", "Silva"}
	streets    = []string{"Oak Avenue", "Harbour Road", "Mill Lane", "King Street", "Elm Close", "Station Road"}
)

// transcriptGen makes call transcripts of about a given size, different for
// each call, valid by the rules of docs/TRANSCRIPT-FORMAT.md.
type transcriptGen struct {
	rng    *rand.Rand
	target int // bytes of JSON, ±10% per transcript
}

type transcriptWord struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

type transcriptTurn struct {
	Speaker string           `json:"speaker"`
	Start   float64          `json:"start"`
	End     float64          `json:"end"`
	Text    string           `json:"text"`
	Words   []transcriptWord `json:"words,omitempty"`
}

// next returns one transcript as JSON. Half of the transcripts carry word
// timings on every turn (as speech-to-text engines give them), half carry
// only turn text, so both shapes of content are ingested.
func (g *transcriptGen) next() []byte {
	target := g.target * (90 + g.rng.IntN(21)) / 100
	withWords := g.rng.IntN(2) == 0
	p := g.person()
	var (
		buf  strings.Builder
		at   float64
		turn int
	)
	buf.WriteString(`{"turns":[`)
	for buf.Len() < target-2 {
		t := g.turn(turn, at, p, withWords)
		b, _ := json.Marshal(t) // only strings and finite numbers: cannot fail
		if turn > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
		at = t.End + 0.2 + g.rng.Float64()
		turn++
	}
	buf.WriteString(`]}`)
	return []byte(buf.String())
}

// person is the generated customer a transcript talks about.
type person struct {
	first, last, phone, email, card, expiry, dob, order, street, agent string
}

func (g *transcriptGen) person() person {
	first, last := pick(g.rng, firstNames), pick(g.rng, lastNames)
	return person{
		first:  first,
		last:   last,
		phone:  fmt.Sprintf("415 555 01%02d", g.rng.IntN(100)),
		email:  fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), g.rng.IntN(1000)),
		card:   luhnCard(g.rng),
		expiry: fmt.Sprintf("%02d/%02d", 1+g.rng.IntN(12), 27+g.rng.IntN(5)),
		dob:    fmt.Sprintf("%d-%02d-%02d", 1950+g.rng.IntN(55), 1+g.rng.IntN(12), 1+g.rng.IntN(28)),
		order:  fmt.Sprintf("A%07d", g.rng.IntN(10_000_000)),
		street: fmt.Sprintf("%d %s", 1+g.rng.IntN(200), pick(g.rng, streets)),
		agent:  pick(g.rng, firstNames),
	}
}

// turn returns turn number n, starting at the given second: agent and
// customer alternate, each word lasting a fraction of a second.
func (g *transcriptGen) turn(n int, start float64, p person, withWords bool) transcriptTurn {
	speaker, lines := "agent", agentLines
	if n%2 == 1 {
		speaker, lines = "customer", customerLines
	}
	text := strings.NewReplacer(
		"{agent}", p.agent, "{first}", p.first, "{name}", p.first+" "+p.last,
		"{phone}", p.phone, "{email}", p.email, "{card}", p.card, "{expiry}", p.expiry,
		"{dob}", p.dob, "{order}", p.order, "{street}", p.street,
		"{amount}", fmt.Sprintf("%d.%02d", 10+g.rng.IntN(490), g.rng.IntN(100)),
	).Replace(pick(g.rng, lines))
	t := transcriptTurn{Speaker: speaker, Start: round2(start), Text: text}
	at := start
	for _, w := range strings.Fields(text) {
		end := at + 0.15 + 0.05*float64(len(w)) + 0.1*g.rng.Float64()
		if withWords {
			t.Words = append(t.Words, transcriptWord{Word: w, Start: round2(at), End: round2(end)})
		}
		at = end + 0.05*g.rng.Float64()
	}
	t.End = round2(at + 0.01) // ≥ every word's end after rounding
	return t
}

// luhnCard returns a 16-digit Visa-style number that passes the Luhn check,
// grouped in fours as a caller would read it out.
func luhnCard(rng *rand.Rand) string {
	var d [16]int
	d[0] = 4
	for i := 1; i < 15; i++ {
		d[i] = rng.IntN(10)
	}
	sum := 0
	for i := 14; i >= 0; i-- { // the check digit doubles every second digit from its left neighbour
		v := d[i]
		if (14-i)%2 == 0 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[15] = (10 - sum%10) % 10
	var b strings.Builder
	for i, v := range d {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

// round2 rounds seconds to hundredths, as speech-to-text engines report them.
func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
