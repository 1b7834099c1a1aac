package reviewtest

import (
	"strconv"
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// row is the summary row of an office.
func row(s *reviewv1.OfficeSummary, office string) *reviewv1.OfficeCounts {
	for _, c := range s.GetChildren() {
		if c.GetOfficeId() == office {
			return c
		}
	}
	return nil
}

// Summary pulls summaries of the year Cycle reviewed: the city's, with the district's row;
// the province's, by its service account, with the best units and their office path; a
// conditional pull that is 304 until something changes; and never another tenant's.
// It runs after Cycle, on its final state: U3 vetoed at 101.00, U4 recommended at 55.50, U5
// recommended and U1 not, both at 42.80; U4 and U5 in the city's campaign.
func Summary(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	query := "/summary?year=" + strconv.Itoa(int(fx.Year)) + "&targetLevel=TITLE_LEVEL_DISTRICT"
	city := e.Do(t, "GET", "/v1/offices/"+tr.City+query, tr.CityAdmin, nil)
	sum := apptest.Decode[*reviewv1.OfficeSummary](t, apptest.Must(t, 200, city))
	d3 := row(sum, fx.Office)
	want := &reviewv1.OfficeCounts{OfficeId: fx.Office, DisplayName: d3.GetDisplayName(), Applied: 4, Submitted: 4, Scored: 4,
		Vetoed: 1, Recommended: 2, MeanTotal: "60.53", MedianTotal: "49.15"}
	if d3.String() != want.String() {
		t.Errorf("the district's row = %v\nwant %v", d3, want)
	}
	if row(sum, tr.D1) == nil || row(sum, tr.D2) == nil {
		t.Errorf("the city's summary lists %d children; every district has a row", len(sum.GetChildren()))
	}
	etag := city.Header.Get("ETag")
	if etag == "" || etag != sum.GetEtag() {
		t.Errorf("ETag header %q, body %q", etag, sum.GetEtag())
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.City+query, tr.CityAdmin, nil, apptest.Header{"If-None-Match": etag}); r.Code != 304 || len(r.Raw) != 0 || r.Header.Get("ETag") != etag {
		t.Errorf("a conditional pull with nothing changed: %d %q, ETag %q", r.Code, r.Raw, r.Header.Get("ETag"))
	}
	if level := apptest.Call[*reviewv1.OfficeSummary](t, e, "GET", "/v1/offices/"+tr.City+"/summary?year="+strconv.Itoa(int(fx.Year))+"&targetLevel=TITLE_LEVEL_MUNICIPAL", tr.CityAdmin, nil); row(level, fx.Office).GetApplied() != 2 || row(level, fx.Office).GetScored() != 0 {
		t.Errorf("the city campaign's row of the district: %v", row(level, fx.Office))
	}

	// The province pulls through its service account.
	sa := apptest.Call[*tenancyv1.ServiceAccount](t, e, "POST", "/v1/offices/"+tr.Province+"/service-accounts", tr.ProvAdmin, &tenancyv1.ServiceAccount{
		DisplayName: "省级汇总同步", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_VIEWER},
	})
	machine := apptest.Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/token", "", &tenancyv1.TokenRequest{
		GrantType: "client_credentials", ClientId: sa.GetClientId(), ClientSecret: sa.GetClientSecret(),
	}).GetAccessToken()
	prov := apptest.Call[*reviewv1.OfficeSummary](t, e, "GET", "/v1/offices/"+tr.Province+query+"&top=3", machine, nil)
	if c := row(prov, tr.City); c == nil || c.GetVetoed() < 1 || c.GetRecommended() < 2 {
		t.Errorf("the province's row of the city: %v", c)
	}
	if len(prov.GetTop()) != 3 {
		t.Fatalf("top = %v", prov.GetTop())
	}
	first := prov.GetTop()[0]
	path := first.GetOfficePathIds()
	if first.GetUnitId() != fx.Units["U3"] || first.GetTotal() != "101.00" || first.GetState() != "VETOED" ||
		len(path) != 3 || path[0] != tr.Province || path[1] != tr.City || path[2] != fx.Office || len(first.GetOfficePath()) != 3 {
		t.Errorf("the best unit = %v", first)
	}
	if prov.GetTop()[1].GetUnitId() != fx.Units["U4"] {
		t.Errorf("second = %v", prov.GetTop()[1])
	}

	// A spot check changes what the summary counts: the old ETag no longer matches.
	apptest.Call[*reviewv1.SpotCheck](t, e, "POST", "/v1/applications/"+fx.Apps["U5"]+"/spotChecks", tr.CityAdmin,
		&reviewv1.SpotCheck{IndicatorCode: "1.1", Period: fx.Period(), Finding: "活动记录与照片不符", Veto: true})
	r := e.Do(t, "GET", "/v1/offices/"+tr.City+query, tr.CityAdmin, nil, apptest.Header{"If-None-Match": etag})
	if r.Code != 200 || r.Header.Get("ETag") == etag {
		t.Fatalf("a conditional pull after a change: %d, ETag %q", r.Code, r.Header.Get("ETag"))
	}
	if d3 := row(apptest.Decode[*reviewv1.OfficeSummary](t, r), fx.Office); d3.GetMeanTotal() != "54.28" || d3.GetMedianTotal() != "49.15" {
		t.Errorf("after U5 lost 25.00: mean %s median %s, want 54.28 and 49.15", d3.GetMeanTotal(), d3.GetMedianTotal())
	}

	// Nobody reads a summary outside their subtree.
	for _, c := range []struct{ who, token, office string }{
		{"another province", tr.Prov2Admin, tr.Province}, {"a sibling district", tr.D2Admin, fx.Office},
		{"the district, of its city", fx.Admin, tr.City}, {"a unit", fx.UnitTokens["U1"], fx.Office},
	} {
		if r := e.Do(t, "GET", "/v1/offices/"+c.office+query, c.token, nil); r.Code != 404 && r.Code != 403 {
			t.Errorf("%s: %d %s", c.who, r.Code, r.Raw)
		}
	}
}
