package authz

import (
	"embed"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	cedarast "github.com/cedar-policy/cedar-go/ast"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"

	"github.com/confide-cc/confide/internal/identity"
)

//go:embed policies/*.cedar policies/schema.cedarschema
var builtinFS embed.FS

// SchemaFile is the name of the schema among the built-in policy files.
const SchemaFile = "schema.cedarschema"

// Cedar entity types of the schema.
var (
	typeUser     = types.EntityType("User")
	typeResource = types.EntityType("Resource")
	typeAction   = types.EntityType("Action")
)

// Action groups of the schema (parents of actions).
const (
	groupCustomerData = "customer_data"
	groupSelfService  = "self_service"
)

// PolicyFile is one named Cedar document.
type PolicyFile struct {
	Name string // file name, e.g. "agent.cedar"
	Text []byte
}

// BuiltinFiles returns the built-in policy files and the schema.
func BuiltinFiles() (policies []PolicyFile, schemaText []byte) {
	entries, _ := fs.ReadDir(builtinFS, "policies")
	for _, e := range entries {
		b, _ := fs.ReadFile(builtinFS, "policies/"+e.Name())
		if e.Name() == SchemaFile {
			schemaText = b
			continue
		}
		policies = append(policies, PolicyFile{Name: e.Name(), Text: b})
	}
	return policies, schemaText
}

// ReadDir reads the operator's policy files (*.cedar) of dir, sorted by
// name. A missing or unreadable directory is an error.
func ReadDir(dir string) ([]PolicyFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("policy directory: %w", err)
	}
	var out []PolicyFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".cedar") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("policy directory: %w", err)
		}
		out = append(out, PolicyFile{Name: e.Name(), Text: b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("policy directory %s: no *.cedar files", dir)
	}
	return out, nil
}

// Merge returns the built-in files overridden and extended by the
// operator's: an operator file with the name of a built-in file replaces
// it (an empty file removes it), any other adds to the set.
func Merge(builtin, operator []PolicyFile) []PolicyFile {
	byName := map[string]PolicyFile{}
	for _, f := range builtin {
		byName[f.Name] = f
	}
	for _, f := range operator {
		byName[f.Name] = f
	}
	out := make([]PolicyFile, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// compiled is one policy of the set with what the engine precomputed.
type compiled struct {
	id     cedar.PolicyID
	policy *cedar.Policy
	reason string // @reason of a forbid, else ""
	// eval is policy without its action scope, evaluated only for the
	// actions the scope matches (byAction): the scope's set literal is
	// then not rebuilt on every evaluation.
	eval *cedar.Policy
}

// Engine decides with a parsed and validated policy set. It is immutable
// and safe for concurrent use.
type Engine struct {
	opt      Options
	policies []compiled
	// byAction holds, per action, the policies whose action scope can
	// match it, in a stable order.
	byAction map[Action]policyList
	// actions are the static action entities with their groups.
	actions types.EntityMap
	files   []PolicyFile
}

// PolicyError reports a policy set that does not parse or validate.
type PolicyError struct {
	Problems []string
}

func (e *PolicyError) Error() string {
	return "invalid policies: " + strings.Join(e.Problems, "; ")
}

// Compile parses the policy files and validates them against the schema
// (strict Cedar validation), and checks that every action of the server
// is in the schema. It returns the problems found, all of them.
func Compile(files []PolicyFile, schemaText []byte, opt Options) (*Engine, error) {
	var problems []string
	var s schema.Schema
	s.SetFilename(SchemaFile)
	var v *validate.Validator
	var known map[types.EntityUID]bool
	if err := s.UnmarshalCedar(schemaText); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", SchemaFile, err))
	} else if rs, err := s.Resolve(); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", SchemaFile, err))
	} else {
		v = validate.New(rs, validate.WithStrict())
		known = map[types.EntityUID]bool{}
		for uid := range rs.Actions {
			known[uid] = true
		}
		for _, a := range AllActions() {
			if !known[actionUID(a)] {
				problems = append(problems, fmt.Sprintf("%s: action %q is not declared", SchemaFile, a))
			}
		}
	}
	e := &Engine{opt: opt.withDefaults(), byAction: map[Action]policyList{}, files: files}
	seen := map[cedar.PolicyID]string{}
	for _, f := range files {
		list, err := cedar.NewPolicyListFromBytes(f.Name, f.Text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.Name, err))
			continue
		}
		for i, p := range list {
			id := cedar.PolicyID(fmt.Sprintf("%s#%d", f.Name, i))
			if a, ok := p.Annotations()["id"]; ok && a != "" {
				id = cedar.PolicyID(a)
			}
			if other, dup := seen[id]; dup {
				problems = append(problems, fmt.Sprintf("%s: policy id %q also used in %s", f.Name, id, other))
				continue
			}
			seen[id] = f.Name
			if v != nil {
				if err := v.Policy(string(id), (*xast.Policy)(p.AST())); err != nil {
					problems = append(problems, fmt.Sprintf("%s: policy %q: %v", f.Name, id, err))
					continue
				}
			}
			c := compiled{id: id, policy: p}
			switch (*xast.Policy)(p.AST()).Action.(type) {
			case xast.ScopeTypeEq, xast.ScopeTypeIn, xast.ScopeTypeInSet:
				// scopeMayMatch decides these exactly.
				stripped := *(*xast.Policy)(p.AST())
				stripped.Action = xast.ScopeTypeAll{}
				c.eval = cedar.NewPolicyFromAST((*cedarast.Policy)(&stripped))
			}
			if p.Effect() == cedar.Forbid {
				c.reason = string(p.Annotations()["reason"])
				if c.reason == "" {
					c.reason = "forbidden_by_policy"
				}
			}
			e.policies = append(e.policies, c)
		}
	}
	if len(problems) > 0 {
		return nil, &PolicyError{Problems: problems}
	}
	e.actions = actionEntities()
	for _, a := range AllActions() {
		var pl policyList
		for _, c := range e.policies {
			if scopeMayMatch(c.policy, a) {
				pl = append(pl, c)
			}
		}
		for i := range pl {
			if pl[i].eval == nil {
				pl[i].eval = pl[i].policy
			}
		}
		e.byAction[a] = pl
	}
	return e, nil
}

// Load compiles the built-in policies, overridden and extended by the
// *.cedar files of dir if dir is not empty.
func Load(dir string, opt Options) (*Engine, error) {
	builtin, schemaText := BuiltinFiles()
	files := builtin
	if dir != "" {
		op, err := ReadDir(dir)
		if err != nil {
			return nil, err
		}
		files = Merge(builtin, op)
	}
	return Compile(files, schemaText, opt)
}

// Files returns the policy files the engine was compiled from.
func (e *Engine) Files() []PolicyFile { return slices.Clone(e.files) }

// Options returns the engine's options.
func (e *Engine) Options() Options { return e.opt }

// policyList is a PolicyIterator over a slice.
type policyList []compiled

func (l policyList) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for _, c := range l {
			if !yield(c.id, c.eval) {
				return
			}
		}
	}
}

func actionUID(a Action) types.EntityUID { return types.NewEntityUID(typeAction, types.String(a)) }

// actionGroups gives each action's groups, as in the schema.
func actionGroups(a Action) []string {
	switch a {
	case SessionOwn:
		return []string{groupSelfService}
	case CustomerCreate, CustomerRead, CustomerSearch, CustomerUpdate, CustomerReveal, CustomerErase,
		InteractionCreate, InteractionRead, InteractionList, InteractionEnd,
		RecordingUpload, RecordingPlay, RecordingPlayOriginal, AttachmentDownload,
		VerificationStart, VerificationCheck:
		return []string{groupCustomerData}
	}
	return nil
}

// CustomerData reports whether a acts on customer data (the
// "customer_data" group of the schema).
func CustomerData(a Action) bool { return slices.Contains(actionGroups(a), groupCustomerData) }

func actionEntities() types.EntityMap {
	m := types.EntityMap{}
	for _, g := range []string{groupCustomerData, groupSelfService} {
		uid := types.NewEntityUID(typeAction, types.String(g))
		m[uid] = types.Entity{UID: uid}
	}
	for _, a := range AllActions() {
		var parents []types.EntityUID
		for _, g := range actionGroups(a) {
			parents = append(parents, types.NewEntityUID(typeAction, types.String(g)))
		}
		uid := actionUID(a)
		m[uid] = types.Entity{UID: uid, Parents: types.NewEntityUIDSet(parents...)}
	}
	return m
}

// scopeMayMatch reports whether p's action scope can match a (a
// conservative filter: unknown scope shapes match).
func scopeMayMatch(p *cedar.Policy, a Action) bool {
	uid := actionUID(a)
	matches := func(target types.EntityUID) bool {
		if target == uid {
			return true
		}
		for _, g := range actionGroups(a) {
			if target == types.NewEntityUID(typeAction, types.String(g)) {
				return true
			}
		}
		return false
	}
	switch s := (*xast.Policy)(p.AST()).Action.(type) {
	case xast.ScopeTypeEq:
		return matches(s.Entity)
	case xast.ScopeTypeIn:
		return matches(s.Entity)
	case xast.ScopeTypeInSet:
		return slices.ContainsFunc(s.Entities, matches)
	}
	return true
}

// validPrincipal is the engine's check that there is someone to decide
// for.
func validPrincipal(p identity.Principal) bool { return p.ID != "" }
