package store

import (
	"context"
	"database/sql"
	"errors"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracedDriver gives every statement a span under the request's span. A request that is
// not traced (tracing off, or not sampled) costs one context lookup per statement: no span
// is made, so tracing off stays free (docs/operations.md, "Traces and logs").
type tracedDriver struct {
	*entsql.Driver
}

func traced(d *entsql.Driver) *tracedDriver { return &tracedDriver{d} }

var tracer = otel.Tracer("github.com/wenming-platform/wenming/services/platform/store")

// span starts a statement's span when ctx's span records; end is then non-nil.
func span(ctx context.Context, d, op, query string) (context.Context, func(error)) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	system := "postgresql"
	if d == dialect.SQLite {
		system = "sqlite"
	}
	if len(query) > 2000 {
		query = query[:2000]
	}
	// The statement's text only: arguments may carry personal data and are never recorded.
	ctx, s := tracer.Start(ctx, "db "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", system), attribute.String("db.query.text", query)))
	return ctx, func(err error) {
		if err != nil {
			// The SQLSTATE only: PostgreSQL's messages quote the values they refused.
			code := "error"
			var pg *pgconn.PgError
			if errors.As(err, &pg) {
				code = pg.Code
				s.SetAttributes(attribute.String("db.response.status_code", pg.Code))
			}
			s.SetStatus(codes.Error, code)
		}
		s.End()
	}
}

func (d *tracedDriver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, end := span(ctx, d.Dialect(), "exec", query)
	err := d.Driver.Exec(ctx, query, args, v)
	if end != nil {
		end(err)
	}
	return err
}

func (d *tracedDriver) Query(ctx context.Context, query string, args, v any) error {
	ctx, end := span(ctx, d.Dialect(), "query", query)
	err := d.Driver.Query(ctx, query, args, v)
	if end != nil {
		end(err)
	}
	return err
}

func (d *tracedDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, end := span(ctx, d.Dialect(), "exec", query)
	r, err := d.Driver.ExecContext(ctx, query, args...)
	if end != nil {
		end(err)
	}
	return r, err
}

func (d *tracedDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, end := span(ctx, d.Dialect(), "query", query)
	r, err := d.Driver.QueryContext(ctx, query, args...)
	if end != nil {
		end(err)
	}
	return r, err
}

func (d *tracedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.BeginTx(ctx, nil)
}

func (d *tracedDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tracedTx{Tx: tx.(*entsql.Tx), dialect: d.Dialect()}, nil
}

// tracedTx is a transaction whose statements get spans like tracedDriver's.
type tracedTx struct {
	*entsql.Tx
	dialect string
}

func (t *tracedTx) Exec(ctx context.Context, query string, args, v any) error {
	ctx, end := span(ctx, t.dialect, "exec", query)
	err := t.Tx.Exec(ctx, query, args, v)
	if end != nil {
		end(err)
	}
	return err
}

func (t *tracedTx) Query(ctx context.Context, query string, args, v any) error {
	ctx, end := span(ctx, t.dialect, "query", query)
	err := t.Tx.Query(ctx, query, args, v)
	if end != nil {
		end(err)
	}
	return err
}

func (t *tracedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, end := span(ctx, t.dialect, "exec", query)
	r, err := t.Tx.ExecContext(ctx, query, args...)
	if end != nil {
		end(err)
	}
	return r, err
}

func (t *tracedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, end := span(ctx, t.dialect, "query", query)
	r, err := t.Tx.QueryContext(ctx, query, args...)
	if end != nil {
		end(err)
	}
	return r, err
}
