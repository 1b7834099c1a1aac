package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// dbTime is the time spent waiting for the database by connections of the "pgx-timed"
// driver: every statement, row fetch, begin and commit, so a caller can tell a handler's
// database time from its own.
var dbTime atomic.Int64

func init() { sql.Register("pgx-timed", timedDriver{stdlib.GetDefaultDriver().(driver.DriverContext)}) }

func timed(start time.Time) { dbTime.Add(int64(time.Since(start))) }

// statements, when profiling is on, sums the time of each statement by its first words, so
// the benchmark can say where a write's database time goes.
var (
	profiling  atomic.Bool
	statements sync.Map // string → *atomic.Int64
)

func profile(q string, start time.Time) {
	if !profiling.Load() {
		return
	}
	if len(q) > 90 {
		q = q[:90]
	}
	v, _ := statements.LoadOrStore(q, new(atomic.Int64))
	v.(*atomic.Int64).Add(int64(time.Since(start)))
}

type timedDriver struct{ d driver.DriverContext }

func (t timedDriver) Open(name string) (driver.Conn, error) {
	c, err := t.OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

func (t timedDriver) OpenConnector(name string) (driver.Connector, error) {
	c, err := t.d.OpenConnector(name)
	return timedConnector{c, t}, err
}

type timedConnector struct {
	c driver.Connector
	d timedDriver
}

func (t timedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := t.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &timedConn{c.(conn)}, nil
}

func (t timedConnector) Driver() driver.Driver { return t.d }

// conn is what pgx's stdlib connection implements and the timed one passes through.
type conn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.ConnPrepareContext
}

type timedConn struct{ conn }

func (c *timedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	defer timed(time.Now())
	tx, err := c.conn.BeginTx(ctx, opts)
	return timedTx{tx}, err
}

func (c *timedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	start := time.Now()
	defer timed(start)
	defer profile(q, start)
	r, err := c.conn.QueryContext(ctx, q, args)
	if err != nil {
		return nil, err
	}
	return timedRows{r}, nil
}

func (c *timedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	start := time.Now()
	defer timed(start)
	defer profile(q, start)
	return c.conn.ExecContext(ctx, q, args)
}

type timedTx struct{ tx driver.Tx }

func (t timedTx) Commit() error {
	start := time.Now()
	defer timed(start)
	defer profile("COMMIT", start)
	return t.tx.Commit()
}

func (t timedTx) Rollback() error {
	defer timed(time.Now())
	return t.tx.Rollback()
}

type timedRows struct{ driver.Rows }

func (r timedRows) Next(dest []driver.Value) error {
	defer timed(time.Now())
	return r.Rows.Next(dest)
}
