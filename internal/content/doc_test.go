package content_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

// TestDocumentedLimits checks that docs/TRANSCRIPT-FORMAT.md, which
// integrators read, states the limits the package enforces.
func TestDocumentedLimits(t *testing.T) {
	data, err := os.ReadFile("../../docs/TRANSCRIPT-FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	spec := string(data)
	for name, v := range map[string]int{
		"MaxTranscriptBytes":     content.MaxTranscriptBytes,
		"MaxTurns":               content.MaxTurns,
		"MaxTurnTextBytes":       content.MaxTurnTextBytes,
		"MaxTranscriptTextBytes": content.MaxTranscriptTextBytes,
		"MaxSeconds":             content.MaxSeconds,
		"MaxMessages":            content.MaxMessages,
		"MaxFromBytes":           content.MaxFromBytes,
	} {
		if s := groupDigits(v); !strings.Contains(spec, s) {
			t.Errorf("%s = %s is not in the format document", name, s)
		}
	}
}

// groupDigits formats n with a space between groups of three digits, as the
// document writes numbers: 4194304 becomes "4 194 304".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}
