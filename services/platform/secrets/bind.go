package secrets

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/setting"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// fingerprintSetting is the settings row that holds the master key's fingerprint.
const fingerprintSetting = "master_key_fingerprint"

// ErrWrongKey is returned by Bind and Check when the database was set up with another
// master key.
var ErrWrongKey = errors.New("secrets: this master key is not the one this database was set up with: " +
	"every process of a deployment must use the same key (docs/audit.md)")

// Bind ties the database to m: the first call stores m's fingerprint, later calls compare
// with it and return ErrWrongKey on a mismatch. Concurrent first starts agree on one key.
func Bind(ctx context.Context, c *ent.Client, m *Master) error {
	sys := store.System(ctx)
	err := c.Setting.Create().SetID(fingerprintSetting).SetValue(m.Fingerprint()).
		OnConflictColumns(setting.FieldID).DoNothing().Exec(sys)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = Check(ctx, c, m)
	return err
}

// Bound reports whether a master key is bound to the database (Bind ran on it).
func Bound(ctx context.Context, c *ent.Client) (bool, error) {
	return c.Setting.Query().Where(setting.ID(fingerprintSetting)).Exist(store.System(ctx))
}

// Check compares m with the fingerprint Bind stored, without writing. bound is false when
// there is none yet (a database no process has started on).
func Check(ctx context.Context, c *ent.Client, m *Master) (bound bool, err error) {
	s, err := c.Setting.Get(store.System(ctx), fingerprintSetting)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if subtle.ConstantTimeCompare(s.Value, m.Fingerprint()) != 1 {
		return true, ErrWrongKey
	}
	return true, nil
}
