package evidencetest

import (
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Matrix sends every evidence route, on a draft application of a new unit of D1 with one saved item
// and one file, as every caller who must not read or change it: the sibling district,
// another province, another unit, a reviewer of another office; and the writes as those
// who only read (the district's viewer, the offices above). Each is refused, and none
// changes anything (the application's etag stays).
func Matrix(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	unit, token, app := NewUnit(t, e, tr, fx, "u4-admin", "西湖区第二中学", "12330106MB0054321")
	f := File(t, e, token, app, "m.png", PNG(7))
	etag := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+app, token, nil).GetEtag()
	item := itemPath(app, "1.1", "2026-04")
	draft := &evidencev1.EvidenceContent{FileIds: []string{f.GetId()}}
	e.User(t, tr.D2Admin, "/v1/offices/"+tr.D2+"/users", "d2-reviewer", authzv1.Role_ROLE_OFFICE_REVIEWER)
	d2Reviewer, _ := e.Login(t, "d2-reviewer", "d2-reviewer-password")

	type call struct {
		name, method, path string
		body               any
		write              bool
	}
	calls := []call{
		{"get application", "GET", "/v1/applications/" + app, nil, false},
		{"list unit applications", "GET", "/v1/units/" + unit + "/applications", nil, false},
		{"checklist", "GET", "/v1/applications/" + app + "/checklist", nil, false},
		{"list evidence", "GET", "/v1/applications/" + app + "/evidence", nil, false},
		{"get evidence", "GET", item, nil, false},
		{"list files", "GET", "/v1/applications/" + app + "/files", nil, false},
		{"get file", "GET", "/v1/files/" + f.GetId(), nil, false},
		{"download", "GET", "/v1/files/" + f.GetId() + "/content", nil, false},
		{"self-assess", "PATCH", "/v1/applications/" + app + "?updateMask=selfAssessment", &evidencev1.Application{Etag: etag,
			SelfAssessment: []*evidencev1.SelfAssessment{{IndicatorCode: "1.1", Points: "8.00"}}}, true},
		{"save draft", "PUT", item, draft, true},
		{"submit evidence", "POST", item + ":submit", "{}", true},
		{"submit application", "POST", "/v1/applications/" + app + ":submit", "{}", true},
		{"withdraw", "POST", "/v1/applications/" + app + ":withdraw", map[string]string{"reason": "x"}, true},
		{"upload", "PUT", "/v1/applications/" + app + "/files", PNG(8), true},
	}
	// The unit saves the item first, so reading it is a real read.
	apptest.Must(t, 200, Save(t, e, token, app, "1.1", "2026-04", draft))
	strangers := map[string]string{
		"sibling district": tr.D2Admin, "other province": tr.Prov2Admin, "other unit": tr.Unit1Admin, "unit of another district": tr.Unit2Admin, "reviewer of another office": d2Reviewer,
	}
	readers := map[string]string{"district viewer": tr.D1Viewer, "city admin": tr.CityAdmin, "province admin": tr.ProvAdmin, "district admin": tr.D1Admin}
	headers := apptest.Header{"Content-Type": "application/octet-stream", "X-File-Name": "m.png"}
	for _, c := range calls {
		for who, tok := range strangers {
			if r := e.Do(t, c.method, c.path, tok, c.body, headers); r.Code != 404 && !(c.write && r.Code == 403) {
				t.Errorf("%s by %s: %d %s", c.name, who, r.Code, r.Raw)
			}
		}
		for who, tok := range readers {
			r := e.Do(t, c.method, c.path, tok, c.body, headers)
			if c.write && r.Code != 403 {
				t.Errorf("%s by %s (a reader): %d %s", c.name, who, r.Code, r.Raw)
			}
			if !c.write && r.Code != 200 {
				t.Errorf("%s by %s: %d %s", c.name, who, r.Code, r.Raw)
			}
		}
	}
	// A campaign's list holds only what the caller may see.
	list := apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+fx.Second+"/applications", token, nil)
	for _, a := range list.GetApplications() {
		if a.GetUnitId() != unit {
			t.Errorf("unit 1 lists another unit's application %v", a)
		}
	}
	// The district filters its list by the units' category (all NewUnit units are schools).
	schools := apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+fx.Second+"/applications?unitCategory=UNIT_CATEGORY_SCHOOL", tr.D1Admin, nil)
	hospitals := apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+fx.Second+"/applications?unitCategory=UNIT_CATEGORY_HOSPITAL", tr.D1Admin, nil)
	if len(schools.GetApplications()) == 0 || len(hospitals.GetApplications()) != 0 {
		t.Errorf("by category: %d schools, %d hospitals", len(schools.GetApplications()), len(hospitals.GetApplications()))
	}
	if r := e.Do(t, "GET", "/v1/campaigns/"+fx.Second+"/applications", tr.D2Admin, nil); r.Code != 404 {
		t.Errorf("the sibling district listing D1's campaign: %d", r.Code)
	}
	if got := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+app, token, nil).GetEtag(); got != etag {
		t.Errorf("a refused call changed the application: etag %s → %s", etag, got)
	}
}
