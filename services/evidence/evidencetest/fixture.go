package evidencetest

import (
	"bytes"
	"image"
	"image/png"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Shanghai is the offices' time zone.
var Shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// Clock is the evidence service's clock in a test: a fixed day that the test may move.
type Clock struct{ t atomic.Int64 }

// NewClock returns a clock at 2026-04-15 10:00 in Shanghai: the windows of January and
// February have closed, March's (due on the 20th of April) is open, April's has begun.
func NewClock() *Clock {
	c := &Clock{}
	c.Set(time.Date(2026, 4, 15, 10, 0, 0, 0, Shanghai))
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.t.Load()) }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.t.Store(t.UnixNano()) }

// Configure makes a process use the clock, and small file limits the suites test.
func (c *Clock) Configure(cfg *app.Config) {
	cfg.Clock = c.Now
	cfg.MaxFileBytes = MaxFileBytes
}

// MaxFileBytes is the per-file limit of a test process.
const MaxFileBytes = 1 << 20

// Fixture is a published standard and campaigns on it that the suites apply to.
type Fixture struct {
	Standard string
	// Year is the campaigns' year.
	Year int32
	// District is D1's OPEN campaign for district titles (none required).
	District string
	// Second is another OPEN campaign of D1, for the suites that need one still open after
	// Lifecycle moved District on.
	Second string
	// City is the City's OPEN campaign for municipal titles (a district title required).
	City string
}

// Indicators is the suites' standard: a monthly indicator wanting a photo, an annual
// measured one wanting a PDF, an annual one wanting only a short narrative, a quarterly
// one, a bonus and a veto.
func Indicators() []*standardsv1.Indicator {
	return []*standardsv1.Indicator{
		{Code: "1", Title: "基础工作", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "60.00"},
		{Code: "1.1", ParentCode: "1", Title: "志愿服务活动", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "10.00",
			EvidenceSpec: &standardsv1.EvidenceSpec{FileTypes: []string{"jpg", "png", "pdf"}, MinPhotos: 1, Cadence: standardsv1.Cadence_CADENCE_MONTHLY, DueDay: 20}},
		{Code: "1.2", ParentCode: "1", Title: "道德规范知晓率", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD, MaxPoints: "20.00", Target: "85.00",
			EvidenceSpec: &standardsv1.EvidenceSpec{FileTypes: []string{"pdf"}, MinFiles: 1}},
		{Code: "1.3", ParentCode: "1", Title: "文明宣传", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GRADE, MaxPoints: "30.00",
			EvidenceSpec: &standardsv1.EvidenceSpec{NarrativeMaxChars: 10}},
		{Code: "2", Title: "工作业绩", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "40.00"},
		{Code: "2.1", ParentCode: "2", Title: "群众满意度", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "40.00",
			EvidenceSpec: &standardsv1.EvidenceSpec{Cadence: standardsv1.Cadence_CADENCE_QUARTERLY, DueDay: 10}},
		{Code: "3", Title: "加分项", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "5.00"},
		{Code: "5", Title: "重大安全责任事故", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_VETO},
	}
}

// Setup publishes the City's standard and opens a campaign of D1 and one of the City on it,
// for the year.
func Setup(t *testing.T, e *apptest.Env, tr *apptest.Tree, year int32) *Fixture {
	t.Helper()
	std := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.City+"/standards", tr.CityAdmin, &standardsv1.Standard{
		Code: "HZ-WMDW", DisplayName: "杭州市文明单位测评细则", BasePoints: "100.00", BonusCap: "5.00", Indicators: Indicators(),
	})
	apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/standards/"+std.GetId()+":publish", tr.CityAdmin,
		&standardsv1.PublishStandardRequest{Etag: std.GetEtag()})
	fx := &Fixture{Standard: std.GetId(), Year: year}
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	window := func(start, end time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(start)), EndTime: timestamppb.New(now.Add(end))}
	}
	open := func(office, token string, level standardsv1.TitleLevel) string {
		c := apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/offices/"+office+"/campaigns", token, &standardsv1.Campaign{
			StandardId: std.GetId(), Year: year, TargetLevel: level, DisplayName: "2026 年度文明单位测评",
			ApplicationWindow: window(-time.Hour, 10*day), SubmissionWindow: window(day, 20*day),
			ReviewWindow: window(21*day, 30*day), PublicityWindow: window(31*day, 38*day),
			Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Percent{Percent: 30}},
		})
		apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+c.GetId()+":transition", token,
			&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN})
		return c.GetId()
	}
	fx.District = open(tr.D1, tr.D1Admin, standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT)
	fx.Second = open(tr.D1, tr.D1Admin, standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT)
	fx.City = open(tr.City, tr.CityAdmin, standardsv1.TitleLevel_TITLE_LEVEL_MUNICIPAL)
	return fx
}

// ToSubmission forces a campaign into SUBMISSION, as its office may with a reason.
func ToSubmission(t *testing.T, e *apptest.Env, token, campaign string) {
	t.Helper()
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+campaign+":transition", token,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_SUBMISSION, Force: true, Reason: "测试：提前进入材料报送阶段"})
}

// PNG is a small valid PNG image; seed makes different images.
func PNG(seed byte) []byte {
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PDF is a small PDF document.
func PDF(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}
