package mutate

import (
	"context"
	"errors"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/privacy"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/outbox"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Writer is where a service's handlers write: its store, and the audit chain every change
// is recorded in. Build one per server (NewWriter) from the store and chain it is given.
type Writer struct {
	st    *store.Store
	trail *audit.Chain
}

// NewWriter returns the Writer of a server that writes st and records in trail.
func NewWriter(st *store.Store, trail *audit.Chain) *Writer {
	return &Writer{st: st, trail: trail}
}

// Record appends e to its office's audit chain within tx. The event's request id is taken
// from ctx here, for every service, so callers describe only the change. (audit cannot
// read it itself: the request id belongs to the rpc package, which audit does not import.)
// A change that is a webhook event (outbox.TypeOf) also writes its deliveries, in tx.
func (w *Writer) Record(ctx context.Context, tx *ent.Tx, e audit.Event) error {
	if e.RequestID == "" {
		e.RequestID = rpc.RequestID(ctx)
	}
	if err := w.trail.Record(ctx, tx, e); err != nil {
		return err
	}
	if typ := outbox.TypeOf(e.Action); typ != "" {
		return outbox.Emit(ctx, tx, outbox.Event{Type: typ, OfficeID: e.OfficeID, ScopePath: e.ScopePath,
			ResourceType: e.ResourceType, ResourceID: e.ResourceID, Data: e.After})
	}
	return nil
}

// Lock takes the lock of officeID's audit chain for the rest of tx (audit.Chain.Lock): a
// write that inserts rows another write of the office may wait on (a unit's unique credit
// code) takes it before its first insert.
func (w *Writer) Lock(ctx context.Context, tx *ent.Tx, officeID string) error {
	return w.trail.Lock(ctx, tx, officeID)
}

// Change describes a change to one existing row of type T (an ent entity: *ent.Unit).
// Every field but Etag and EtagRequired is required.
type Change[T any] struct {
	// Resource names the row in a NOT_FOUND answer: "unit", "service account".
	Resource string
	// Get reads the row within tx, with the context it is given (never store.System: that
	// is what hides a row beyond the caller's scope). Update calls it with the caller's
	// context, so a row the caller may not see is NOT_FOUND; after a write that matched
	// no row it calls it again, as the system and as the caller, to tell why.
	Get func(ctx context.Context, tx *ent.Tx) (T, error)
	// Version returns a row's version, the counter behind its etag.
	Version func(T) int64
	// Allow is the handler's object check: may the caller make this change to cur? It
	// returns nil, errs.ErrPermissionDenied or another domain error.
	Allow func(cur T) error
	// Etag is the etag the request names. With EtagRequired an empty one is
	// INVALID_ARGUMENT; otherwise it is checked only when given (a request without an
	// etag field leaves it empty).
	Etag         string
	EtagRequired bool
	// Apply makes the change and returns the row as stored. Its write must be guarded by
	// cur's version and bump it:
	//
	//	tx.Unit.UpdateOneID(cur.ID).Where(unit.Version(cur.Version)).AddVersion(1)…Save(ctx)
	//
	// and it returns that write's ent not-found error unchanged (Update explains it). Any
	// other not-found (a related row it reads) it turns into its own error first.
	Apply func(tx *ent.Tx, cur T) (T, error)
	// Audit returns the event that records the change from cur to next; the request id is
	// filled in by Writer.Record.
	Audit func(cur, next T) (audit.Event, error)
}

// Update reads a row, checks the caller and the etag, applies the change and records it,
// in one transaction, and returns the row as stored. Besides the errors of c's functions
// it returns:
//   - NOT_FOUND (errs.NotFound(c.Resource)) for a row the caller cannot see, or one that is
//     gone by the time of the write;
//   - INVALID_ARGUMENT on "etag" when c.EtagRequired and the request names none;
//   - errs.ErrStaleEtag when the etag is not the row's version, or the version moved
//     between the read and the write;
//   - errs.ErrPermissionDenied when the store's privacy policy refused the write (an
//     ancestor office changing a descendant's row) although c.Allow let it through: the
//     caller reads the row but may not write it (docs/authorization.md). Were the row
//     hidden from the caller, it would be NOT_FOUND instead.
func Update[T any](ctx context.Context, w *Writer, c Change[T]) (T, error) {
	var out T
	err := w.st.Tx(ctx, func(tx *ent.Tx) error {
		cur, err := c.Get(ctx, tx)
		if err != nil {
			return resource.NotFound(err, c.Resource)
		}
		if err := c.Allow(cur); err != nil {
			return err
		}
		if c.Etag != "" || c.EtagRequired {
			if err := resource.CheckEtag(c.Etag, c.Version(cur)); err != nil {
				return err
			}
		}
		next, err := c.Apply(tx, cur)
		if err != nil {
			return explain(ctx, tx, c, cur, err)
		}
		e, err := c.Audit(cur, next)
		if err != nil {
			return err
		}
		if err := w.Record(ctx, tx, e); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// explain turns the failure of a write of cur into the caller's answer. ent reports an
// update that matched no row as not found; the row is read again, as the system, to tell
// whether its version moved (a concurrent change: ETAG_MISMATCH), it is gone (NOT_FOUND)
// or it is as read, so the privacy policy filtered the write out (refused).
func explain[T any](ctx context.Context, tx *ent.Tx, c Change[T], cur T, err error) error {
	switch {
	case errors.Is(err, privacy.Deny):
		return refused(ctx, tx, c)
	case !ent.IsNotFound(err):
		return err
	}
	now, err := c.Get(store.System(ctx), tx)
	switch {
	case ent.IsNotFound(err):
		return errs.NotFound(c.Resource)
	case err != nil:
		return err
	case c.Version(now) != c.Version(cur):
		return errs.ErrStaleEtag
	}
	return refused(ctx, tx, c)
}

// refused answers a write the store's privacy policy refused: PERMISSION_DENIED when the
// caller reads the row, NOT_FOUND when it does not, so a refusal never reveals a row the
// caller cannot see.
func refused[T any](ctx context.Context, tx *ent.Tx, c Change[T]) error {
	_, err := c.Get(ctx, tx)
	switch {
	case ent.IsNotFound(err):
		return errs.NotFound(c.Resource)
	case err != nil:
		return err
	}
	return errs.ErrPermissionDenied
}

// Creation describes a new row of type T made under, or from, an existing row of type P:
// a unit under its office, a new version of a standard from the one it copies. Every
// field is required.
type Creation[P, T any] struct {
	// Parent names the existing row in a NOT_FOUND answer: "office".
	Parent string
	// GetParent reads the existing row within tx, with the context it is given (the
	// caller's; never store.System): one the caller may not see is NOT_FOUND. A creation that may have no parent (a top-level office)
	// returns the zero P and nil.
	GetParent func(ctx context.Context, tx *ent.Tx) (P, error)
	// Allow is the handler's object check: may the caller create under parent? It returns
	// nil, errs.ErrPermissionDenied or another domain error.
	Allow func(parent P) error
	// Save checks what else the new row needs (uniqueness, references) and creates it.
	Save func(tx *ent.Tx, parent P) (T, error)
	// Audit returns the event that records the creation, in the new row's office chain.
	Audit func(parent P, created T) (audit.Event, error)
}

// Create reads the parent, checks the caller, saves the new row and records it, in one
// transaction, and returns the row as stored. Besides the errors of c's functions it
// returns:
//   - NOT_FOUND (errs.NotFound(c.Parent)) for a parent the caller cannot see;
//   - errs.ErrPermissionDenied when the store's privacy policy refused the create (a row
//     outside the caller's scope) although c.Allow let it through, and the caller reads
//     the parent; NOT_FOUND when it does not.
func Create[P, T any](ctx context.Context, w *Writer, c Creation[P, T]) (T, error) {
	var out T
	err := w.st.Tx(ctx, func(tx *ent.Tx) error {
		parent, err := c.GetParent(ctx, tx)
		if err != nil {
			return resource.NotFound(err, c.Parent)
		}
		if err := c.Allow(parent); err != nil {
			return err
		}
		created, err := c.Save(tx, parent)
		if errors.Is(err, privacy.Deny) {
			// The store's privacy policy refused the create that Allow let through: a
			// parent the caller reads makes it PERMISSION_DENIED, one it does not (read
			// beyond its scope by GetParent) NOT_FOUND.
			if _, err := c.GetParent(ctx, tx); err != nil {
				return resource.NotFound(err, c.Parent)
			}
			return errs.ErrPermissionDenied
		}
		if err != nil {
			return err
		}
		e, err := c.Audit(parent, created)
		if err != nil {
			return err
		}
		if err := w.Record(ctx, tx, e); err != nil {
			return err
		}
		out = created
		return nil
	})
	return out, err
}

// InOffice is the GetParent of a create under the office id names: most rows are created
// in an office, which the caller must see.
func InOffice(id string) func(context.Context, *ent.Tx) (*ent.Office, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Office, error) { return tx.Office.Get(ctx, id) }
}

// OfficeAdmin is the Allow of a create only the office's own admins make: ancestors read
// an office's rows, they do not write them (docs/authorization.md).
func OfficeAdmin(v *viewer.Viewer) func(*ent.Office) error {
	return func(o *ent.Office) error {
		if !v.OfficeAdmin(o.ID) {
			return errs.ErrPermissionDenied
		}
		return nil
	}
}
