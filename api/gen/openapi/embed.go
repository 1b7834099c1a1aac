// Package openapi embeds the merged OpenAPI document generated from the protos.
package openapi

import _ "embed"

// Document is the OpenAPI (Swagger 2.0) description of every REST route.
//
//go:embed wenming.swagger.json
var Document []byte
