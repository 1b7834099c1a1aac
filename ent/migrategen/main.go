// Command migrategen writes the next versioned migration for both dialects from the ent
// schema: `go run ./ent/migrategen NAME`. It replays the existing migrations on a clean
// throw-away database (SQLite in memory; a scratch PostgreSQL database created and dropped
// on WENMING_DEV_DATABASE_URL's server) and diffs the result against the schema, so the
// files are the exact steps from the last migration to the current schema.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"os"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/wenming-platform/wenming/ent/migrate"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: migrategen NAME")
	}
	ctx := context.Background()
	name := os.Args[1]

	lite, err := sql.Open("sqlite", "file:migrategen?mode=memory&cache=shared&_pragma=foreign_keys(1)")
	if err != nil {
		log.Fatal(err)
	}
	defer lite.Close()
	if err := diff(ctx, lite, dialect.SQLite, "deploy/migrations/sqlite", name); err != nil {
		log.Fatal("sqlite: ", err)
	}

	base := os.Getenv("WENMING_DEV_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()
	const scratch = "wenming_migrategen"
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)"); err != nil {
		log.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+scratch); err != nil {
		log.Fatal(err)
	}
	defer admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)")
	u, err := url.Parse(base)
	if err != nil {
		log.Fatal(err)
	}
	u.Path = "/" + scratch
	pg, err := sql.Open("pgx", u.String())
	if err != nil {
		log.Fatal(err)
	}
	defer pg.Close()
	if err := diff(ctx, pg, dialect.Postgres, "deploy/migrations/postgres", name); err != nil {
		log.Fatal("postgres: ", err)
	}
}

func diff(ctx context.Context, db *sql.DB, d, path, name string) error {
	dir, err := atlasmigrate.NewLocalDir(path)
	if err != nil {
		return err
	}
	m, err := schema.NewMigrate(entsql.OpenDB(d, db),
		schema.WithDir(dir),
		schema.WithDialect(d),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithFormatter(atlasmigrate.DefaultFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return err
	}
	if err := m.NamedDiff(ctx, name, migrate.Tables...); err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	return nil
}
