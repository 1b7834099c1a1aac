// Package notify is the notify service (docs/notifications.md): webhooks per office,
// delivered from the transactional outbox (services/platform/outbox) with signatures,
// retries and a delivery log; reminders before and after deadlines, in each user's inbox
// and to webhooks. Its workers (Run) poll the database under leases, so any number of
// replicas deliver each event and send each reminder once.
package notify
