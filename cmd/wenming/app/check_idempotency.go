package app

import (
	"context"
	"fmt"
	"strings"

	entdialect "entgo.io/ent/dialect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/idempotencyrecord"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// createdIn names the table that holds each resource a create with an Idempotency-Key
// answers with: the record's stored response names the row by its id.
var createdIn = map[protoreflect.FullName]string{}

func init() {
	for m, table := range map[proto.Message]string{
		&tenancyv1.Office{}: "offices", &tenancyv1.Unit{}: "units", &tenancyv1.User{}: "users",
		&tenancyv1.ServiceAccount{}: "service_accounts", &tenancyv1.TitleRecord{}: "title_records",
		&tenancyv1.NegativeListEntry{}: "negative_list_entries",
		&standardsv1.Standard{}:        "standards", &standardsv1.Campaign{}: "campaigns",
		&evidencev1.Application{}: "applications", &evidencev1.Evidence{}: "evidences", &evidencev1.File{}: "evidence_files",
		&reviewv1.Conflict{}: "conflicts", &reviewv1.SpotCheck{}: "spot_checks", &reviewv1.Objection{}: "objections",
		&notifyv1.Webhook{}: "webhooks",
	} {
		createdIn[m.ProtoReflect().Descriptor().FullName()] = table
	}
}

// checkIdempotency checks that every idempotency record whose create committed and stored
// its response names a row that exists: a retry replays that response, so a record
// pointing at nothing would answer a retry with a resource that is gone (docs/architecture.md).
// A record without a response (its create's answer was lost, or committed moments ago)
// names nothing and is counted as such, as is one whose response is not a single resource
// (an import).
func checkIdempotency(ctx context.Context, st *store.Store, report func(subject, problem string)) (map[string]int64, error) {
	counts := map[string]int64{"records": 0, "resources": 0, "without_response": 0, "not_a_resource": 0}
	last := ""
	for {
		recs, err := st.Client.IdempotencyRecord.Query().Where(idempotencyrecord.IDGT(last)).
			Order(ent.Asc(idempotencyrecord.FieldID)).Limit(500).All(ctx)
		if err != nil || len(recs) == 0 {
			return counts, err
		}
		for _, r := range recs {
			counts["records"]++
			if len(r.Response) == 0 {
				counts["without_response"]++
				continue
			}
			table, id, err := createdBy(r)
			if err != nil {
				report("idempotency_record/"+r.ID, err.Error())
				continue
			}
			if table == "" {
				counts["not_a_resource"]++
				continue
			}
			counts["resources"]++
			var n int
			if err := st.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = "+placeholder(st.Dialect, 1), id).Scan(&n); err != nil {
				return counts, err
			}
			if n == 0 {
				report("idempotency_record/"+r.ID, fmt.Sprintf("%s answered with %s %s, which has no row", r.Method, singular(table), id))
			}
		}
		last = recs[len(recs)-1].ID
	}
}

// createdBy decodes record r's response and returns the table and id of the resource it
// names; an empty table when the response is not one of createdIn's resources.
func createdBy(r *ent.IdempotencyRecord) (table, id string, err error) {
	svc, method, _ := strings.Cut(strings.TrimPrefix(r.Method, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return "", "", fmt.Errorf("names method %s of no known service", r.Method)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok || sd.Methods().ByName(protoreflect.Name(method)) == nil {
		return "", "", fmt.Errorf("names method %s, which does not exist", r.Method)
	}
	out := sd.Methods().ByName(protoreflect.Name(method)).Output()
	table = createdIn[out.FullName()]
	if table == "" {
		return "", "", nil
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(out.FullName())
	if err != nil {
		return "", "", err
	}
	m := mt.New()
	if err := proto.Unmarshal(r.Response, m.Interface()); err != nil {
		return "", "", fmt.Errorf("its stored response does not decode as %s: %v", out.FullName(), err)
	}
	f := out.Fields().ByName("id")
	if f == nil || m.Get(f).String() == "" {
		return "", "", fmt.Errorf("its stored %s names no id", out.FullName())
	}
	return table, m.Get(f).String(), nil
}

// placeholder is the n-th query parameter in dialect's SQL.
func placeholder(dialect string, n int) string {
	if dialect == entdialect.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}
