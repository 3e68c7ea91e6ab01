package authz_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/authz"
)

var update = flag.Bool("update", false, "rewrite the generated table in docs/ACCESS.md")

const (
	accessDoc  = "../../docs/ACCESS.md"
	tableBegin = "<!-- BEGIN GENERATED RIGHTS: go test ./internal/authz -update -->\n"
	tableEnd   = "<!-- END GENERATED RIGHTS -->\n"
)

// TestAccessDoc keeps the rights table of docs/ACCESS.md generated from
// the built-in policies.
func TestAccessDoc(t *testing.T) {
	b, err := os.ReadFile(accessDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, tableBegin), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the generated-table markers", accessDoc)
	}
	want := authz.Builtin().RightsMarkdown()
	got := doc[i+len(tableBegin) : j]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(accessDoc, []byte(doc[:i+len(tableBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the rights table in %s is out of date; run go test ./internal/authz -update\nwant:\n%s", accessDoc, want)
}
