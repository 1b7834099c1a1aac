// Command kubeschemas writes strict JSON schemas for kubeconform from the OpenAPI (Swagger 2.0)
// document of a Kubernetes release, so manifests validate offline against exactly the API of
// the pinned version. The document ships in the k8s.io/kubernetes Go module:
//
//	swagger="$(go mod download -json k8s.io/kubernetes@v1.37.2 | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')/api/openapi-spec/swagger.json"
//	go run ./deploy/scripts/kubeschemas -swagger "$swagger" -out DIR -version v1.37.2 -kinds Deployment,Service
//
// It writes DIR/v1.37.2-standalone-strict/<kind><suffix>.json, the layout of kubeconform's
// default -schema-location template
// ({{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json),
// so kubeconform is run with -schema-location 'DIR/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'.
//
// Each file is self-contained: the kind's schema at the top and every definition it reaches
// under "definitions", referenced as "#/definitions/<name>" (recursive types stay finite). Every
// object with declared properties refuses unknown ones (additionalProperties: false), which is
// what catches a misspelt or misplaced field. Optional fields also accept null, as the API
// server does. IntOrString accepts a string or an integer, Quantity a string or a number.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	refPrefix   = "#/definitions/"
	intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	quantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
)

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func (g gvk) apiVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// fileName is kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json: the lower-case kind, the
// first label of the group and the version.
func (g gvk) fileName() string {
	suffix := "-" + strings.ToLower(g.Version)
	if g.Group != "" {
		suffix = "-" + strings.ToLower(strings.Split(g.Group, ".")[0]) + suffix
	}
	return strings.ToLower(g.Kind) + suffix + ".json"
}

func main() {
	swagger := flag.String("swagger", "", "the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json)")
	out := flag.String("out", "", "the schema directory to write into")
	version := flag.String("version", "", "the Kubernetes version the document belongs to, e.g. v1.37.2")
	kinds := flag.String("kinds", "", "comma-separated kinds to write, as Kind or group/version/Kind (empty: every kind)")
	flag.Parse()
	if *swagger == "" || *out == "" || *version == "" {
		flag.Usage()
		os.Exit(2)
	}
	n, err := run(*swagger, *out, *version, *kinds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeschemas:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "kubeschemas: wrote %d schemas for Kubernetes %s\n", n, *version)
}

func run(swaggerPath, out, version, kinds string) (int, error) {
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return 0, fmt.Errorf("%s: %w", swaggerPath, err)
	}
	if len(doc.Definitions) == 0 {
		return 0, fmt.Errorf("%s: no definitions", swaggerPath)
	}

	want := map[string]bool{}
	for _, k := range strings.Split(kinds, ",") {
		if k = strings.TrimSpace(k); k != "" {
			want[k] = false
		}
	}

	dir := filepath.Join(out, "v"+strings.TrimPrefix(version, "v")+"-standalone-strict")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}

	names := make([]string, 0, len(doc.Definitions))
	for name := range doc.Definitions {
		names = append(names, name)
	}
	sort.Strings(names)

	written := map[string]string{}
	for _, name := range names {
		def := doc.Definitions[name]
		gvks, err := kindsOf(def)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		for _, g := range gvks {
			if len(want) > 0 {
				long := g.apiVersion() + "/" + g.Kind
				_, byKind := want[g.Kind]
				_, byLong := want[long]
				if !byKind && !byLong {
					continue
				}
				if byKind {
					want[g.Kind] = true
				}
				if byLong {
					want[long] = true
				}
			}
			file := g.fileName()
			if prev, ok := written[file]; ok {
				if prev == name {
					continue // one definition listed under two versions of the same file name
				}
				return 0, fmt.Errorf("%s and %s both map to %s", prev, name, file)
			}
			schema, err := standalone(doc.Definitions, name, g)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			b, err := json.Marshal(schema)
			if err != nil {
				return 0, err
			}
			if err := writeFile(filepath.Join(dir, file), append(b, '\n')); err != nil {
				return 0, err
			}
			written[file] = name
		}
	}

	var missing []string
	for k, found := range want {
		if !found {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return 0, fmt.Errorf("no kind in %s matches %s", swaggerPath, strings.Join(missing, ", "))
	}
	return len(written), nil
}

// kindsOf reads x-kubernetes-group-version-kind: the kinds a definition is served as.
func kindsOf(def map[string]any) ([]gvk, error) {
	v, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var gvks []gvk
	if err := json.Unmarshal(b, &gvks); err != nil {
		return nil, fmt.Errorf("x-kubernetes-group-version-kind: %w", err)
	}
	return gvks, nil
}

// standalone builds the schema of one kind with every definition it reaches.
func standalone(defs map[string]map[string]any, name string, g gvk) (map[string]any, error) {
	refs := map[string]bool{}
	root, ok := convert(defs[name], refs).(map[string]any)
	if !ok {
		return nil, errors.New("not an object schema")
	}
	// Pin apiVersion and kind to the ones this file is chosen for.
	if props, ok := root["properties"].(map[string]any); ok {
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{g.apiVersion()}}
		props["kind"] = map[string]any{"type": "string", "enum": []any{g.Kind}}
	}
	root["description"] = fmt.Sprintf("%s %s (%s), strict, generated by deploy/scripts/kubeschemas", g.apiVersion(), g.Kind, name)

	definitions := map[string]any{}
	for {
		var pending []string
		for ref := range refs {
			if _, done := definitions[ref]; !done {
				pending = append(pending, ref)
			}
		}
		if len(pending) == 0 {
			break
		}
		for _, ref := range pending {
			def, ok := defs[ref]
			if !ok {
				return nil, fmt.Errorf("reference to an unknown definition %s", ref)
			}
			definitions[ref] = convert(def, refs)
		}
	}
	if len(definitions) > 0 {
		root["definitions"] = definitions
	}
	return root, nil
}

// convert turns one Swagger schema into a strict JSON schema, recording the definitions it
// references in refs.
func convert(node any, refs map[string]bool) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	if ref, ok := m["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, refPrefix)
		switch name {
		case intOrString:
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		case quantity:
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		}
		refs[name] = true
		return map[string]any{"$ref": refPrefix + name}
	}

	out := map[string]any{}
	for _, key := range []string{"type", "enum", "required"} {
		if v, ok := m[key]; ok {
			out[key] = v
		}
	}
	if m["format"] == "int-or-string" {
		delete(out, "type")
		out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
	}
	if items, ok := m["items"]; ok {
		out["items"] = convert(items, refs)
	}
	if ap, ok := m["additionalProperties"]; ok {
		out["additionalProperties"] = convert(ap, refs)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		required := map[string]bool{}
		if list, ok := m["required"].([]any); ok {
			for _, r := range list {
				if s, ok := r.(string); ok {
					required[s] = true
				}
			}
		}
		converted := map[string]any{}
		for name, p := range props {
			c := convert(p, refs)
			if cm, ok := c.(map[string]any); ok && !required[name] {
				nullable(cm)
			}
			converted[name] = c
		}
		out["properties"] = converted
		if _, open := m["additionalProperties"]; !open && m["x-kubernetes-preserve-unknown-fields"] != true {
			out["additionalProperties"] = false
		}
	}
	return out
}

// nullable lets an optional field be null: YAML writes an empty value as null.
func nullable(m map[string]any) {
	t, ok := m["type"].(string)
	if !ok {
		return
	}
	m["type"] = []any{t, "null"}
	if enum, ok := m["enum"].([]any); ok {
		m["enum"] = append(enum, nil)
	}
}

// writeFile writes through a temporary file and a rename, so a reader never sees half a file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kubeschemas-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
