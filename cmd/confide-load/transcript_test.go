package main

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

// Transcripts must pass the server's own parser, be about the size asked
// for, and differ from one request to the next, with and without word timings.
func TestTranscripts(t *testing.T) {
	for _, target := range []int{minTranscriptBytes, 1024, 4096, 64 << 10} {
		g := transcriptGen{rng: rand.New(rand.NewPCG(1, uint64(target))), target: target}
		var prev []byte
		var withWords, withoutWords int
		for i := range 200 {
			b := g.next()
			tr, err := content.ParseTranscript(b)
			if err != nil {
				t.Fatalf("target %d, transcript %d: %v\n%s", target, i, err, b)
			}
			// ±10% of target, plus at most one turn past it.
			if lo, hi := target*9/10, target*11/10+maxTurnBytes; len(b) < lo || len(b) > hi {
				t.Errorf("target %d, transcript %d: %d bytes, want %d to %d", target, i, len(b), lo, hi)
			}
			if bytes.Equal(b, prev) {
				t.Errorf("target %d: transcript %d repeats the one before", target, i)
			}
			prev = b
			if len(tr.Turns[0].Words) > 0 {
				withWords++
			} else {
				withoutWords++
			}
		}
		if withWords == 0 || withoutWords == 0 {
			t.Errorf("target %d: %d transcripts with word timings, %d without; want both", target, withWords, withoutWords)
		}
	}
}

// maxTurnBytes bounds the JSON of one generated turn with word timings.
const maxTurnBytes = 1200

func TestLuhnCard(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 1000 {
		card := luhnCard(rng)
		digits := bytes.ReplaceAll([]byte(card), []byte(" "), nil)
		if len(digits) != 16 || len(card) != 19 {
			t.Fatalf("card %q: want 16 digits in groups of four", card)
		}
		sum := 0
		for i, c := range digits {
			v := int(c - '0')
			if (len(digits)-i)%2 == 0 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
		}
		if sum%10 != 0 {
			t.Fatalf("card %q fails the Luhn check", card)
		}
	}
}
