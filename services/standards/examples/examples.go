// Package examples ships the example standard: a municipal 文明单位测评细则 modelled on the
// seven "goods", in canonical YAML.
package examples

import _ "embed"

// Municipal is the example municipal standard (100 base points, bonus capped at 5.00).
//
//go:embed municipal.yaml
var Municipal []byte
