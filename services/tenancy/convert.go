package tenancy

import (
	"encoding/json"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/negativelistentry"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/titles"
)

// levelRank orders office levels; a child's rank is strictly lower than its parent's.
var levelRank = map[office.Level]int{
	office.LevelDISTRICT: 1, office.LevelMUNICIPAL: 2, office.LevelPROVINCIAL: 3, office.LevelNATIONAL: 4,
}

func levelToProto(l office.Level) tenancyv1.Level {
	return tenancyv1.Level(tenancyv1.Level_value["LEVEL_"+string(l)])
}

func levelFromProto(l tenancyv1.Level) office.Level {
	return office.Level(strings.TrimPrefix(l.String(), "LEVEL_"))
}

// ancestors returns the office ids above the office at path, top first.
func ancestors(path, id string) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if p != "" && p != id {
			out = append(out, p)
		}
	}
	return out
}

func officeToProto(o *ent.Office) *tenancyv1.Office {
	return &tenancyv1.Office{
		Id: o.ID, ParentId: o.ParentID, DisplayName: o.DisplayName, Level: levelToProto(o.Level),
		RegionCode: o.RegionCode, TimeZone: o.TimeZone, AncestorIds: ancestors(o.ScopePath, o.ID),
		Etag: resource.Etag(o.Version), CreateTime: timestamppb.New(o.CreateTime), UpdateTime: timestamppb.New(o.UpdateTime),
	}
}

func unitToProto(u *ent.Unit) *tenancyv1.Unit {
	p := &tenancyv1.Unit{
		Id: u.ID, OfficeId: u.OfficeID, DisplayName: u.DisplayName, CreditCode: u.CreditCode,
		Category: tenancyv1.UnitCategory(tenancyv1.UnitCategory_value[u.Category]),
		Etag:     resource.Etag(u.Version), CreateTime: timestamppb.New(u.CreateTime), UpdateTime: timestamppb.New(u.UpdateTime),
	}
	// The title columns mirror the unit's current title record, in its values ("DISTRICT",
	// "NAMED"), so that later checks compare them with other tables' levels as they are.
	if u.TitleState != "" {
		p.Title = &tenancyv1.Title{
			Level: tenancyv1.Level(tenancyv1.Level_value["LEVEL_"+u.TitleLevel]), Model: u.TitleModel,
			State:   titleStateToProto(u.TitleState),
			InForce: titles.InForce(u.TitleState, u.TitleTermStart, u.TitleTermEnd, time.Now()),
		}
		if u.TitleTermStart != nil {
			p.Title.TermStart = timestamppb.New(*u.TitleTermStart)
		}
		if u.TitleTermEnd != nil {
			p.Title.TermEnd = timestamppb.New(*u.TitleTermEnd)
		}
	}
	return p
}

func titleStateToProto(s string) tenancyv1.TitleState {
	return tenancyv1.TitleState(tenancyv1.TitleState_value["TITLE_STATE_"+s])
}

func negativeEntryToProto(n *ent.NegativeListEntry) *tenancyv1.NegativeListEntry {
	p := &tenancyv1.NegativeListEntry{
		Id: n.ID, UnitId: n.UnitID, RecordedByOfficeId: n.OfficeID,
		Category:    tenancyv1.NegativeListCategory(tenancyv1.NegativeListCategory_value["NEGATIVE_LIST_CATEGORY_"+n.Category]),
		Description: n.Description, OccurredOn: n.OccurredOn.UTC().Format(time.DateOnly),
		Effect:         tenancyv1.NegativeListEffect(tenancyv1.NegativeListEffect_value["NEGATIVE_LIST_EFFECT_"+string(n.Effect)]),
		SourceDocument: n.SourceDocument, Annulled: n.AnnulTime != nil, AnnulReason: n.AnnulReason,
		Etag: resource.Etag(n.Version), CreateTime: timestamppb.New(n.CreateTime),
	}
	if n.Effect == negativelistentry.EffectDEDUCT {
		p.Points = scoring.Points(n.Points).String()
	}
	if n.AnnulTime != nil {
		p.AnnulTime = timestamppb.New(*n.AnnulTime)
	}
	return p
}

func rolesToProto(rs []string) []authzv1.Role {
	out := make([]authzv1.Role, 0, len(rs))
	for _, r := range rs {
		out = append(out, authzv1.Role(authzv1.Role_value[r]))
	}
	return out
}

func rolesToStrings(rs []authzv1.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

func userToProto(u *ent.User) *tenancyv1.User {
	p := &tenancyv1.User{
		Id: u.ID, Login: u.Login, DisplayName: u.DisplayName, UnitId: u.UnitID,
		Roles: rolesToProto(u.Roles), Disabled: u.Disabled, Etag: resource.Etag(u.Version),
		CreateTime: timestamppb.New(u.CreateTime), UpdateTime: timestamppb.New(u.UpdateTime),
	}
	if !u.Platform {
		p.OfficeId = u.OfficeID
	}
	return p
}

func serviceAccountToProto(s *ent.ServiceAccount) *tenancyv1.ServiceAccount {
	return &tenancyv1.ServiceAccount{
		Id: s.ID, OfficeId: s.OfficeID, DisplayName: s.DisplayName, ClientId: s.ClientID,
		Roles: rolesToProto(s.Roles), Disabled: s.Disabled, CreateTime: timestamppb.New(s.CreateTime),
	}
}

func auditToProto(e *ent.AuditEvent) *tenancyv1.AuditEvent {
	return &tenancyv1.AuditEvent{
		Id: e.ID, OfficeId: e.OfficeID, Sequence: e.Sequence, Actor: e.Actor, Action: e.Action,
		ResourceType: e.ResourceType, ResourceId: e.ResourceID, Before: toStruct(e.Before), After: toStruct(e.After),
		RequestId: e.RequestID, CreateTime: timestamppb.New(e.CreateTime), Hash: e.Hash, PrevHash: e.PrevHash,
	}
}

func toStruct(s string) *structpb.Struct {
	if s == "" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	st, err := structpb.NewStruct(m)
	if err != nil {
		return nil
	}
	return st
}
