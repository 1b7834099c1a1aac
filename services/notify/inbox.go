package notify

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/notification"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func notificationToProto(n *ent.Notification) *notifyv1.Notification {
	return &notifyv1.Notification{Id: n.ID, Kind: n.Kind, Subject: n.Subject, DueTime: timestamppb.New(n.DueTime),
		ResourceType: n.ResourceType, ResourceId: n.ResourceID, Read: n.ReadTime != nil, CreateTime: timestamppb.New(n.CreateTime)}
}

// mine is the inbox's owner: the calling user (a service account has no inbox, and sees
// an empty one).
func mine(ctx context.Context) string {
	v := viewer.FromContext(ctx)
	if v.Kind != viewer.KindUser {
		return ""
	}
	return v.Subject
}

// ListMyNotifications pages through the caller's inbox, newest first. The table is
// system-only: this reads it for the caller's own id alone.
func (s *Server) ListMyNotifications(ctx context.Context, req *notifyv1.ListMyNotificationsRequest) (*notifyv1.ListMyNotificationsResponse, error) {
	db := s.st.Reader(ctx)
	me := mine(ctx)
	sys := store.System(ctx)
	filters := "notifications|" + me + "|" + strconv.FormatBool(req.GetUnreadOnly())
	before, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Notification.Query().Where(notification.UserID(me))
	if req.GetUnreadOnly() {
		q = q.Where(notification.ReadTimeIsNil())
	}
	if before != "" {
		q = q.Where(notification.IDLT(before))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Desc(notification.FieldID)).Limit(size + 1).All(sys)
	if err != nil {
		return nil, err
	}
	unread, err := db.Notification.Query().Where(notification.UserID(me), notification.ReadTimeIsNil()).Count(sys)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(n *ent.Notification) string { return n.ID })
	resp := &notifyv1.ListMyNotificationsResponse{NextPageToken: next, Unread: int32(unread)}
	for _, n := range rows {
		resp.Notifications = append(resp.Notifications, notificationToProto(n))
	}
	return resp, nil
}

// MarkNotificationRead marks one of the caller's notifications read; anyone else's is 404.
// Whether a user has read a message is the user's own state, not a change to anything an
// office keeps, so it is not written to the audit trail.
func (s *Server) MarkNotificationRead(ctx context.Context, req *notifyv1.MarkNotificationReadRequest) (*notifyv1.Notification, error) {
	sys := store.System(ctx)
	me := mine(ctx)
	n, err := s.st.Client.Notification.Query().Where(notification.ID(req.GetNotificationId()), notification.UserID(me)).Only(sys)
	if err != nil || me == "" {
		if err == nil || ent.IsNotFound(err) {
			return nil, errs.NotFound("notification")
		}
		return nil, err
	}
	if n.ReadTime == nil {
		if n, err = n.Update().SetReadTime(time.Now()).Save(sys); err != nil {
			return nil, err
		}
	}
	return notificationToProto(n), nil
}
