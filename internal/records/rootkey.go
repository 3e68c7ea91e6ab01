package records

import (
	"context"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/vault"
)

// Root-key rotation (see vault.StageRootRotation): each step is authorized
// like a key-encryption-key rotation and audited with the installation
// keysets it touched and, for staging, where the new key comes from.

// StageRootRotation re-wraps the installation keysets under the root key
// of next, beside the current ones.
func (s *Service) StageRootRotation(ctx context.Context, next vault.KeySource) ([]string, error) {
	return s.rootStep(ctx, "keys.root_stage", map[string]any{"new_key": next.Describe()}, func() ([]string, error) {
		return s.vault.StageRootRotation(ctx, next)
	})
}

// FinishRootRotation makes the staged keysets current; the node must run
// with the new root key.
func (s *Service) FinishRootRotation(ctx context.Context) ([]string, error) {
	return s.rootStep(ctx, "keys.root_finish", nil, func() ([]string, error) { return s.vault.FinishRootRotation(ctx) })
}

// AbortRootRotation discards a staged root-key rotation.
func (s *Service) AbortRootRotation(ctx context.Context) ([]string, error) {
	return s.rootStep(ctx, "keys.root_abort", nil, func() ([]string, error) { return s.vault.AbortRootRotation(ctx) })
}

func (s *Service) rootStep(ctx context.Context, action string, details map[string]any, step func() ([]string, error)) ([]string, error) {
	if err := s.authorize(ctx, authz.KeysRotate, "keys/root", ""); err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, action, "keys/root", audit.Success)
	if details == nil {
		details = map[string]any{}
	}
	names, err := step()
	details["keysets"] = names
	ev.Details = details
	if err != nil {
		ev.Outcome, ev.Reason = audit.Failure, "rotation_failed"
		if aerr := s.appendOnly(ctx, ev); aerr != nil {
			return names, aerr
		}
		return names, err
	}
	return names, s.appendOnly(ctx, ev)
}
