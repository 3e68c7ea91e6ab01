// Package archtest holds tests that keep the code base's structure honest:
// every package documented, key material handled only by the vault,
// transport and drivers kept out of the domain, one composition root.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/confide-cc/confide/"

type pkg struct {
	dir     string // relative to the repository root, e.g. "internal/vault"
	doc     bool   // some non-test file has a package doc comment
	imports map[string]bool
}

// load parses the non-test Go files of every package in the repository.
func load(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		k := pkgs[rel]
		if k == nil {
			k = &pkg{dir: filepath.ToSlash(rel), imports: map[string]bool{}}
			pkgs[rel] = k
		}
		if f.Doc != nil && strings.HasPrefix(strings.TrimSpace(f.Doc.Text()), "Package "+f.Name.Name) ||
			f.Doc != nil && f.Name.Name == "main" && strings.HasPrefix(strings.TrimSpace(f.Doc.Text()), "Command ") {
			k.doc = true
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			k.imports[path] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages; is the walk looking in the right place?", len(pkgs))
	}
	return pkgs
}

func TestEveryPackageDocumented(t *testing.T) {
	for _, p := range load(t) {
		if !p.doc {
			t.Errorf("%s: no package doc comment (\"// Package name ...\" or \"// Command name ...\")", p.dir)
		}
	}
}

// TestOnlyVaultTouchesKeys: AEAD primitives and Tink are imported by the
// vault alone (and by packages' tests, which are not checked here).
func TestOnlyVaultTouchesKeys(t *testing.T) {
	crypto := []string{"crypto/aes", "crypto/cipher", "crypto/hkdf", "golang.org/x/crypto/chacha20poly1305"}
	for _, p := range load(t) {
		if p.dir == "internal/vault" || strings.HasPrefix(p.dir, "internal/vault/") {
			continue
		}
		for im := range p.imports {
			if slices.Contains(crypto, im) || strings.HasPrefix(im, "github.com/tink-crypto/") {
				t.Errorf("%s imports %s: only internal/vault may handle keys and AEAD", p.dir, im)
			}
		}
	}
}

// TestLayering keeps transport and drivers out of the domain packages and
// the composition root private to the CLI.
func TestLayering(t *testing.T) {
	domain := []string{"internal/records", "internal/vault", "internal/authz", "internal/audit", "internal/content",
		"internal/redact", "internal/identity", "internal/identity/tokens"}
	forbidden := []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5", "github.com/minio/minio-go/v7"}
	leaves := map[string]bool{"internal/vault": true, "internal/content": true, "internal/redact": true}
	for _, p := range load(t) {
		if slices.Contains(domain, p.dir) {
			for im := range p.imports {
				for _, f := range forbidden {
					if im == f || strings.HasPrefix(im, f+"/") {
						t.Errorf("%s imports %s: domain packages stay free of transport and drivers", p.dir, im)
					}
				}
			}
		}
		if leaves[p.dir] {
			for im := range p.imports {
				if strings.HasPrefix(im, module+"internal/") && !strings.HasPrefix(im, module+p.dir+"/") {
					t.Errorf("%s imports %s: it must stay a leaf", p.dir, im)
				}
			}
		}
		if p.imports[module+"internal/app"] && p.dir != "internal/cli" {
			t.Errorf("%s imports internal/app: only the CLI uses the composition root", p.dir)
		}
	}
}
