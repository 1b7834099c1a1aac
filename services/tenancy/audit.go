package tenancy

import (
	"context"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// GetAuditCheckpoint signs the head of one office's audit chain, for the office to keep
// outside Wenming (docs/audit.md). Whoever may list a chain's events (ListAuditEvents) may
// fetch its checkpoint: the same rule and the same scope check, the platform's own chain
// included for the platform admin.
func (s *Server) GetAuditCheckpoint(ctx context.Context, req *tenancyv1.GetAuditCheckpointRequest) (*tenancyv1.AuditCheckpoint, error) {
	if req.GetOfficeId() != audit.PlatformOffice || !viewer.FromContext(ctx).PlatformAdmin() {
		if _, err := s.st.Client.Office.Get(ctx, req.GetOfficeId()); err != nil {
			return nil, resource.NotFound(err, "office")
		}
	}
	return s.trail.Checkpoint(ctx, s.st.Client, req.GetOfficeId())
}
