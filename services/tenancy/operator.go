package tenancy

import (
	"context"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Platform operations run by the operator from the command line (`wenming admin …`), where
// no caller is signed in: each is recorded in the trail with the reason it was run for.

// Unlock clears an account's login counters, so an admin locked out by guessing (the
// platform admin included) can log in again. With a password, it also sets it and ends
// every session of the account. Recorded as auth.unlock in the account's trail.
func (s *Server) Unlock(ctx context.Context, login, password string) error {
	login = canonicalLogin(login)
	sys := store.System(ctx)
	if password != "" && len(password) < 10 {
		return errs.Invalid("password", "must be at least 10 characters", "至少 10 个字符")
	}
	if en, zh := rpc.TextProblem(password, false); en != "" {
		return errs.Invalid("password", en, zh)
	}
	err := s.st.Tx(sys, func(tx *ent.Tx) error {
		u, err := tx.User.Query().Where(user.Login(login)).Only(sys)
		if err != nil {
			return resource.NotFound(err, "user")
		}
		if password != "" {
			if _, err := s.setPassword(sys, tx, u, password); err != nil {
				return err
			}
			// The trail says that the password changed and by whom; never the password.
			if err := s.w.Record(ctx, tx, audit.Event{
				OfficeID: u.OfficeID, ScopePath: u.ScopePath, Action: "user.password_reset_by_operator",
				ResourceType: "user", ResourceID: u.ID,
			}); err != nil {
				return err
			}
		}
		return s.securityEvent(ctx, tx, login, "auth.unlock", map[string]any{"password_set": password != ""})
	})
	if err != nil {
		return err
	}
	s.limits.ResetPrefix(ctx, "login:pair:"+login+"|")
	s.limits.Reset(ctx, "login:acct:"+login)
	return nil
}

// releasedPrefix starts the marker that replaces a released credit code: it can never be
// a valid code, and it keeps the released code and the unit readable in the record.
const releasedPrefix = "RELEASED-"

// ReleaseCreditCode takes a credit code away from the unit that registered it, after the
// operator has checked that another office's unit is the rightful holder (a squatted
// code). The unit keeps everything else; its code becomes a marker until its office
// corrects it. Recorded in the unit's office trail and in the platform trail, with reason.
func (s *Server) ReleaseCreditCode(ctx context.Context, unitID, reason string) (released string, err error) {
	if strings.TrimSpace(reason) == "" {
		return "", errs.Invalid("reason", "is required", "必填")
	}
	if en, zh := rpc.TextProblem(reason, true); en != "" {
		return "", errs.Invalid("reason", en, zh)
	}
	sys := store.System(ctx)
	err = s.st.Tx(sys, func(tx *ent.Tx) error {
		u, err := tx.Unit.Get(sys, unitID)
		if err != nil {
			return resource.NotFound(err, "unit")
		}
		if strings.HasPrefix(u.CreditCode, releasedPrefix) {
			return errs.New(codes.FailedPrecondition, "ALREADY_RELEASED", "this unit's credit code is already released", "该单位的统一社会信用代码已释放")
		}
		released = u.CreditCode
		if err := tx.Unit.UpdateOneID(u.ID).SetCreditCode(releasedPrefix + released + "-" + u.ID).AddVersion(1).Exec(sys); err != nil {
			return err
		}
		details, err := structpb.NewStruct(map[string]any{"released_credit_code": released, "reason": reason, "unit_id": u.ID})
		if err != nil {
			return err
		}
		e := audit.Event{
			OfficeID: u.OfficeID, ScopePath: u.ScopePath, Action: "unit.credit_code_released",
			ResourceType: "unit", ResourceID: u.ID, After: details,
		}
		if err := s.w.Record(ctx, tx, e); err != nil {
			return err
		}
		// And in the platform chain, where every release is read in one place.
		e.OfficeID, e.ScopePath = audit.PlatformOffice, audit.PlatformScope
		return s.w.Record(ctx, tx, e)
	})
	return released, err
}
