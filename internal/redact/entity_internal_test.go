package redact

import "testing"

// TestPriorityMatchesAllEntities keeps the priority switch in the order of
// AllEntities, which documents it.
func TestPriorityMatchesAllEntities(t *testing.T) {
	for i, typ := range AllEntities {
		if got := typ.priority(); got != i {
			t.Errorf("%s.priority() = %d, want %d (its index in AllEntities)", typ, got, i)
		}
		if got, want := typ.placeholder(), "["+string(typ)+"]"; got != want {
			t.Errorf("%s.placeholder() = %q, want %q", typ, got, want)
		}
	}
	if got := EntityType("NOT_A_TYPE").priority(); got != len(AllEntities) {
		t.Errorf("unknown type priority = %d, want %d", got, len(AllEntities))
	}
}

// TestReferenceWordsFitBuffer keeps referenceBefore's buffer long enough.
func TestReferenceWordsFitBuffer(t *testing.T) {
	for w := range referenceWords {
		if len(w) > maxReferenceWord {
			t.Errorf("reference word %q is longer than maxReferenceWord (%d)", w, maxReferenceWord)
		}
	}
}
