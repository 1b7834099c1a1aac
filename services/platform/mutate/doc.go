// Package mutate is the one way a handler changes stored rows. Every write handler of
// every service takes the same steps, in one transaction:
//
//  1. read the row the request names (for a create: the row the new one goes under)
//     through the caller's privacy filter, so a row the caller cannot see is NOT_FOUND;
//  2. check that the caller may make this change (the handler's object check):
//     PERMISSION_DENIED, or a domain error;
//  3. check the request's etag against the row's version: ETAG_MISMATCH;
//  4. write, guarded by the version read (UPDATE … WHERE version = the one read);
//  5. explain a write that touched no row: the version moved meanwhile (ETAG_MISMATCH),
//     or the store's privacy policy refused it although the handler's check allowed it
//     (PERMISSION_DENIED when the caller reads the row, NOT_FOUND when it does not: see
//     docs/authorization.md), or the row is gone (NOT_FOUND);
//  6. record the audit event in the same transaction, with the request's id.
//
// Update does this for an existing row and Create for a new one; a handler states only
// what differs (how to read the row, who may write it, what to change, what to record).
// Writer.Record records any further event (security events, operator actions) in the
// same way, so the request id is filled in one place. A handler reads:
//
//	u, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Unit]{
//		Resource: "unit", Etag: in.GetEtag(), EtagRequired: true,
//		Get:     func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, in.GetId()) },
//		Version: func(u *ent.Unit) int64 { return u.Version },
//		Allow: func(cur *ent.Unit) error {
//			if !v.OfficeAdmin(cur.OfficeID) {
//				return errs.ErrPermissionDenied
//			}
//			return nil
//		},
//		Apply: func(tx *ent.Tx, cur *ent.Unit) (*ent.Unit, error) {
//			return tx.Unit.UpdateOneID(cur.ID).Where(unit.Version(cur.Version)).AddVersion(1).
//				SetDisplayName(in.GetDisplayName()).Save(ctx)
//		},
//		Audit: func(cur, next *ent.Unit) (audit.Event, error) {
//			return audit.Event{OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "unit.update",
//				ResourceType: "unit", ResourceID: cur.ID, Before: unitToProto(cur), After: unitToProto(next)}, nil
//		},
//	})
//
// A create under an office takes its parent and check from InOffice and OfficeAdmin:
//
//	sa, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.ServiceAccount]{
//		Parent: "office", GetParent: mutate.InOffice(req.GetOfficeId()), Allow: mutate.OfficeAdmin(v),
//		Save:  func(tx *ent.Tx, o *ent.Office) (*ent.ServiceAccount, error) { … },
//		Audit: func(o *ent.Office, sa *ent.ServiceAccount) (audit.Event, error) { … },
//	})
//
// A write that matched no row, or that the privacy policy refused, is answered as
// documented on Update and Create; handlers map only their own domain errors (a
// uniqueness violation, for example).
package mutate
