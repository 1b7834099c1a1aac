package tenancytest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// recorded fails the test unless the office's audit chain records action on each id.
func recorded(t *testing.T, e *apptest.Env, officeID, action string, ids ...string) {
	t.Helper()
	var got []string
	for _, ev := range chainOf(t, e, officeID) {
		if ev.Action == action {
			got = append(got, ev.ResourceID)
		}
	}
	for _, id := range ids {
		if !slices.Contains(got, id) {
			t.Errorf("no %s of %s in the chain of %s (it has %v)", action, id, officeID, got)
		}
	}
}

// violations returns the descriptions of an error response's field violations.
func violations(t *testing.T, r apptest.Resp) []string {
	t.Helper()
	var out []string
	for _, d := range r.Status(t).GetDetails() {
		br := &errdetails.BadRequest{}
		if d.MessageIs(br) {
			if err := d.UnmarshalTo(br); err != nil {
				t.Fatal(err)
			}
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetDescription())
			}
		}
	}
	return out
}

// officeUser creates a user of office with role as its admin, and returns its token.
func officeUser(t *testing.T, e *apptest.Env, adminToken, office, login string, role authzv1.Role) string {
	t.Helper()
	e.User(t, adminToken, "/v1/offices/"+office+"/users", login, role)
	tok, _ := e.Login(t, login, login+"-password")
	return tok
}

// refused is a call the suites expect an answer other than 200 to.
type refused struct {
	name, token string
	want        int
}

// wantRefused sends method path with body as each caller and checks the answer.
func wantRefused(t *testing.T, e *apptest.Env, method, path string, body any, calls []refused, headers ...apptest.Header) {
	t.Helper()
	for _, c := range calls {
		if r := e.Do(t, method, path, c.token, body, headers...); r.Code != c.want {
			t.Errorf("%s: %s %s = %d, want %d: %s", c.name, method, path, r.Code, c.want, r.Raw)
		}
	}
}

func day(s string) *timestamppb.Timestamp {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return timestamppb.New(d)
}

// Titles checks a unit's title history: who records a title, which one is current, what
// the unit mirrors, and who reads the history.
func Titles(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	path := "/v1/units/" + tr.Unit1 + "/titles"
	unit := func() *tenancyv1.Unit {
		return apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit1, tr.Unit1Admin, nil)
	}
	before := unit()
	if before.GetTitle() != nil {
		t.Fatalf("a new unit holds a title: %v", before)
	}
	// The district records the title it named in 2021.
	d := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", path, tr.D1Admin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day("2021-01-01"), TermEnd: day("2023-12-31"),
		DocumentNumber: " 西湖文明委〔2021〕3号 ", State: tenancyv1.TitleState_TITLE_STATE_REVOKED, Source: tenancyv1.TitleSource_TITLE_SOURCE_NAMED,
	})
	if d.GetSource() != tenancyv1.TitleSource_TITLE_SOURCE_RECORDED || d.GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED ||
		!d.GetCurrent() || d.GetOfficeId() != tr.D1 || d.GetUnitId() != tr.Unit1 || d.GetDocumentNumber() != "西湖文明委〔2021〕3号" {
		t.Errorf("recorded title = %v", d)
	}
	if h := d.GetHistory(); len(h) != 1 || h[0].GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED || h[0].GetReason() != "recorded" ||
		!strings.HasSuffix(h[0].GetActor(), ":d1-admin") || h[0].GetTime() == nil {
		t.Errorf("history = %v", h)
	}
	after := unit()
	if ti := after.GetTitle(); ti.GetLevel() != tenancyv1.Level_LEVEL_DISTRICT || ti.GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED ||
		!ti.GetTermStart().AsTime().Equal(d.GetTermStart().AsTime()) || !ti.GetTermEnd().AsTime().Equal(d.GetTermEnd().AsTime()) {
		t.Errorf("unit title = %v, want the district's", ti)
	}
	if after.GetEtag() == before.GetEtag() {
		t.Errorf("the unit's etag did not move with its title")
	}
	// The city records a later title: it becomes current, and the unit mirrors it.
	c := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", path, tr.CityAdmin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_MUNICIPAL, TermStart: day("2024-01-01"), DocumentNumber: "杭文明委〔2024〕1号",
	})
	if !c.GetCurrent() || c.GetOfficeId() != tr.City || c.GetTermEnd() != nil {
		t.Errorf("city title = %v", c)
	}
	mirrored := unit()
	if ti := mirrored.GetTitle(); ti.GetLevel() != tenancyv1.Level_LEVEL_MUNICIPAL || ti.GetTermEnd() != nil {
		t.Errorf("unit title = %v, want the city's without an end", ti)
	}
	// An older title joins the history; the unit does not move.
	p := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", path, tr.ProvAdmin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_PROVINCIAL, TermStart: day("2019-01-01"), TermEnd: day("2020-12-31"), DocumentNumber: "浙文明委〔2019〕5号",
	})
	if p.GetCurrent() {
		t.Errorf("an older title became current: %v", p)
	}
	if u := unit(); u.GetEtag() != mirrored.GetEtag() || u.GetTitle().GetLevel() != tenancyv1.Level_LEVEL_MUNICIPAL {
		t.Errorf("an older title changed the unit: %v", u)
	}
	// A title starting with the current one is the later record: it becomes current.
	tie := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", path, tr.CityAdmin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_MUNICIPAL, Model: true, TermStart: day("2024-01-01"), DocumentNumber: "杭文明委〔2024〕2号",
	})
	if !tie.GetCurrent() || !unit().GetTitle().GetModel() {
		t.Errorf("the tie did not become current: %v", tie)
	}
	// The unit's users, its office and the offices above read the history, current first.
	want := []string{tie.GetId(), c.GetId(), d.GetId(), p.GetId()}
	for name, tok := range map[string]string{"unit submitter": tr.Unit1Submitter, "own viewer": tr.D1Viewer, "province": tr.ProvAdmin} {
		var ids []string
		for i, ti := range apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", path, tok, nil).GetTitles() {
			ids = append(ids, ti.GetId())
			if ti.GetCurrent() != (i == 0) {
				t.Errorf("%s: title %d current = %v", name, i, ti.GetCurrent())
			}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: titles %v, want %v", name, ids, want)
		}
	}
	// Invalid titles are refused, naming the field.
	for name, c := range map[string]struct {
		token string
		title *tenancyv1.TitleRecord
		field string
	}{
		"no level":           {tr.D1Admin, &tenancyv1.TitleRecord{TermStart: day("2022-01-01"), DocumentNumber: "x"}, "title.level"},
		"above the office":   {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_PROVINCIAL, TermStart: day("2022-01-01"), DocumentNumber: "x"}, "title.level"},
		"no term start":      {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, DocumentNumber: "x"}, "title.term_start"},
		"end before start":   {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day("2022-01-01"), TermEnd: day("2021-01-01"), DocumentNumber: "x"}, "title.term_end"},
		"no document":        {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day("2022-01-01")}, "title.document_number"},
		"long document":      {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day("2022-01-01"), DocumentNumber: strings.Repeat("号", 201)}, "title.document_number"},
		"undefined level":    {tr.D1Admin, &tenancyv1.TitleRecord{Level: 9, TermStart: day("2022-01-01"), DocumentNumber: "x"}, "title.level"},
		"city above its own": {tr.CityAdmin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_NATIONAL, TermStart: day("2022-01-01"), DocumentNumber: "x"}, "title.level"},
		"not begun yet":      {tr.D1Admin, &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: timestamppb.New(time.Now().Add(48 * time.Hour)), DocumentNumber: "x"}, "title.term_start"},
	} {
		if r := e.Do(t, "POST", path, c.token, c.title); r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("%s: %d %s, want 400 on %s", name, r.Code, r.Raw, c.field)
		}
	}
	// Only office admins of the unit's line record; other tenants do not see the unit.
	reviewer := officeUser(t, e, tr.D1Admin, tr.D1, "d1-title-reviewer", authzv1.Role_ROLE_OFFICE_REVIEWER)
	ok := &tenancyv1.TitleRecord{Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day("2025-01-01"), DocumentNumber: "x"}
	wantRefused(t, e, "POST", path, ok, []refused{
		{"unit admin", tr.Unit1Admin, 403}, {"unit submitter", tr.Unit1Submitter, 403},
		{"viewer", tr.D1Viewer, 403}, {"reviewer", reviewer, 403}, {"platform admin", tr.Platform, 403},
		{"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"anonymous", "", 401},
	})
	wantRefused(t, e, "POST", "/v1/units/"+tr.Unit2+"/titles", ok, []refused{{"sibling district's unit", tr.D1Admin, 404}})
	wantRefused(t, e, "GET", path, nil, []refused{
		{"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"other unit", tr.Unit2Admin, 404},
	})
	wantRefused(t, e, "GET", "/v1/units/"+tr.Unit2+"/titles", nil, []refused{{"a unit reading a sibling unit", tr.Unit1Admin, 404}})
	if got := len(apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", path, tr.D1Admin, nil).GetTitles()); got != len(want) {
		t.Errorf("%d titles after the refused calls, want %d", got, len(want))
	}
	// Each record is in the recording office's chain.
	recorded(t, e, tr.D1, "title.record", d.GetId())
	recorded(t, e, tr.City, "title.record", c.GetId(), tie.GetId())
	recorded(t, e, tr.Province, "title.record", p.GetId())
}

// NegativeList checks the negative list: what an entry needs, the order and pages of the
// list, who reads and records, who annuls, and that entries stay.
func NegativeList(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	path := "/v1/units/" + tr.Unit1 + "/negative-list-entries"
	shanghai := time.FixedZone("CST", 8*60*60)
	today := time.Now().In(shanghai).Format(time.DateOnly)
	tomorrow := time.Now().In(shanghai).AddDate(0, 0, 1).Format(time.DateOnly)
	entry := func(occurred string, effect tenancyv1.NegativeListEffect, points string) *tenancyv1.NegativeListEntry {
		return &tenancyv1.NegativeListEntry{
			Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_MAJOR_ACCIDENT, Description: "仓库发生火灾，一人受伤",
			OccurredOn: occurred, Effect: effect, Points: points, SourceDocument: "西湖应急〔2024〕12号",
		}
	}
	const (
		deduct     = tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DEDUCT
		disqualify = tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DISQUALIFY
	)
	create := func(token string, n *tenancyv1.NegativeListEntry) *tenancyv1.NegativeListEntry {
		t.Helper()
		return apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", path, token, n)
	}
	fire := create(tr.D1Admin, entry("2024-05-10", deduct, "2.5"))
	if fire.GetPoints() != "2.50" || fire.GetRecordedByOfficeId() != tr.D1 || fire.GetUnitId() != tr.Unit1 || fire.GetAnnulled() ||
		fire.GetOccurredOn() != "2024-05-10" || fire.GetCategory() != tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_MAJOR_ACCIDENT {
		t.Errorf("entry = %v", fire)
	}
	crime := create(tr.CityAdmin, entry(today, disqualify, ""))
	if crime.GetPoints() != "" || crime.GetRecordedByOfficeId() != tr.City || crime.GetEffect() != disqualify {
		t.Errorf("entry = %v", crime)
	}
	older := create(tr.D1Admin, entry("2023-01-02", deduct, "100"))
	sameDay := create(tr.ProvAdmin, entry("2024-05-10", disqualify, ""))
	// Invalid entries are refused, naming the field.
	for name, c := range map[string]struct {
		change func(n *tenancyv1.NegativeListEntry)
		field  string
	}{
		"deduct without points":  {func(n *tenancyv1.NegativeListEntry) { n.Points = "" }, "entry.points"},
		"disqualify with points": {func(n *tenancyv1.NegativeListEntry) { n.Effect = disqualify }, "entry.points"},
		"zero points":            {func(n *tenancyv1.NegativeListEntry) { n.Points = "0" }, "entry.points"},
		"over 100 points":        {func(n *tenancyv1.NegativeListEntry) { n.Points = "100.01" }, "entry.points"},
		"three decimal places":   {func(n *tenancyv1.NegativeListEntry) { n.Points = "1.234" }, "entry.points"},
		"negative points":        {func(n *tenancyv1.NegativeListEntry) { n.Points = "-1" }, "entry.points"},
		"hexadecimal points":     {func(n *tenancyv1.NegativeListEntry) { n.Points = "0x10" }, "entry.points"},
		"future":                 {func(n *tenancyv1.NegativeListEntry) { n.OccurredOn = tomorrow }, "entry.occurred_on"},
		"no such day":            {func(n *tenancyv1.NegativeListEntry) { n.OccurredOn = "2023-02-30" }, "entry.occurred_on"},
		"not a day":              {func(n *tenancyv1.NegativeListEntry) { n.OccurredOn = "10/05/2024" }, "entry.occurred_on"},
		"before 2000":            {func(n *tenancyv1.NegativeListEntry) { n.OccurredOn = "1999-12-31" }, "entry.occurred_on"},
		"no day":                 {func(n *tenancyv1.NegativeListEntry) { n.OccurredOn = "" }, "entry.occurred_on"},
		"no category":            {func(n *tenancyv1.NegativeListEntry) { n.Category = 0 }, "entry.category"},
		"no effect":              {func(n *tenancyv1.NegativeListEntry) { n.Effect = 0 }, "entry.effect"},
		"no description":         {func(n *tenancyv1.NegativeListEntry) { n.Description = "" }, "entry.description"},
		"no source document":     {func(n *tenancyv1.NegativeListEntry) { n.SourceDocument = "" }, "entry.source_document"},
	} {
		n := entry("2024-05-10", deduct, "2.00")
		c.change(n)
		if r := e.Do(t, "POST", path, tr.D1Admin, n); r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("%s: %d %s, want 400 on %s", name, r.Code, r.Raw, c.field)
		}
	}
	// Newest event first, the later record first on one day; the unit's users and the
	// offices in its line read the list, page by page alike.
	want := []string{crime.GetId(), sameDay.GetId(), fire.GetId(), older.GetId()}
	list := func(token, query string) *tenancyv1.ListNegativeListEntriesResponse {
		t.Helper()
		return apptest.Call[*tenancyv1.ListNegativeListEntriesResponse](t, e, "GET", path+query, token, nil)
	}
	for name, tok := range map[string]string{"unit submitter": tr.Unit1Submitter, "own viewer": tr.D1Viewer, "province": tr.ProvAdmin} {
		var ids []string
		for _, n := range list(tok, "").GetEntries() {
			ids = append(ids, n.GetId())
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: entries %v, want %v", name, ids, want)
		}
	}
	var paged []string
	for token := ""; ; {
		page := list(tr.Unit1Admin, "?pageSize=1&pageToken="+token)
		for _, n := range page.GetEntries() {
			paged = append(paged, n.GetId())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
		// A token is bound to its unit.
		if r := e.Do(t, "GET", "/v1/units/"+tr.Unit2+"/negative-list-entries?pageSize=1&pageToken="+token, tr.CityAdmin, nil); r.Code != 400 || r.Field(t) != "page_token" {
			t.Errorf("token of another unit: %d %s", r.Code, r.Raw)
		}
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages %v, want %v", paged, want)
	}
	// Other tenants and sibling units do not see the list; only office admins of the unit's
	// line record.
	wantRefused(t, e, "GET", path, nil, []refused{
		{"sibling unit", tr.Unit2Admin, 404}, {"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404},
	})
	wantRefused(t, e, "GET", "/v1/units/"+tr.Unit2+"/negative-list-entries", nil, []refused{{"a unit reading a sibling unit", tr.Unit1Submitter, 404}})
	reviewer := officeUser(t, e, tr.D1Admin, tr.D1, "d1-list-reviewer", authzv1.Role_ROLE_OFFICE_REVIEWER)
	wantRefused(t, e, "POST", path, entry("2024-05-11", deduct, "1"), []refused{
		{"unit admin", tr.Unit1Admin, 403}, {"unit submitter", tr.Unit1Submitter, 403},
		{"viewer", tr.D1Viewer, 403}, {"reviewer", reviewer, 403}, {"platform admin", tr.Platform, 403},
		{"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"anonymous", "", 401},
	})
	// Only the recording office annuls: the offices that read the entry are refused, the
	// others do not see it.
	annul := func(id string) string { return "/v1/negative-list-entries/" + id + ":annul" }
	body := &tenancyv1.AnnulNegativeListEntryRequest{Reason: "经复核，该事件不属于本单位责任"}
	wantRefused(t, e, "POST", annul(crime.GetId()), body, []refused{
		{"the unit's office", tr.D1Admin, 403}, {"an office above", tr.ProvAdmin, 403}, {"viewer", tr.D1Viewer, 403},
		{"unit admin", tr.Unit1Admin, 403}, {"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404},
	})
	if r := e.Do(t, "POST", annul(crime.GetId()), tr.CityAdmin, &tenancyv1.AnnulNegativeListEntryRequest{Reason: ""}); r.Code != 400 || r.Field(t) != "reason" {
		t.Errorf("annul without a reason: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", annul(crime.GetId()), tr.CityAdmin, &tenancyv1.AnnulNegativeListEntryRequest{Reason: "x", Etag: "99"}); r.Code != 409 {
		t.Errorf("annul with a stale etag: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", annul("01a00000-0000-7000-8000-000000000000"), tr.CityAdmin, body); r.Code != 404 {
		t.Errorf("annul of a missing entry: %d %s", r.Code, r.Raw)
	}
	done := apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", annul(crime.GetId()), tr.CityAdmin,
		&tenancyv1.AnnulNegativeListEntryRequest{Reason: body.GetReason(), Etag: crime.GetEtag()})
	if !done.GetAnnulled() || done.GetAnnulReason() != body.GetReason() || done.GetAnnulTime() == nil || done.GetEtag() == crime.GetEtag() {
		t.Errorf("annulled = %v", done)
	}
	r := e.Do(t, "POST", annul(crime.GetId()), tr.CityAdmin, body)
	if r.Code != 400 || r.Reason(t) != "NEGATIVE_LIST_ENTRY_ANNULLED" {
		t.Errorf("annulled twice: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", annul(fire.GetId()), tr.D1Admin, body) // no etag: not checked
	// Annulled entries stay listed, marked, and no entry can be deleted.
	var annulled []string
	for _, n := range list(tr.Unit1Submitter, "").GetEntries() {
		if n.GetAnnulled() {
			annulled = append(annulled, n.GetId())
		}
	}
	if !slices.Equal(annulled, []string{crime.GetId(), fire.GetId()}) {
		t.Errorf("annulled entries %v", annulled)
	}
	if err := e.App.Store().Client.NegativeListEntry.DeleteOneID(older.GetId()).Exec(store.System(context.Background())); err == nil {
		t.Errorf("an entry was deleted")
	}
	recorded(t, e, tr.D1, "negative_list.create", fire.GetId(), older.GetId())
	recorded(t, e, tr.D1, "negative_list.annul", fire.GetId())
	recorded(t, e, tr.City, "negative_list.create", crime.GetId())
	recorded(t, e, tr.City, "negative_list.annul", crime.GetId())
	recorded(t, e, tr.Province, "negative_list.create", sameDay.GetId())
}
