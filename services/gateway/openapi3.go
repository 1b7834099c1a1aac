package gateway

import (
	"encoding/json"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wenming-platform/wenming/api/gen/openapi"
)

// Documents are the REST contract twice over: Swagger 2, as protoc-gen-openapiv2 writes it
// with the file routes added (served at /openapi.json), and the same converted to
// OpenAPI 3 (served at /openapi3.json), which the interactive page at /docs and the
// console's typed client (web/src/api) are built from.
var Documents = sync.OnceValues(func() (documents, error) {
	v2, err := withFileRoutes(openapi.Document)
	if err != nil {
		return documents{}, err
	}
	var doc openapi2.T
	if err := json.Unmarshal(v2, &doc); err != nil {
		return documents{}, err
	}
	doc3, err := openapi2conv.ToV3(&doc)
	if err != nil {
		return documents{}, err
	}
	// Swagger 2 can only say "an Authorization header"; OpenAPI 3 can say "a bearer JWT",
	// so a client (and /docs's Authorize) takes the token alone and adds "Bearer ".
	if s := doc3.Components.SecuritySchemes["bearer"]; s != nil && s.Value != nil {
		s.Value = openapi3.NewJWTSecurityScheme().WithDescription(s.Value.Description)
	}
	v3, err := json.MarshalIndent(doc3, "", "  ")
	if err != nil {
		return documents{}, err
	}
	return documents{V2: v2, V3: append(v3, '\n')}, nil
})

type documents struct{ V2, V3 []byte }
