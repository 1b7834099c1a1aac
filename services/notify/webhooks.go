package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/webhook"
	"github.com/wenming-platform/wenming/ent/webhookdelivery"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/outbox"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// blocked are the networks a webhook never reaches unless the deployment allows them
// (SSRF): loopback, link-local (cloud metadata), private and shared address space,
// multicast and reserved ranges, in both families.
var blocked = func() []*net.IPNet {
	var out []*net.IPNet
	for _, c := range []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
		// NAT64 and 6to4 embed IPv4 addresses, private ones included.
		"64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"} {
		_, n, _ := net.ParseCIDR(c)
		out = append(out, n)
	}
	return out
}()

// reachable says whether a webhook may connect to ip.
func (s *Server) reachable(ip net.IP) bool {
	for _, n := range s.allow {
		if n.Contains(ip) {
			return true
		}
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	for _, n := range blocked {
		if n.Contains(ip) {
			return false
		}
	}
	return true
}

// checkURL checks a webhook URL when it is set: http or https, a host, no credentials, and
// every address the host resolves to reachable. The dialer checks the address again at
// every delivery, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
func (s *Server) checkURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		return errs.Invalid("webhook.url", "an http or https URL with a host", "须为带主机名的 http 或 https 地址")
	case u.User != nil:
		return errs.Invalid("webhook.url", "must not carry credentials: deliveries are signed with the secret", "不能包含用户名或密码：推送以密钥签名")
	case u.Fragment != "":
		return errs.Invalid("webhook.url", "must not have a fragment", "不能包含片段（#）")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, u.Hostname())
	if err != nil || len(ips) == 0 {
		return errs.Invalid("webhook.url", "the host cannot be resolved", "无法解析该主机名")
	}
	for _, ip := range ips {
		// The address itself is not told: the answer would map internal names for the caller.
		if !s.reachable(ip.IP) {
			return errs.Invalid("webhook.url", "resolves to a loopback, link-local or private address, which webhooks may not reach",
				"解析到回环、链路本地或内网地址，推送不能发往该地址")
		}
	}
	return nil
}

// maxWebhooks bounds an office's webhooks: each event fans out to all of them.
const maxWebhooks = 20

// checkEvents checks a webhook's event types.
func checkEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, errs.Invalid("webhook.events", "name at least one event type ("+strings.Join(outbox.Types, ", ")+")",
			"请至少选择一种事件（"+strings.Join(outbox.Types, "、")+"）")
	}
	var out []string
	for i, e := range events {
		if !slices.Contains(outbox.Types, e) {
			return nil, errs.Invalid("webhook.events["+strconv.Itoa(i)+"]", "unknown event type "+e+" (want one of "+strings.Join(outbox.Types, ", ")+")",
				"未知的事件类型 "+e+"（可选："+strings.Join(outbox.Types, "、")+"）")
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkSecret checks a secret given on create or update.
func checkSecret(secret string) error {
	if n := utf8.RuneCountInString(secret); n < 16 || n > 200 || strings.TrimSpace(secret) != secret {
		return errs.Invalid("webhook.secret", "16 to 200 characters, without surrounding spaces", "须为 16 至 200 个字符，首尾不能有空格")
	}
	return nil
}

func (s *Server) seal(id, secret string) ([]byte, error) {
	return s.master.Seal([]byte(secret), []byte("webhook:"+id))
}

func (s *Server) openSecret(h *ent.Webhook) ([]byte, error) {
	return s.master.Open(h.SecretSealed, []byte("webhook:"+h.ID))
}

func webhookToProto(h *ent.Webhook) *notifyv1.Webhook {
	return &notifyv1.Webhook{Id: h.ID, OfficeId: h.OfficeID, Url: h.URL, Events: h.Events, Description: h.Description,
		Disabled: h.Disabled, Etag: resource.Etag(h.Version), CreateTime: timestamppb.New(h.CreateTime), UpdateTime: timestamppb.New(h.UpdateTime)}
}

// webhookEvent records a change of a webhook, without its secret.
func webhookEvent(action string, cur, next *ent.Webhook) audit.Event {
	e := audit.Event{OfficeID: next.OfficeID, ScopePath: next.ScopePath, Action: action, ResourceType: "webhook", ResourceID: next.ID,
		After: webhookToProto(next)}
	if cur != nil {
		e.Before = webhookToProto(cur)
	}
	return e
}

// CreateWebhook subscribes a URL to events of the office's subtree.
func (s *Server) CreateWebhook(ctx context.Context, req *notifyv1.CreateWebhookRequest) (*notifyv1.Webhook, error) {
	v := viewer.FromContext(ctx)
	in := req.GetWebhook()
	if err := resource.Required("webhook.url", in.GetUrl()); err != nil {
		return nil, err
	}
	// Who may is settled before the URL is resolved, so nobody else learns what names
	// resolve to from the answers.
	if o, err := s.st.Client.Office.Get(ctx, req.GetOfficeId()); err != nil {
		return nil, resource.NotFound(err, "office")
	} else if err := mutate.OfficeAdmin(v)(o); err != nil {
		return nil, err
	}
	if err := s.checkURL(ctx, in.GetUrl()); err != nil {
		return nil, err
	}
	events, err := checkEvents(in.GetEvents())
	if err != nil {
		return nil, err
	}
	secret, generated := in.GetSecret(), false
	if secret == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		secret, generated = "whsec_"+base64.RawURLEncoding.EncodeToString(b), true
	} else if err := checkSecret(secret); err != nil {
		return nil, err
	}
	h, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.Webhook]{
		Parent: "office", GetParent: mutate.InOffice(req.GetOfficeId()), Allow: mutate.OfficeAdmin(v),
		Save: func(tx *ent.Tx, o *ent.Office) (*ent.Webhook, error) {
			if err := s.w.Lock(ctx, tx, o.ID); err != nil {
				return nil, err
			}
			if n, err := tx.Webhook.Query().Where(webhook.OfficeID(o.ID)).Count(ctx); err != nil || n >= maxWebhooks {
				if err == nil {
					err = errs.New(codes.FailedPrecondition, "TOO_MANY_WEBHOOKS",
						fmt.Sprintf("an office has at most %d webhooks: change or disable one", maxWebhooks),
						fmt.Sprintf("每个文明办最多 %d 个推送地址：请修改或停用已有的", maxWebhooks))
				}
				return nil, err
			}
			id := resource.NewID()
			sealed, err := s.seal(id, secret)
			if err != nil {
				return nil, err
			}
			return tx.Webhook.Create().SetID(id).SetOfficeID(o.ID).SetScopePath(o.ScopePath).SetURL(in.GetUrl()).SetEvents(events).
				SetSecretSealed(sealed).SetDescription(strings.TrimSpace(in.GetDescription())).SetDisabled(in.GetDisabled()).Save(ctx)
		},
		Audit: func(_ *ent.Office, h *ent.Webhook) (audit.Event, error) {
			return webhookEvent("webhook.create", nil, h), nil
		},
	})
	if err != nil {
		return nil, err
	}
	out := webhookToProto(h)
	if generated {
		out.Secret = secret
	}
	return out, nil
}

// ownWebhook reads a webhook of the caller's own office: only its admins manage it.
func ownWebhook(ctx context.Context, db *ent.Client, id string) (*ent.Webhook, error) {
	v := viewer.FromContext(ctx)
	h, err := db.Webhook.Get(ctx, id)
	if err != nil {
		return nil, resource.NotFound(err, "webhook")
	}
	if !v.OfficeAdmin(h.OfficeID) {
		if v.CanRead(h.ScopePath) {
			return nil, errs.ErrPermissionDenied
		}
		return nil, errs.NotFound("webhook")
	}
	return h, nil
}

// ListWebhooks lists an office's webhooks.
func (s *Server) ListWebhooks(ctx context.Context, req *notifyv1.ListWebhooksRequest) (*notifyv1.ListWebhooksResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	o, err := db.Office.Get(ctx, req.GetOfficeId())
	if err != nil {
		return nil, resource.NotFound(err, "office")
	}
	if !v.OfficeAdmin(o.ID) {
		return nil, errs.ErrPermissionDenied
	}
	hs, err := db.Webhook.Query().Where(webhook.OfficeID(o.ID)).Order(ent.Asc(webhook.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListWebhooksResponse{}
	for _, h := range hs {
		resp.Webhooks = append(resp.Webhooks, webhookToProto(h))
	}
	return resp, nil
}

// GetWebhook returns a webhook of the caller's office.
func (s *Server) GetWebhook(ctx context.Context, req *notifyv1.GetWebhookRequest) (*notifyv1.Webhook, error) {
	h, err := ownWebhook(ctx, s.st.Client, req.GetWebhookId())
	if err != nil {
		return nil, err
	}
	return webhookToProto(h), nil
}

// UpdateWebhook changes the fields its mask names.
func (s *Server) UpdateWebhook(ctx context.Context, req *notifyv1.UpdateWebhookRequest) (*notifyv1.Webhook, error) {
	v := viewer.FromContext(ctx)
	in := req.GetWebhook()
	paths, err := resource.CheckMask(req.GetUpdateMask(), "url", "events", "secret", "description", "disabled")
	if err != nil {
		return nil, err
	}
	var events []string
	if resource.Has(paths, "url") {
		if err := resource.Required("webhook.url", in.GetUrl()); err != nil {
			return nil, err
		}
		if _, err := ownWebhook(ctx, s.st.Client, in.GetId()); err != nil {
			return nil, err
		}
		if err := s.checkURL(ctx, in.GetUrl()); err != nil {
			return nil, err
		}
	}
	if resource.Has(paths, "events") {
		if events, err = checkEvents(in.GetEvents()); err != nil {
			return nil, err
		}
	}
	if resource.Has(paths, "secret") {
		if err := checkSecret(in.GetSecret()); err != nil {
			return nil, err
		}
	}
	h, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Webhook]{
		Resource: "webhook", Etag: in.GetEtag(), EtagRequired: true,
		Get:     func(ctx context.Context, tx *ent.Tx) (*ent.Webhook, error) { return tx.Webhook.Get(ctx, in.GetId()) },
		Version: func(h *ent.Webhook) int64 { return h.Version },
		Allow: func(cur *ent.Webhook) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Webhook) (*ent.Webhook, error) {
			u := tx.Webhook.UpdateOneID(cur.ID).Where(webhook.Version(cur.Version)).AddVersion(1)
			if resource.Has(paths, "url") {
				u.SetURL(in.GetUrl())
			}
			if resource.Has(paths, "events") {
				u.SetEvents(events)
			}
			if resource.Has(paths, "secret") {
				sealed, err := s.seal(cur.ID, in.GetSecret())
				if err != nil {
					return nil, err
				}
				u.SetSecretSealed(sealed)
			}
			if resource.Has(paths, "description") {
				u.SetDescription(strings.TrimSpace(in.GetDescription()))
			}
			if resource.Has(paths, "disabled") {
				u.SetDisabled(in.GetDisabled())
			}
			return u.Save(ctx)
		},
		Audit: func(cur, next *ent.Webhook) (audit.Event, error) {
			return webhookEvent("webhook.update", cur, next), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return webhookToProto(h), nil
}

func deliveryToProto(d *ent.WebhookDelivery) *notifyv1.WebhookDelivery {
	p := &notifyv1.WebhookDelivery{Id: d.ID, WebhookId: d.WebhookID, EventId: d.EventID, EventType: d.EventType,
		State:           notifyv1.DeliveryState(notifyv1.DeliveryState_value["DELIVERY_STATE_"+string(d.State)]),
		NextAttemptTime: timestamppb.New(d.NextAttemptTime), CreateTime: timestamppb.New(d.CreateTime),
		Payload: string(d.Payload), RedeliveryOf: d.RedeliveryOf}
	if d.DeliverTime != nil {
		p.DeliverTime = timestamppb.New(*d.DeliverTime)
	}
	for _, a := range d.AttemptsLog {
		p.Attempts = append(p.Attempts, &notifyv1.DeliveryAttempt{Time: timestamppb.New(a.Time), StatusCode: int32(a.StatusCode),
			Error: a.Error, DurationMs: a.Millis})
	}
	return p
}

// ListWebhookDeliveries pages through a webhook's deliveries, newest first.
func (s *Server) ListWebhookDeliveries(ctx context.Context, req *notifyv1.ListWebhookDeliveriesRequest) (*notifyv1.ListWebhookDeliveriesResponse, error) {
	db := s.st.Reader(ctx)
	h, err := ownWebhook(ctx, db.Client, req.GetWebhookId())
	if err != nil {
		return nil, err
	}
	filters := "deliveries|" + h.ID
	before, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.WebhookDelivery.Query().Where(webhookdelivery.WebhookID(h.ID))
	if before != "" {
		q = q.Where(webhookdelivery.IDLT(before))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Desc(webhookdelivery.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(d *ent.WebhookDelivery) string { return d.ID })
	resp := &notifyv1.ListWebhookDeliveriesResponse{NextPageToken: next}
	for _, d := range rows {
		resp.Deliveries = append(resp.Deliveries, deliveryToProto(d))
	}
	return resp, nil
}

// RedeliverWebhookDelivery sends a delivery's event again as a new delivery, due now.
func (s *Server) RedeliverWebhookDelivery(ctx context.Context, req *notifyv1.RedeliverWebhookDeliveryRequest) (*notifyv1.WebhookDelivery, error) {
	var out *ent.WebhookDelivery
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		h, err := ownWebhook(ctx, tx.Client(), req.GetWebhookId())
		if err != nil {
			return err
		}
		d, err := tx.WebhookDelivery.Query().Where(webhookdelivery.ID(req.GetDeliveryId()), webhookdelivery.WebhookID(h.ID)).Only(ctx)
		if err != nil {
			return resource.NotFound(err, "delivery")
		}
		if err := s.w.Lock(ctx, tx, h.OfficeID); err != nil {
			return err
		}
		pending, err := tx.WebhookDelivery.Query().Where(webhookdelivery.RedeliveryOf(d.ID),
			webhookdelivery.StateEQ(webhookdelivery.StatePENDING)).Exist(store.System(ctx))
		if err != nil {
			return err
		}
		if pending {
			return errs.New(codes.FailedPrecondition, "REDELIVERY_PENDING",
				"a redelivery of this delivery is still pending: wait for it", "该推送的重新发送尚未完成，请稍候")
		}
		now := time.Now()
		out, err = tx.WebhookDelivery.Create().SetID(resource.NewID()).SetOfficeID(h.OfficeID).SetScopePath(h.ScopePath).
			SetWebhookID(h.ID).SetEventID(d.EventID).SetEventType(d.EventType).SetPayload(d.Payload).SetNextAttemptTime(now).
			SetCreateTime(now).SetRedeliveryOf(d.ID).Save(store.System(ctx))
		if err != nil {
			return err
		}
		return s.w.Record(ctx, tx, audit.Event{OfficeID: h.OfficeID, ScopePath: h.ScopePath, Action: "webhook.redeliver",
			ResourceType: "webhook_delivery", ResourceID: out.ID, After: deliveryToProto(out)})
	})
	if err != nil {
		return nil, err
	}
	return deliveryToProto(out), nil
}
