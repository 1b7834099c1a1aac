package review

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/objection"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/ent/publicityentry"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Limits of the public endpoints (docs/publicity.md): objections per client address and
// per campaign, and reads of a list per client address.
const (
	objectionsPerAddress  = 5
	objectionsPerBlock    = 20 // per IPv6 /48, the block one site holds
	objectionsPerCampaign = 300
	objectionWindow       = time.Hour
	publicReadsPerAddress = 300
	publicReadWindow      = time.Minute
)

// publish writes a campaign's publicity list as it moves to PUBLICITY: its RECOMMENDED
// applications in ranking order, numbered from 1, each with the campaign-wide rank and the
// total it had at the move. The list is a copy: a later rescore changes no published line.
func publish(ctx context.Context, w *mutate.Writer, tx *ent.Tx, c *ent.Campaign) error {
	sys := store.System(ctx)
	if err := w.Lock(ctx, tx, c.OfficeID); err != nil {
		return err
	}
	rows, err := tx.Result.Query().Where(result.CampaignID(c.ID)).Order(ent.Asc(result.FieldSortKey)).
		Select(result.FieldID, result.FieldState, result.FieldUnitID, result.FieldUnitDisplayName, result.FieldUnitOfficeID,
			result.FieldUnitCategory, result.FieldTotal, result.FieldScopePath).All(sys)
	if err != nil {
		return err
	}
	names, err := officeNames(sys, tx.Client(), c.ScopePath)
	if err != nil {
		return err
	}
	out := &reviewv1.Publicity{CampaignId: c.ID}
	number := 0
	for i, r := range rows {
		if r.State != string(application.StateRECOMMENDED) {
			continue
		}
		number++
		_, err := tx.PublicityEntry.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(r.ScopePath).
			SetCampaignID(c.ID).SetApplicationID(r.ID).SetUnitID(r.UnitID).SetUnitDisplayName(r.UnitDisplayName).
			SetUnitOfficeID(r.UnitOfficeID).SetUnitOfficeName(names[r.UnitOfficeID]).SetUnitCategory(r.UnitCategory).
			SetTotal(r.Total).SetRank(i + 1).SetNumber(number).Save(sys)
		if err != nil {
			return err
		}
		out.Lines = append(out.Lines, &reviewv1.PublicityLine{Number: int32(number), UnitId: r.UnitID, UnitDisplayName: r.UnitDisplayName,
			OfficeDisplayName: names[r.UnitOfficeID], UnitCategory: r.UnitCategory, Total: scoring.Points(r.Total).String(), Rank: int32(i + 1)})
	}
	return w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: c.ScopePath, Action: "publicity.publish",
		ResourceType: "campaign", ResourceID: c.ID, After: out})
}

// officeNames maps the offices of a subtree to their names.
func officeNames(sys context.Context, db *ent.Client, scope string) (map[string]string, error) {
	os, err := db.Office.Query().Where(office.ScopePathHasPrefix(scope)).Select(office.FieldID, office.FieldDisplayName).All(sys)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(os))
	for _, o := range os {
		names[o.ID] = o.DisplayName
	}
	return names, nil
}

// errNoPublicity answers every public request about a campaign whose list is not published
// now, exactly as for a campaign that does not exist: the public learns nothing of
// campaigns in other phases, not even that they exist.
var errNoPublicity = errs.NotFound("publicity list")

// publicCampaign reads the campaign id names for the public endpoints: one in PUBLICITY
// whose publicity window has not ended (it began when the campaign moved, which the window
// allows unless forced). Read as the system: the public has no viewer.
func (s *Server) publicCampaign(ctx context.Context, db *ent.Client, id string) (*ent.Campaign, error) {
	c, err := db.Campaign.Get(store.System(ctx), id)
	switch {
	case ent.IsNotFound(err):
		return nil, errNoPublicity
	case err != nil:
		return nil, err
	case c.Kind != campaign.KindSELECTION || c.State != campaign.StatePUBLICITY || (c.PublicityEnd != nil && !s.now().Before(*c.PublicityEnd)):
		return nil, errNoPublicity
	}
	return c, nil
}

// limitPublic counts a public request against key and refuses it beyond limit.
func (s *Server) limitPublic(ctx context.Context, key string, limit int64, per time.Duration) error {
	if s.limits == nil {
		return nil
	}
	n, wait := s.limits.Count(ctx, key, per)
	if n <= limit {
		return nil
	}
	secs := max(int64(wait.Seconds()+0.999), 1)
	return &errs.Error{Code: codes.ResourceExhausted, Reason: "RATE_LIMITED", RetryAfterSeconds: secs,
		EN: "too many requests; try again later", ZH: "请求过于频繁，请稍后再试"}
}

// GetPublicity returns a campaign's publicity list while it is published, with an ETag and
// a Cache-Control that lets browsers and proxies keep it for a minute.
func (s *Server) GetPublicity(ctx context.Context, req *reviewv1.GetPublicityRequest) (*reviewv1.Publicity, error) {
	if err := s.limitPublic(ctx, "publicity:read:"+rpc.ClientKey(ctx), publicReadsPerAddress, publicReadWindow); err != nil {
		return nil, err
	}
	c, err := s.publicCampaign(ctx, s.st.Client, req.GetCampaignId())
	if err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	lines, err := s.st.Client.PublicityEntry.Query().Where(publicityentry.CampaignID(c.ID), publicityentry.RemovedTimeIsNil()).
		Order(ent.Asc(publicityentry.FieldNumber)).All(sys)
	if err != nil {
		return nil, err
	}
	o, err := s.st.Client.Office.Get(sys, c.OfficeID)
	if err != nil {
		return nil, err
	}
	out := &reviewv1.Publicity{CampaignId: c.ID, CampaignDisplayName: c.DisplayName, OfficeDisplayName: o.DisplayName, Year: int32(c.Year)}
	if c.PublicityStart != nil {
		out.StartTime = timestamppb.New(*c.PublicityStart)
	}
	if c.PublicityEnd != nil {
		out.EndTime = timestamppb.New(*c.PublicityEnd)
	}
	for _, e := range lines {
		out.Lines = append(out.Lines, publicityLine(e))
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(out)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	out.Etag = `"` + hex.EncodeToString(sum[:16]) + `"`
	if held := ifNoneMatch(ctx); held != "" && strings.TrimPrefix(held, "W/") == out.Etag {
		return nil, errNotModified
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("etag", out.Etag, "cache-control", "public, max-age=60"))
	return out, nil
}

func publicityLine(e *ent.PublicityEntry) *reviewv1.PublicityLine {
	return &reviewv1.PublicityLine{Number: int32(e.Number), UnitId: e.UnitID, UnitDisplayName: e.UnitDisplayName,
		OfficeDisplayName: e.UnitOfficeName, UnitCategory: e.UnitCategory, Total: scoring.Points(e.Total).String(), Rank: int32(e.Rank)}
}

// blockKey is the IPv6 /48 an address lies in, or "" for IPv4: one holder of a /48 has
// 65 536 /64s, each counted by addressKey, so the block is counted too.
func blockKey(a string) string {
	if ip := net.ParseIP(a); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
	}
	return ""
}

// referenceAlphabet has no 0/O, 1/I/L or U, so a reference read out by phone is not misheard.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference returns an objection's reference: ten characters from referenceAlphabet in
// two groups ("K7Q2M-X9DPA"), about 49 bits, so references cannot be guessed.
func newReference() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 11)
	for i, x := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[int(x)%len(referenceAlphabet)])
	}
	return string(out)
}

// listedEntry is the line of unitID on campaign c's publicity list that still stands, or
// an INVALID_ARGUMENT on field: an objection concerns a unit the list shows.
func listedEntry(ctx context.Context, tx *ent.Tx, c *ent.Campaign, unitID, field string) (*ent.PublicityEntry, error) {
	e, err := tx.PublicityEntry.Query().Where(publicityentry.CampaignID(c.ID), publicityentry.UnitID(unitID),
		publicityentry.RemovedTimeIsNil()).Only(store.System(ctx))
	if ent.IsNotFound(err) {
		return nil, errs.Invalid(field, "name a unit on the campaign's publicity list", "请填写公示名单上的单位")
	}
	return e, err
}

// objectionContent checks an objection's text fields: the content is required and at most
// 2 000 characters (the validator counts them too; this names the field in the caller's terms).
func objectionContent(prefix, content string) (string, error) {
	content = strings.TrimSpace(content)
	switch n := len([]rune(content)); {
	case n == 0:
		return "", errs.Invalid(prefix+"content", "is required: say what the objection is", "必填：请写明异议内容")
	case n > 2000:
		return "", errs.Invalid(prefix+"content", "at most 2000 characters", "不能超过 2000 个字符")
	}
	return content, nil
}

// FileObjection files an objection from the public. There is no viewer, so the
// row is written as the system in a transaction of its own (a named system path): the
// checks are the campaign's phase and window, the unit's line on the list, and the limits.
func (s *Server) FileObjection(ctx context.Context, req *reviewv1.FileObjectionRequest) (*reviewv1.ObjectionReceipt, error) {
	// The client's address is counted first, before anything is read: every request, good
	// or bad, for a campaign that exists or not, counts against its sender.
	if err := s.limitPublic(ctx, "objection:addr:"+rpc.ClientKey(ctx), objectionsPerAddress, objectionWindow); err != nil {
		return nil, err
	}
	if block := blockKey(rpc.ClientAddr(ctx)); block != "" {
		if err := s.limitPublic(ctx, "objection:block:"+block, objectionsPerBlock, objectionWindow); err != nil {
			return nil, err
		}
	}
	in := req.GetObjection()
	content, err := objectionContent("objection.", in.GetContent())
	if err != nil {
		return nil, err
	}
	if err := resource.Required("objection.unit_id", in.GetUnitId()); err != nil {
		return nil, err
	}
	if _, err := s.publicCampaign(ctx, s.st.Client, req.GetCampaignId()); err != nil {
		return nil, err
	}
	var o *ent.Objection
	sys := store.System(ctx)
	err = s.st.Tx(sys, func(tx *ent.Tx) error {
		c, err := s.publicCampaign(ctx, tx.Client(), req.GetCampaignId())
		if err != nil {
			return err
		}
		e, err := listedEntry(ctx, tx, c, in.GetUnitId(), "objection.unit_id")
		if err != nil {
			return err
		}
		// Only objections that would be filed count against the campaign, so a flood of
		// bad requests cannot use up the campaign's allowance and shut real objectors out.
		if err := s.limitPublic(ctx, "objection:campaign:"+c.ID, objectionsPerCampaign, objectionWindow); err != nil {
			return err
		}
		o, err = tx.Objection.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(c.ScopePath).
			SetCampaignID(c.ID).SetUnitID(e.UnitID).SetApplicationID(e.ApplicationID).SetReference(newReference()).
			SetChannel(objection.ChannelPUBLIC_FORM).SetContent(content).SetName(strings.TrimSpace(in.GetName())).
			SetContact(strings.TrimSpace(in.GetContact())).SetCreateTime(s.now()).SetUpdateTime(s.now()).Save(sys)
		if err != nil {
			return err
		}
		return s.w.Record(ctx, tx, objectionEvent("objection.create", nil, o, e.UnitDisplayName))
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.ObjectionReceipt{Reference: o.Reference, CreateTime: timestamppb.New(o.CreateTime)}, nil
}

// objectionEvent records a change of an objection in the campaign office's trail, without
// the objector's contact: the trail is read by offices above, the contact only by the
// campaign office's admins.
func objectionEvent(action string, cur, next *ent.Objection, unitName string) audit.Event {
	e := audit.Event{OfficeID: next.OfficeID, ScopePath: next.ScopePath, Action: action, ResourceType: "objection", ResourceID: next.ID,
		After: objectionToProto(next, unitName, false)}
	if cur != nil {
		e.Before = objectionToProto(cur, unitName, false)
	}
	return e
}

func objectionToProto(o *ent.Objection, unitName string, contact bool) *reviewv1.Objection {
	p := &reviewv1.Objection{
		Id: o.ID, CampaignId: o.CampaignID, UnitId: o.UnitID, UnitDisplayName: unitName, Reference: o.Reference,
		Channel: reviewv1.ObjectionChannel(reviewv1.ObjectionChannel_value["OBJECTION_CHANNEL_"+string(o.Channel)]),
		Content: o.Content, Name: o.Name,
		State:   reviewv1.ObjectionState(reviewv1.ObjectionState_value["OBJECTION_STATE_"+string(o.State)]),
		Finding: o.Finding, HandledBy: o.HandledBy, RecordedBy: o.RecordedBy,
		Etag: resource.Etag(o.Version), CreateTime: timestamppb.New(o.CreateTime),
	}
	if contact {
		p.Contact = o.Contact
	}
	if o.HandleTime != nil {
		p.HandleTime = timestamppb.New(*o.HandleTime)
	}
	return p
}

// campaignOfficeStaff is the Allow of staff writes on a campaign's publicity: the caller
// holds an office role in the campaign's own office (the role itself is the RPC's rule).
func campaignOfficeStaff(v *viewer.Viewer, c *ent.Campaign) error {
	if v.UnitID != "" || v.OfficeID != c.OfficeID {
		return errs.ErrPermissionDenied
	}
	return nil
}

// inPublicity refuses a change to the publicity of a campaign in another phase.
func inPublicity(c *ent.Campaign) error {
	if c.State != campaign.StatePUBLICITY {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_PHASE",
			"the campaign is "+string(c.State)+": objections are recorded and handled while it is in PUBLICITY",
			"该创建周期处于 "+string(c.State)+" 阶段：仅在公示阶段登记和处理异议")
	}
	return nil
}

// CreateObjection records an objection the office received by letter, e-mail or phone.
func (s *Server) CreateObjection(ctx context.Context, req *reviewv1.CreateObjectionRequest) (*reviewv1.Objection, error) {
	v := viewer.FromContext(ctx)
	in := req.GetObjection()
	content, err := objectionContent("objection.", in.GetContent())
	if err != nil {
		return nil, err
	}
	switch in.GetChannel() {
	case reviewv1.ObjectionChannel_OBJECTION_CHANNEL_LETTER, reviewv1.ObjectionChannel_OBJECTION_CHANNEL_EMAIL, reviewv1.ObjectionChannel_OBJECTION_CHANNEL_PHONE:
	default:
		return nil, errs.Invalid("objection.channel", "how it was received: OBJECTION_CHANNEL_LETTER, _EMAIL or _PHONE",
			"请填写收到异议的方式：来信（LETTER）、电子邮件（EMAIL）或电话（PHONE）")
	}
	if err := resource.Required("objection.unit_id", in.GetUnitId()); err != nil {
		return nil, err
	}
	var unitName string
	o, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Campaign, *ent.Objection]{
		Parent: "campaign",
		GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Campaign, error) {
			return tx.Campaign.Get(ctx, req.GetCampaignId())
		},
		Allow: func(c *ent.Campaign) error { return campaignOfficeStaff(v, c) },
		Save: func(tx *ent.Tx, c *ent.Campaign) (*ent.Objection, error) {
			if err := inPublicity(c); err != nil {
				return nil, err
			}
			e, err := listedEntry(ctx, tx, c, in.GetUnitId(), "objection.unit_id")
			if err != nil {
				return nil, err
			}
			unitName = e.UnitDisplayName
			return tx.Objection.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(c.ScopePath).
				SetCampaignID(c.ID).SetUnitID(e.UnitID).SetApplicationID(e.ApplicationID).SetReference(newReference()).
				SetChannel(objection.Channel(strings.TrimPrefix(in.GetChannel().String(), "OBJECTION_CHANNEL_"))).
				SetContent(content).SetName(strings.TrimSpace(in.GetName())).SetContact(strings.TrimSpace(in.GetContact())).
				SetRecordedBy(audit.Actor(ctx)).SetCreateTime(s.now()).SetUpdateTime(s.now()).Save(ctx)
		},
		Audit: func(_ *ent.Campaign, o *ent.Objection) (audit.Event, error) {
			return objectionEvent("objection.create", nil, o, unitName), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return objectionToProto(o, unitName, v.OfficeAdmin(o.OfficeID)), nil
}

// unitNames maps the units of a campaign's publicity list to their names as published.
func unitNames(ctx context.Context, db *ent.Client, campaignID string) (map[string]string, error) {
	es, err := db.PublicityEntry.Query().Where(publicityentry.CampaignID(campaignID)).
		Select(publicityentry.FieldUnitID, publicityentry.FieldUnitDisplayName).All(store.System(ctx))
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(es))
	for _, e := range es {
		m[e.UnitID] = e.UnitDisplayName
	}
	return m, nil
}

// ListObjections lists a campaign's objections, oldest first. The rows are the campaign
// office's, so the store shows them to that office and the offices above it only.
func (s *Server) ListObjections(ctx context.Context, req *reviewv1.ListObjectionsRequest) (*reviewv1.ListObjectionsResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	c, err := db.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil || !v.CanRead(c.ScopePath) {
		return nil, resource.NotFound(err, "campaign")
	}
	filters := "objections|" + c.ID + "|" + req.GetState().String()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Objection.Query().Where(objection.CampaignID(c.ID), objection.IDGT(after))
	if st := req.GetState(); st != reviewv1.ObjectionState_OBJECTION_STATE_UNSPECIFIED {
		q = q.Where(objection.StateEQ(objection.State(strings.TrimPrefix(st.String(), "OBJECTION_STATE_"))))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(objection.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	names, err := unitNames(ctx, db.Client, c.ID)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(o *ent.Objection) string { return o.ID })
	resp := &reviewv1.ListObjectionsResponse{NextPageToken: next}
	for _, o := range rows {
		resp.Objections = append(resp.Objections, objectionToProto(o, names[o.UnitID], v.OfficeAdmin(o.OfficeID)))
	}
	return resp, nil
}

// GetObjection returns one objection to those who list it.
func (s *Server) GetObjection(ctx context.Context, req *reviewv1.GetObjectionRequest) (*reviewv1.Objection, error) {
	v := viewer.FromContext(ctx)
	o, err := s.st.Client.Objection.Get(ctx, req.GetObjectionId())
	if err != nil || !v.CanRead(o.ScopePath) {
		return nil, resource.NotFound(err, "objection")
	}
	names, err := unitNames(ctx, s.st.Client, o.CampaignID)
	if err != nil {
		return nil, err
	}
	return objectionToProto(o, names[o.UnitID], v.OfficeAdmin(o.OfficeID)), nil
}

// decision reads an objection's outcome and finding.
func decision(outcome reviewv1.ObjectionState, finding string) (objection.State, string, error) {
	finding = strings.TrimSpace(finding)
	var to objection.State
	switch outcome {
	case reviewv1.ObjectionState_OBJECTION_STATE_RESOLVED:
		to = objection.StateRESOLVED
	case reviewv1.ObjectionState_OBJECTION_STATE_UPHELD:
		to = objection.StateUPHELD
	default:
		return "", "", errs.Invalid("outcome", "OBJECTION_STATE_RESOLVED or OBJECTION_STATE_UPHELD", "请填写处理结果：RESOLVED（异议不成立）或 UPHELD（异议成立）")
	}
	return to, finding, resource.Required("finding", finding)
}

// decidable reads the campaign of an objection being decided, as the system (the caller
// read the objection), checks it is in PUBLICITY, and takes its office's chain lock, in
// which decisions and removals from the list take turns.
func (s *Server) decidable(ctx context.Context, tx *ent.Tx, campaignID string) (*ent.Campaign, error) {
	c, err := tx.Campaign.Get(store.System(ctx), campaignID)
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	if err := inPublicity(c); err != nil {
		return nil, err
	}
	return c, s.w.Lock(ctx, tx, c.OfficeID)
}

// decide records the decision on cur, a RECEIVED objection of campaign c (see decidable),
// and takes the unit off the list when it is upheld. It returns the objection as stored
// and the unit's name on the list.
func (s *Server) decide(ctx context.Context, tx *ent.Tx, c *ent.Campaign, cur *ent.Objection, to objection.State, finding string) (*ent.Objection, string, error) {
	sys := store.System(ctx)
	e, err := tx.PublicityEntry.Query().Where(publicityentry.CampaignID(c.ID), publicityentry.UnitID(cur.UnitID)).Only(sys)
	if err != nil {
		return nil, "", resource.NotFound(err, "publicity line")
	}
	now := s.now()
	next, err := tx.Objection.UpdateOneID(cur.ID).Where(objection.Version(cur.Version)).AddVersion(1).
		SetState(to).SetFinding(finding).SetHandledBy(audit.Actor(ctx)).SetHandleTime(now).Save(ctx)
	if err != nil {
		return nil, "", err
	}
	if to == objection.StateUPHELD && e.RemovedTime == nil {
		if err := s.removeFromList(ctx, tx, c, e, next, now); err != nil {
			return nil, "", err
		}
	}
	return next, e.UnitDisplayName, nil
}

var errObjectionDecided = func(st objection.State) error {
	return errs.New(codes.FailedPrecondition, "OBJECTION_DECIDED",
		"the objection was handled already ("+string(st)+")", "该异议已处理（"+string(st)+"）")
}

// DecideObjection handles an objection: RESOLVED with a finding, or UPHELD, which takes
// the unit off the publicity list in the same transaction.
func (s *Server) DecideObjection(ctx context.Context, req *reviewv1.DecideObjectionRequest) (*reviewv1.Objection, error) {
	v := viewer.FromContext(ctx)
	to, finding, err := decision(req.GetOutcome(), req.GetFinding())
	if err != nil {
		return nil, err
	}
	var unitName string
	o, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Objection]{
		Resource: "objection", Etag: req.GetEtag(),
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.Objection, error) {
			return tx.Objection.Get(ctx, req.GetObjectionId())
		},
		Version: func(o *ent.Objection) int64 { return o.Version },
		Allow: func(cur *ent.Objection) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Objection) (*ent.Objection, error) {
			c, err := s.decidable(ctx, tx, cur.CampaignID)
			if err != nil {
				return nil, err
			}
			if cur.State != objection.StateRECEIVED {
				return nil, errObjectionDecided(cur.State)
			}
			next, name, err := s.decide(ctx, tx, c, cur, to, finding)
			unitName = name
			return next, err
		},
		Audit: func(cur, next *ent.Objection) (audit.Event, error) {
			return objectionEvent("objection.decide", cur, next, unitName), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return objectionToProto(o, unitName, v.OfficeAdmin(o.OfficeID)), nil
}

// DecideObjections decides many objections of one campaign with one finding (duplicates,
// a flood), each as DecideObjection does, all or none: any that is not a RECEIVED
// objection of the campaign refuses the whole request, naming it.
func (s *Server) DecideObjections(ctx context.Context, req *reviewv1.DecideObjectionsRequest) (*reviewv1.DecideObjectionsResponse, error) {
	v := viewer.FromContext(ctx)
	to, finding, err := decision(req.GetOutcome(), req.GetFinding())
	if err != nil {
		return nil, err
	}
	resp := &reviewv1.DecideObjectionsResponse{}
	err = s.st.Tx(ctx, func(tx *ent.Tx) error {
		read, err := tx.Campaign.Get(ctx, req.GetCampaignId())
		if err != nil || !v.CanRead(read.ScopePath) {
			return resource.NotFound(err, "campaign")
		}
		if !v.OfficeAdmin(read.OfficeID) {
			return errs.ErrPermissionDenied
		}
		c, err := s.decidable(ctx, tx, read.ID)
		if err != nil {
			return err
		}
		bad := errs.New(codes.InvalidArgument, "INVALID_ARGUMENT", "some objections cannot be decided; none was", "部分异议无法处理，均未处理")
		var objs []*ent.Objection
		seen := map[string]bool{}
		for i, id := range req.GetObjectionIds() {
			field := fmt.Sprintf("objection_ids[%d]", i)
			o, err := tx.Objection.Get(ctx, id)
			switch {
			case ent.IsNotFound(err) || err == nil && o.CampaignID != c.ID:
				bad = bad.WithField(field, "not an objection of this campaign", "不是本创建周期的异议")
			case err != nil:
				return err
			case seen[id]:
				bad = bad.WithField(field, "given twice", "重复")
			case o.State != objection.StateRECEIVED:
				bad = bad.WithField(field, "handled already ("+string(o.State)+")", "已处理（"+string(o.State)+"）")
			default:
				objs = append(objs, o)
			}
			seen[id] = true
		}
		if len(bad.Fields) > 0 {
			return bad
		}
		for _, cur := range objs {
			next, name, err := s.decide(ctx, tx, c, cur, to, finding)
			if err != nil {
				return err
			}
			if err := s.w.Record(ctx, tx, objectionEvent("objection.decide", cur, next, name)); err != nil {
				return err
			}
			resp.Objections = append(resp.Objections, objectionToProto(next, name, true))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// removeFromList takes an upheld objection's unit off the publicity list: its line is
// kept, marked removed; the lines after it move up one number, their ranks unchanged; its
// application and result become NOT_RECOMMENDED; and the application it brought into a
// parent campaign is withdrawn. Nobody below the quota moves up: a new recommendation is
// the office's decision, not a silent re-ranking.
func (s *Server) removeFromList(ctx context.Context, tx *ent.Tx, c *ent.Campaign, e *ent.PublicityEntry, o *ent.Objection, now time.Time) error {
	sys := store.System(ctx)
	if err := tx.PublicityEntry.UpdateOneID(e.ID).Where(publicityentry.Version(e.Version)).AddVersion(1).
		SetRemovedTime(now).SetRemovedByObjection(o.ID).Exec(sys); err != nil {
		return err
	}
	if err := tx.PublicityEntry.Update().Where(publicityentry.CampaignID(c.ID), publicityentry.RemovedTimeIsNil(),
		publicityentry.NumberGT(e.Number)).AddNumber(-1).AddVersion(1).Exec(sys); err != nil {
		return err
	}
	to := application.StateNOT_RECOMMENDED
	if err := tx.Application.Update().Where(application.ID(e.ApplicationID), application.StateEQ(application.StateRECOMMENDED)).
		AddVersion(1).SetState(to).Exec(sys); err != nil {
		return err
	}
	if err := tx.Result.Update().Where(result.ID(e.ApplicationID)).AddVersion(1).SetState(string(to)).Exec(sys); err != nil {
		return err
	}
	if err := s.w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: e.ScopePath, Action: "publicity.remove",
		ResourceType: "application", ResourceID: e.ApplicationID,
		Before: &reviewv1.Result{ApplicationId: e.ApplicationID, State: string(application.StateRECOMMENDED), Rank: int32(e.Rank)},
		After:  &reviewv1.Result{ApplicationId: e.ApplicationID, State: string(to), Rank: int32(e.Rank)}}); err != nil {
		return err
	}
	// The application the recommendation brought into the parent campaign goes with it
	// while that campaign has not begun reviewing it; once it has, the parent office
	// decides (the removal is in the trail its offices read).
	entered, err := tx.Application.Query().Where(application.SourceApplicationID(e.ApplicationID),
		application.StateEQ(application.StateSUBMITTED)).All(sys)
	if err != nil {
		return err
	}
	for _, a := range entered {
		reason := "objection " + o.Reference + " upheld in the recommending campaign's publicity (公示异议成立)"
		if err := tx.Application.UpdateOneID(a.ID).Where(application.Version(a.Version)).AddVersion(1).
			SetState(application.StateWITHDRAWN).SetWithdrawReason(reason).Exec(sys); err != nil {
			return err
		}
		if err := s.w.Record(ctx, tx, audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: "application.withdraw",
			ResourceType: "application", ResourceID: a.ID,
			Before: &reviewv1.Result{ApplicationId: a.ID, State: string(a.State)},
			After:  &reviewv1.Result{ApplicationId: a.ID, State: string(application.StateWITHDRAWN)}}); err != nil {
			return err
		}
	}
	return nil
}
