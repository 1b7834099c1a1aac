// Package tenancy is the tenancy service: offices, units, users, service accounts, login
// and tokens, and the audit trail.
package tenancy
