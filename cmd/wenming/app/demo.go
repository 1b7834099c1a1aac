package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/standards/examples"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// demoSetting marks a database the demo data was loaded into, so a restart loads nothing.
const demoSetting = "demo_loaded"

// loadDemo fills an empty platform with a province, a city, a district and a unit, their
// admins, the example municipal standard (published by the city) and an open district
// campaign on it. It goes through the services' own handlers, so every rule and audit
// applies. The accounts' random passwords are written once to <data dir>/demo-accounts.
func (a *App) loadDemo(ctx context.Context, ten *tenancy.Server, std *standards.Server) error {
	sys := store.System(ctx)
	if _, err := a.st.Client.Setting.Get(sys, demoSetting); err == nil {
		return nil
	} else if !ent.IsNotFound(err) {
		return err
	}
	admin, err := a.st.Client.User.Query().Where(user.Platform(true)).First(sys)
	if err != nil {
		return fmt.Errorf("demo: no platform admin: %w", err)
	}
	as := func(officeID, path string, roles ...authzv1.Role) context.Context {
		return viewer.NewContext(ctx, &viewer.Viewer{Subject: admin.ID, Kind: viewer.KindUser, Login: "demo-loader",
			OfficeID: officeID, ScopePath: path, Roles: roles})
	}
	platform := as(admin.OfficeID, admin.ScopePath, authzv1.Role_ROLE_PLATFORM_ADMIN)
	var accounts []string
	mkUser := func(ctx context.Context, officeID, unitID, login, name string, role authzv1.Role) error {
		pw := auth.RandomToken(12)
		req := &tenancyv1.CreateUserRequest{Parent: &tenancyv1.CreateUserRequest_OfficeId{OfficeId: officeID}, User: &tenancyv1.User{
			Login: login, DisplayName: name, Password: pw, Roles: []authzv1.Role{role},
		}}
		if unitID != "" {
			req.Parent = &tenancyv1.CreateUserRequest_UnitId{UnitId: unitID}
		}
		if _, err := ten.CreateUser(ctx, req); err != nil {
			return fmt.Errorf("demo: user %s: %w", login, err)
		}
		accounts = append(accounts, fmt.Sprintf("%-16s %-28s %s", login, name, pw))
		return nil
	}
	office := func(ctx context.Context, parent, parentPath, name string, level tenancyv1.Level, region string) (string, string, error) {
		o, err := ten.CreateOffice(ctx, &tenancyv1.CreateOfficeRequest{Office: &tenancyv1.Office{
			ParentId: parent, DisplayName: name, Level: level, RegionCode: region,
		}})
		if err != nil {
			return "", "", fmt.Errorf("demo: office %s: %w", name, err)
		}
		return o.GetId(), viewer.OfficePath(parentPath, o.GetId()), nil
	}
	officeAdmin := authzv1.Role_ROLE_OFFICE_ADMIN

	prov, provPath, err := office(platform, "", "", "示例省文明办", tenancyv1.Level_LEVEL_PROVINCIAL, "330000")
	if err != nil {
		return err
	}
	if err := mkUser(platform, prov, "", "demo-province", "省文明办管理员", officeAdmin); err != nil {
		return err
	}
	city, cityPath, err := office(as(prov, provPath, officeAdmin), prov, provPath, "示例市文明办", tenancyv1.Level_LEVEL_MUNICIPAL, "330100")
	if err != nil {
		return err
	}
	if err := mkUser(as(prov, provPath, officeAdmin), city, "", "demo-city", "市文明办管理员", officeAdmin); err != nil {
		return err
	}
	asCity := as(city, cityPath, officeAdmin)
	district, districtPath, err := office(asCity, city, cityPath, "示例区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330106")
	if err != nil {
		return err
	}
	if err := mkUser(asCity, district, "", "demo-district", "区文明办管理员", officeAdmin); err != nil {
		return err
	}
	asDistrict := as(district, districtPath, officeAdmin)
	if err := mkUser(asDistrict, district, "", "demo-reviewer", "区文明办测评员", authzv1.Role_ROLE_OFFICE_REVIEWER); err != nil {
		return err
	}
	unit, err := ten.CreateUnit(asDistrict, &tenancyv1.CreateUnitRequest{OfficeId: district, Unit: &tenancyv1.Unit{
		DisplayName: "示例区图书馆", CreditCode: "12330106MB0000001D", Category: tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION,
	}})
	if err != nil {
		return fmt.Errorf("demo: unit: %w", err)
	}
	if err := mkUser(asDistrict, "", unit.GetId(), "demo-unit", "图书馆创建联络员", authzv1.Role_ROLE_UNIT_ADMIN); err != nil {
		return err
	}

	s, err := std.ImportStandard(asCity, &standardsv1.ImportStandardRequest{
		OfficeId: city, Format: standardsv1.StandardFormat_STANDARD_FORMAT_YAML, Content: examples.Municipal,
	})
	if err != nil {
		return fmt.Errorf("demo: example standard: %w", err)
	}
	if s, err = std.PublishStandard(asCity, &standardsv1.PublishStandardRequest{StandardId: s.GetId(), Etag: s.GetEtag()}); err != nil {
		return fmt.Errorf("demo: publish: %w", err)
	}
	now := time.Now()
	win := func(from, to int) *standardsv1.Window {
		day := 24 * time.Hour
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(time.Duration(from) * day)), EndTime: timestamppb.New(now.Add(time.Duration(to) * day))}
	}
	c, err := std.CreateCampaign(asDistrict, &standardsv1.CreateCampaignRequest{OfficeId: district, Campaign: &standardsv1.Campaign{
		StandardId: s.GetId(), Year: int32(now.Year()), TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT,
		DisplayName:       fmt.Sprintf("%d 年度示例区文明单位测评", now.Year()),
		ApplicationWindow: win(0, 30), SubmissionWindow: win(1, 60), ReviewWindow: win(61, 75), PublicityWindow: win(76, 83),
		Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Percent{Percent: 30}}, PassLine: "80.00",
		// The demo has one reviewer, so that its own accounts can take an application all
		// the way through review (a real office sets three or more).
		ReviewersPerApplication: 1,
	}})
	if err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	if _, err := std.TransitionCampaign(asDistrict, &standardsv1.TransitionCampaignRequest{
		CampaignId: c.GetId(), To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN,
	}); err != nil {
		return fmt.Errorf("demo: open the campaign: %w", err)
	}

	file := filepath.Join(a.cfg.DataDir, "demo-accounts")
	text := "# Wenming demo accounts (login, role, password). Read once, then delete this file.\n" + strings.Join(accounts, "\n") + "\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		return err
	}
	if err := a.st.Client.Setting.Create().SetID(demoSetting).SetValue([]byte(now.Format(time.RFC3339))).Exec(sys); err != nil {
		return err
	}
	fmt.Fprintf(a.cfg.Log, "loaded the demo: 示例省 → 示例市 → 示例区 and a unit, the example standard %q (published by the city) and an open district campaign; accounts and passwords are in %s\n",
		s.GetDisplayName(), file)
	return nil
}

var errDemoNeedsAll = errors.New("--demo needs the tenancy and standards services in this process")
