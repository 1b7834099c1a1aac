package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/wenming-platform/wenming/services/platform/store"
)

// tenancyRule is one table's agreement with its owner: the ids of the rows where it fails,
// found by one join. The tenant scope of every query (ent/schema, OfficeScoped) trusts a
// row's office_id and scope_path; a row whose path is not its owner's would be shown to
// another tenant, or hidden from its own (docs/authorization.md).
type tenancyRule struct {
	table, alias, rule string
	// join and where select the violating rows of table (aliased alias).
	join, where string
}

// tenancyRules are the owners of every tenant-owned table. A unit's path is its office's
// with "u-<id>/" added; an office's is its parent's with "<id>/".
var tenancyRules = []tenancyRule{
	{"offices", "o", "an office's path is its parent's and its own id, and it owns itself",
		"LEFT JOIN offices p ON p.id = o.parent_id",
		"o.office_id <> o.id OR (COALESCE(o.parent_id, '') = '' AND o.scope_path <> '/' || o.id || '/') OR " +
			"(COALESCE(o.parent_id, '') <> '' AND (p.id IS NULL OR o.scope_path <> p.scope_path || o.id || '/'))"},
	{"units", "u", "a unit's path is its office's and its own id",
		"LEFT JOIN offices o ON o.id = u.office_id",
		"o.id IS NULL OR u.scope_path <> o.scope_path || 'u-' || u.id || '/'"},
	{"users", "x", "a unit user has its unit's office and path, an office user its office's path",
		"LEFT JOIN units un ON un.id = x.unit_id LEFT JOIN offices o ON o.id = x.office_id",
		"(COALESCE(x.unit_id, '') <> '' AND (un.id IS NULL OR x.office_id <> un.office_id OR x.scope_path <> un.scope_path)) OR " +
			"(COALESCE(x.unit_id, '') = '' AND x.office_id <> 'platform' AND (o.id IS NULL OR x.scope_path <> o.scope_path)) OR " +
			"(x.office_id = 'platform' AND x.scope_path <> '/platform/')"},
	{"service_accounts", "x", "a service account has its office's path",
		"LEFT JOIN offices o ON o.id = x.office_id", "o.id IS NULL OR x.scope_path <> o.scope_path"},
	{"standards", "x", "a standard has its office's path",
		"LEFT JOIN offices o ON o.id = x.office_id", "o.id IS NULL OR x.scope_path <> o.scope_path"},
	{"campaigns", "x", "a campaign has its office's path",
		"LEFT JOIN offices o ON o.id = x.office_id", "o.id IS NULL OR x.scope_path <> o.scope_path"},
	{"title_records", "x", "a title has its unit's path",
		"LEFT JOIN units un ON un.id = x.unit_id", "un.id IS NULL OR x.scope_path <> un.scope_path"},
	{"negative_list_entries", "x", "a negative-list entry has its unit's path",
		"LEFT JOIN units un ON un.id = x.unit_id", "un.id IS NULL OR x.scope_path <> un.scope_path"},
	{"applications", "a", "an application has its unit's path and office, and its campaign's office as owner",
		"LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN campaigns c ON c.id = a.campaign_id",
		"un.id IS NULL OR c.id IS NULL OR a.scope_path <> un.scope_path OR a.unit_office_id <> un.office_id OR a.office_id <> c.office_id"},
	{"evidences", "x", "evidence has its application's owner and path",
		"LEFT JOIN applications a ON a.id = x.application_id", "a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path"},
	{"evidence_revisions", "x", "a revision has its application's owner and path, and its evidence is of that application",
		"LEFT JOIN applications a ON a.id = x.application_id LEFT JOIN evidences e ON e.id = x.evidence_id",
		"a.id IS NULL OR e.id IS NULL OR e.application_id <> x.application_id OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path"},
	{"evidence_files", "x", "a file has its application's owner, path, campaign and unit",
		"LEFT JOIN applications a ON a.id = x.application_id",
		"a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path OR x.campaign_id <> a.campaign_id OR x.unit_id <> a.unit_id"},
	{"deadline_extensions", "x", "an extension has its application's owner and path",
		"LEFT JOIN applications a ON a.id = x.application_id", "a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path"},
	{"veto_decisions", "x", "a veto decision has its application's owner and path",
		"LEFT JOIN applications a ON a.id = x.application_id", "a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path"},
	{"spot_checks", "x", "a spot check has its application's path",
		"LEFT JOIN applications a ON a.id = x.application_id", "a.id IS NULL OR x.scope_path <> a.scope_path"},
	{"results", "x", "a result has its application's owner, path, campaign and unit",
		"LEFT JOIN applications a ON a.id = x.id",
		"a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path OR x.campaign_id <> a.campaign_id OR x.unit_id <> a.unit_id"},
	{"assignments", "x", "a score sheet has its campaign's owner and path, and its application is of that campaign",
		"LEFT JOIN applications a ON a.id = x.application_id LEFT JOIN campaigns c ON c.id = x.campaign_id",
		"a.id IS NULL OR c.id IS NULL OR a.campaign_id <> x.campaign_id OR x.office_id <> c.office_id OR x.scope_path <> c.scope_path"},
	{"publicity_entries", "x", "a publicity line has its application's owner and path",
		"LEFT JOIN applications a ON a.id = x.application_id", "a.id IS NULL OR x.office_id <> a.office_id OR x.scope_path <> a.scope_path"},
}

// checkTenancy runs every tenancy rule: for each table, how many rows it holds and every
// row that disagrees with its owner, streamed from the database.
func checkTenancy(ctx context.Context, st *store.Store, report func(subject, problem string)) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, r := range tenancyRules {
		var n int64
		if err := st.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+r.table).Scan(&n); err != nil {
			return counts, fmt.Errorf("%s: %w", r.table, err)
		}
		counts[r.table] = n
		q := fmt.Sprintf("SELECT %[2]s.id FROM %[1]s %[2]s %[3]s WHERE %[4]s ORDER BY %[2]s.id", r.table, r.alias, r.join, r.where)
		rows, err := st.DB.QueryContext(ctx, q)
		if err != nil {
			return counts, fmt.Errorf("%s: %w", r.table, err)
		}
		subject := singular(r.table)
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return counts, err
			}
			report(subject+"/"+id, "disagrees with its owner: "+r.rule)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return counts, fmt.Errorf("%s: %w", r.table, err)
		}
	}
	return counts, nil
}

// singular is a table's name for one of its rows, as violations name them.
func singular(table string) string {
	switch {
	case table == "evidences":
		return "evidence"
	case table == "negative_list_entries", table == "publicity_entries":
		return strings.TrimSuffix(table, "ies") + "y"
	}
	return strings.TrimSuffix(table, "s")
}
