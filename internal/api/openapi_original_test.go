package api_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// exerciseOriginalRecording drives the original-recording route through
// the real server, which keeps no originals: a privacy officer with a
// reason finds none, without a reason is refused, and other roles are
// refused or see nothing.
func exerciseOriginalRecording(t *testing.T, s *server, interactionID string) {
	orig := "/api/v1/interactions/" + interactionID + "/recording/original"
	s.do(404, identity.RolePrivacyOfficer, "GET", orig, nil, "X-Confide-Reason", "legal hold 7")
	s.do(400, identity.RolePrivacyOfficer, "GET", orig, nil)
	s.do(403, identity.RoleQAAnalyst, "GET", orig, nil, "X-Confide-Reason", "review")
	s.do(404, identity.RoleAuditor, "GET", orig, nil, "X-Confide-Reason", "review")
}
