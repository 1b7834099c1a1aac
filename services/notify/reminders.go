package notify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/joblease"
	"github.com/wenming-platform/wenming/ent/reminder"
	"github.com/wenming-platform/wenming/ent/remindersetting"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/outbox"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// The default offsets: a week and a day before a deadline, and the day after.
var (
	defaultBefore = []int{7, 1}
	defaultAfter  = []int{1}
)

// maxOffset bounds an offset in days, and so how far around now the scan looks.
const maxOffset = 60

// remindAt is the hour of the day, in the office's zone, a reminder goes out.
const remindAt = 9

// due says which reminder of a deadline is due at now, as a signed offset in days
// (negative before the deadline, positive after it), or 0 for none. Each fires at 09:00 in
// the office's zone on its day. Before the deadline the latest fire time passed wins (a
// week's reminder is not sent once the day-before one is due); after it, the latest
// passed, for a day, so a scan that comes back after a long outage sends no stale ones.
func due(deadline, now time.Time, loc *time.Location, before, after []int) int {
	y, m, d := deadline.In(loc).Date()
	at := func(delta int) time.Time { return time.Date(y, m, d+delta, remindAt, 0, 0, 0, loc) }
	best := 0
	if now.Before(deadline) {
		for _, b := range before {
			if !now.Before(at(-b)) && at(-b).Before(deadline) && (best == 0 || b < best) {
				best = b
			}
		}
		return -best
	}
	for _, a := range after {
		if !now.Before(at(a)) && a > best {
			best = a
		}
	}
	if best != 0 && now.Before(at(best).Add(24*time.Hour)) {
		return best
	}
	return 0
}

// officeRules are an office's reminder offsets and zone.
type officeRules struct {
	before, after []int
	loc           *time.Location
	scope         string
}

// rules reads an office's offsets (the defaults without a setting) and time zone.
func (s *Server) rules(ctx context.Context, cache map[string]*officeRules, officeID string) (*officeRules, error) {
	if r, ok := cache[officeID]; ok {
		return r, nil
	}
	sys := store.System(ctx)
	o, err := s.st.Client.Office.Get(sys, officeID)
	if err != nil {
		return nil, err
	}
	r := &officeRules{before: defaultBefore, after: defaultAfter, loc: time.UTC, scope: o.ScopePath}
	if loc, err := time.LoadLocation(o.TimeZone); err == nil {
		r.loc = loc
	}
	if set, err := s.st.Client.ReminderSetting.Query().Where(remindersetting.OfficeID(officeID)).Only(sys); err == nil {
		r.before, r.after = set.DaysBefore, set.DaysAfter
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	cache[officeID] = r
	return r, nil
}

// reminderSpec is one reminder to send.
type reminderSpec struct {
	// what names the deadline in the reminder's key: submission, evidence, return,
	// rectification.
	what                     string
	kind, subject            string
	officeID, scope          string
	resourceType, resourceID string
	deadline                 time.Time
	offset                   int
	// recipients maps users to the resource their notification names (their unit's
	// application, its title).
	recipients map[string][2]string
}

// lease makes this process the holder of job for d, and reports whether it is: one
// process at a time scans for reminders. (The reminders' unique keys make each one go out
// once even without it; the lease spares the other replicas the same scan.)
func (s *Server) lease(ctx context.Context, job string, d time.Duration) (bool, error) {
	sys := store.System(ctx)
	now := time.Now()
	// A lease held for more than half its length more is not renewed yet: the scan does
	// not write on every tick.
	if s.leased.After(now.Add(d / 2)) {
		return true, nil
	}
	n, err := s.st.Client.JobLease.Update().Where(joblease.ID(job), joblease.Or(joblease.LeaseUntilLT(now), joblease.Owner(s.owner))).
		SetOwner(s.owner).SetLeaseUntil(now.Add(d)).Save(sys)
	if err != nil {
		return false, err
	}
	if n == 0 {
		err = s.st.Client.JobLease.Create().SetID(job).SetOwner(s.owner).SetLeaseUntil(now.Add(d)).Exec(sys)
		if ent.IsConstraintError(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	s.leased = now.Add(d)
	return true, nil
}

// remindDue sends the reminders due now: of submission deadlines, of periodic evidence, of
// returned evidence due back, and of rectification deadlines.
func (s *Server) remindDue(ctx context.Context) error {
	if ok, err := s.lease(ctx, "reminders", max(2*s.interval, 30*time.Second)); err != nil || !ok {
		return err
	}
	now := s.clock()
	cache := map[string]*officeRules{}
	var specs []reminderSpec
	for _, find := range []func(context.Context, time.Time, map[string]*officeRules) ([]reminderSpec, error){
		s.submissionReminders, s.evidenceReminders, s.returnReminders, s.rectificationReminders,
	} {
		found, err := find(ctx, now, cache)
		if err != nil {
			return err
		}
		specs = append(specs, found...)
	}
	for _, r := range specs {
		if err := s.send(ctx, r, now); err != nil {
			s.log("notify: reminder %s of %s: %v", r.kind, r.resourceID, err)
		}
	}
	return nil
}

// window is the range of deadlines a reminder may be due for at now.
func window(now time.Time) (time.Time, time.Time) {
	return now.AddDate(0, 0, -maxOffset-2), now.AddDate(0, 0, maxOffset+2)
}

// unitUsers maps the enabled users of units holding one of roles to their unit.
func (s *Server) unitUsers(ctx context.Context, units []string, roles ...authzv1.Role) (map[string][]string, error) {
	us, err := s.st.Client.User.Query().Where(user.UnitIDIn(units...), user.Disabled(false)).All(store.System(ctx))
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, u := range us {
		for _, r := range roles {
			if slices.Contains(u.Roles, r.String()) {
				out[u.UnitID] = append(out[u.UnitID], u.ID)
				break
			}
		}
	}
	return out, nil
}

func kindOf(offset int, before, after string) string {
	if offset < 0 {
		return before
	}
	return after
}

// submissionReminders: each campaign taking applications whose submission deadline is near
// or just past reminds the users of every unit whose application is still a draft.
func (s *Server) submissionReminders(ctx context.Context, now time.Time, cache map[string]*officeRules) ([]reminderSpec, error) {
	sys := store.System(ctx)
	from, to := window(now)
	cs, err := s.st.Client.Campaign.Query().Where(campaign.StateIn(campaign.StateOPEN, campaign.StateSUBMISSION),
		campaign.SubmissionEndGTE(from), campaign.SubmissionEndLTE(to)).All(sys)
	if err != nil {
		return nil, err
	}
	var out []reminderSpec
	for _, c := range cs {
		r, err := s.rules(ctx, cache, c.OfficeID)
		if err != nil {
			return nil, err
		}
		off := due(*c.SubmissionEnd, now, r.loc, r.before, r.after)
		if off == 0 || s.sent(ctx, key("submission", c.ID, *c.SubmissionEnd, off)) {
			continue
		}
		apps, err := s.st.Client.Application.Query().Where(application.CampaignID(c.ID), application.StateEQ(application.StateDRAFT)).All(sys)
		if err != nil {
			return nil, err
		}
		if len(apps) == 0 {
			continue
		}
		units := make([]string, len(apps))
		byUnit := map[string]string{}
		for i, a := range apps {
			units[i], byUnit[a.UnitID] = a.UnitID, a.ID
		}
		users, err := s.unitUsers(ctx, units, authzv1.Role_ROLE_UNIT_ADMIN, authzv1.Role_ROLE_UNIT_SUBMITTER)
		if err != nil {
			return nil, err
		}
		date := c.SubmissionEnd.In(r.loc).Format("2006-01-02 15:04")
		subject := "《" + c.DisplayName + "》申报材料将于 " + date + " 截止提交，本单位尚未提交申报，请按时提交"
		if off > 0 {
			subject = "《" + c.DisplayName + "》申报材料已于 " + date + " 截止，本单位仍未提交申报"
		}
		spec := reminderSpec{kind: kindOf(off, "SUBMISSION_DUE", "SUBMISSION_OVERDUE"), subject: subject, officeID: c.OfficeID, scope: c.ScopePath,
			resourceType: "campaign", resourceID: c.ID, deadline: *c.SubmissionEnd, offset: off, what: "submission", recipients: map[string][2]string{}}
		for unit, ids := range users {
			for _, id := range ids {
				spec.recipients[id] = [2]string{"application", byUnit[unit]}
			}
		}
		out = append(out, spec)
	}
	return out, nil
}

// returnReminders: evidence returned for rectification with a due time reminds its unit's
// users, once per application and due time.
func (s *Server) returnReminders(ctx context.Context, now time.Time, cache map[string]*officeRules) ([]reminderSpec, error) {
	sys := store.System(ctx)
	from, to := window(now)
	evs, err := s.st.Client.Evidence.Query().Where(evidence.StateEQ(evidence.StateRETURNED), evidence.ReturnDueTimeGTE(from),
		evidence.ReturnDueTimeLTE(to)).All(sys)
	if err != nil {
		return nil, err
	}
	type item struct {
		app string
		due time.Time
	}
	seen := map[item]bool{}
	var out []reminderSpec
	for _, e := range evs {
		it := item{e.ApplicationID, *e.ReturnDueTime}
		if seen[it] {
			continue
		}
		seen[it] = true
		a, err := s.st.Client.Application.Get(sys, e.ApplicationID)
		if err != nil {
			return nil, err
		}
		r, err := s.rules(ctx, cache, a.OfficeID)
		if err != nil {
			return nil, err
		}
		off := due(it.due, now, r.loc, r.before, r.after)
		if off == 0 || s.sent(ctx, key("return", a.ID, it.due, off)) {
			continue
		}
		users, err := s.unitUsers(ctx, []string{a.UnitID}, authzv1.Role_ROLE_UNIT_ADMIN, authzv1.Role_ROLE_UNIT_SUBMITTER)
		if err != nil {
			return nil, err
		}
		date := it.due.In(r.loc).Format("2006-01-02 15:04")
		subject := "退回整改的台账材料须于 " + date + " 前重新提交"
		if off > 0 {
			subject = "退回整改的台账材料已于 " + date + " 逾期，尚未重新提交"
		}
		spec := reminderSpec{kind: kindOf(off, "RETURN_DUE", "RETURN_OVERDUE"), subject: subject, officeID: a.OfficeID, scope: a.ScopePath,
			resourceType: "application", resourceID: a.ID, deadline: it.due, offset: off, what: "return", recipients: map[string][2]string{}}
		for _, id := range users[a.UnitID] {
			spec.recipients[id] = [2]string{"application", a.ID}
		}
		out = append(out, spec)
	}
	return out, nil
}

// rectificationReminders: a warned title's rectification deadline reminds its unit's admins.
func (s *Server) rectificationReminders(ctx context.Context, now time.Time, cache map[string]*officeRules) ([]reminderSpec, error) {
	sys := store.System(ctx)
	from, to := window(now)
	ts, err := s.st.Client.TitleRecord.Query().Where(titlerecord.StateIn(titlerecord.StateWARNED, titlerecord.StateRECTIFYING),
		titlerecord.RectificationDeadlineGTE(from), titlerecord.RectificationDeadlineLTE(to)).All(sys)
	if err != nil {
		return nil, err
	}
	var out []reminderSpec
	for _, t := range ts {
		r, err := s.rules(ctx, cache, t.OfficeID)
		if err != nil {
			return nil, err
		}
		off := due(*t.RectificationDeadline, now, r.loc, r.before, r.after)
		if off == 0 || s.sent(ctx, key("rectification", t.ID, *t.RectificationDeadline, off)) {
			continue
		}
		users, err := s.unitUsers(ctx, []string{t.UnitID}, authzv1.Role_ROLE_UNIT_ADMIN)
		if err != nil {
			return nil, err
		}
		date := t.RectificationDeadline.In(r.loc).Format("2006-01-02 15:04")
		subject := "文明单位称号整改期限为 " + date + "，请按期完成整改"
		if off > 0 {
			subject = "文明单位称号整改期限 " + date + " 已过"
		}
		spec := reminderSpec{kind: kindOf(off, "RECTIFICATION_DUE", "RECTIFICATION_OVERDUE"), subject: subject, officeID: t.OfficeID,
			scope: t.ScopePath, resourceType: "title", resourceID: t.ID, deadline: *t.RectificationDeadline, offset: off, what: "rectification", recipients: map[string][2]string{}}
		for _, id := range users[t.UnitID] {
			spec.recipients[id] = [2]string{"title", t.ID}
		}
		out = append(out, spec)
	}
	return out, nil
}

// key is a reminder's unique key: what, of which resource, which deadline, which offset.
func key(what, resourceID string, deadline time.Time, offset int) string {
	return what + "|" + resourceID + "|" + strconv.FormatInt(deadline.Unix(), 10) + "|" + strconv.Itoa(offset)
}

func (r reminderSpec) key() string { return key(r.what, r.resourceID, r.deadline, r.offset) }

// sent says whether the reminder with key k went out already.
func (s *Server) sent(ctx context.Context, k string) bool {
	ok, err := s.st.Client.Reminder.Query().Where(reminder.Key(k)).Exist(store.System(ctx))
	return err != nil || ok
}

// send writes a reminder, its users' notifications and its webhook deliveries in one
// transaction. Its key is unique: when another process sent it first, the insert fails
// and nothing is written twice.
func (s *Server) send(ctx context.Context, r reminderSpec, now time.Time) error {
	sys := store.System(ctx)
	err := s.st.Tx(sys, func(tx *ent.Tx) error {
		rem, err := tx.Reminder.Create().SetID(resource.NewID()).SetKey(r.key()).SetKind(r.kind).SetOfficeID(r.officeID).
			SetResourceType(r.resourceType).SetResourceID(r.resourceID).SetDueTime(r.deadline).SetCreateTime(now).Save(sys)
		if err != nil {
			return err
		}
		users := make([]string, 0, len(r.recipients))
		for u := range r.recipients {
			users = append(users, u)
		}
		slices.Sort(users)
		for _, u := range users {
			res := r.recipients[u]
			if err := tx.Notification.Create().SetID(resource.NewID()).SetUserID(u).SetReminderID(rem.ID).SetKind(r.kind).
				SetSubject(r.subject).SetResourceType(res[0]).SetResourceID(res[1]).SetDueTime(r.deadline).SetCreateTime(now).Exec(sys); err != nil {
				return err
			}
		}
		return outbox.Emit(ctx, tx, outbox.Event{Type: outbox.ReminderSent, OfficeID: r.officeID, ScopePath: r.scope,
			ResourceType: r.resourceType, ResourceID: r.resourceID, Time: now,
			Data: &notifyv1.Notification{Id: rem.ID, Kind: r.kind, Subject: r.subject, DueTime: timestamppb.New(r.deadline),
				ResourceType: r.resourceType, ResourceId: r.resourceID, CreateTime: timestamppb.New(now)}})
	})
	if ent.IsConstraintError(err) {
		return nil
	}
	if err == nil {
		s.reminders.Inc()
	}
	return err
}

func settingsToProto(officeID string, before, after []int, version int64) *notifyv1.ReminderSettings {
	p := &notifyv1.ReminderSettings{OfficeId: officeID, Etag: resource.Etag(version)}
	for _, d := range before {
		p.DaysBefore = append(p.DaysBefore, int32(d))
	}
	for _, d := range after {
		p.DaysAfter = append(p.DaysAfter, int32(d))
	}
	return p
}

// GetReminderSettings returns an office's reminder offsets.
func (s *Server) GetReminderSettings(ctx context.Context, req *notifyv1.GetReminderSettingsRequest) (*notifyv1.ReminderSettings, error) {
	o, err := s.st.Client.Office.Get(ctx, req.GetOfficeId())
	if err != nil || viewer.FromContext(ctx).UnitID != "" {
		return nil, resource.NotFound(err, "office")
	}
	set, err := s.st.Client.ReminderSetting.Query().Where(remindersetting.OfficeID(o.ID)).Only(ctx)
	if ent.IsNotFound(err) {
		return settingsToProto(o.ID, defaultBefore, defaultAfter, 0), nil
	}
	if err != nil {
		return nil, err
	}
	return settingsToProto(o.ID, set.DaysBefore, set.DaysAfter, set.Version), nil
}

// offsets checks a list of offsets: distinct days, 1 to maxOffset, largest first.
func offsets(field string, in []int32) ([]int, error) {
	out := make([]int, 0, len(in))
	for i, d := range in {
		if d < 1 || d > maxOffset {
			return nil, errs.Invalid(fmt.Sprintf("settings.%s[%d]", field, i), "a number of days from 1 to 60", "须为 1 至 60 天")
		}
		if slices.Contains(out, int(d)) {
			return nil, errs.Invalid(fmt.Sprintf("settings.%s[%d]", field, i), "given twice", "重复")
		}
		out = append(out, int(d))
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// UpdateReminderSettings sets an office's reminder offsets: the row is created on the
// first change, and later changes name its etag.
func (s *Server) UpdateReminderSettings(ctx context.Context, req *notifyv1.UpdateReminderSettingsRequest) (*notifyv1.ReminderSettings, error) {
	v := viewer.FromContext(ctx)
	in := req.GetSettings()
	paths, err := resource.CheckMask(req.GetUpdateMask(), "days_before", "days_after")
	if err != nil {
		return nil, err
	}
	before, err := offsets("days_before", in.GetDaysBefore())
	if err != nil {
		return nil, err
	}
	after, err := offsets("days_after", in.GetDaysAfter())
	if err != nil {
		return nil, err
	}
	var out *notifyv1.ReminderSettings
	err = s.st.Tx(ctx, func(tx *ent.Tx) error {
		o, err := tx.Office.Get(ctx, req.GetOfficeId())
		if err != nil {
			return resource.NotFound(err, "office")
		}
		if !v.OfficeAdmin(o.ID) {
			return errs.ErrPermissionDenied
		}
		cur, err := tx.ReminderSetting.Query().Where(remindersetting.OfficeID(o.ID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
		version, oldBefore, oldAfter := int64(0), defaultBefore, defaultAfter
		if cur != nil {
			version, oldBefore, oldAfter = cur.Version, cur.DaysBefore, cur.DaysAfter
		}
		if err := resource.CheckEtag(in.GetEtag(), version); in.GetEtag() != "" && err != nil {
			return err
		}
		if !resource.Has(paths, "days_before") {
			before = oldBefore
		}
		if !resource.Has(paths, "days_after") {
			after = oldAfter
		}
		var next *ent.ReminderSetting
		if cur == nil {
			next, err = tx.ReminderSetting.Create().SetID(resource.NewID()).SetOfficeID(o.ID).SetScopePath(o.ScopePath).
				SetDaysBefore(before).SetDaysAfter(after).Save(ctx)
			if ent.IsConstraintError(err) {
				err = errs.ErrStaleEtag // another request set them first
			}
		} else {
			next, err = tx.ReminderSetting.UpdateOneID(cur.ID).Where(remindersetting.Version(cur.Version)).AddVersion(1).
				SetDaysBefore(before).SetDaysAfter(after).Save(ctx)
			if ent.IsNotFound(err) {
				err = errs.ErrStaleEtag
			}
		}
		if err != nil {
			return err
		}
		out = settingsToProto(o.ID, next.DaysBefore, next.DaysAfter, next.Version)
		return s.w.Record(ctx, tx, audit.Event{OfficeID: o.ID, ScopePath: o.ScopePath, Action: "reminder_settings.update",
			ResourceType: "reminder_settings", ResourceID: o.ID, Before: settingsToProto(o.ID, oldBefore, oldAfter, version), After: out})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
