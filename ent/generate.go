// Package ent holds the generated client of the shared schema in ./schema.
package ent

//go:generate go run -mod=mod entgo.io/ent/cmd/ent generate --feature privacy,entql,sql/versioned-migration,sql/execquery,sql/upsert,sql/lock ./schema
