package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The file names are the ones kubeconform's default schema-location template asks for.
func TestFileName(t *testing.T) {
	for _, c := range []struct {
		g    gvk
		want string
	}{
		{gvk{"", "v1", "Service"}, "service-v1.json"},
		{gvk{"apps", "v1", "Deployment"}, "deployment-apps-v1.json"},
		{gvk{"networking.k8s.io", "v1", "NetworkPolicy"}, "networkpolicy-networking-v1.json"},
		{gvk{"autoscaling", "v2", "HorizontalPodAutoscaler"}, "horizontalpodautoscaler-autoscaling-v2.json"},
	} {
		if got := c.g.fileName(); got != c.want {
			t.Errorf("%v: %s, want %s", c.g, got, c.want)
		}
	}
}

const swagger = `{"definitions": {
  "io.k8s.api.core.v1.Thing": {
    "type": "object",
    "required": ["spec"],
    "properties": {
      "apiVersion": {"type": "string"},
      "kind": {"type": "string"},
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.ThingSpec"},
      "note": {"type": "string"}
    },
    "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Thing"}]
  },
  "io.k8s.api.core.v1.ThingSpec": {
    "type": "object",
    "properties": {
      "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
      "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "next": {"$ref": "#/definitions/io.k8s.api.core.v1.ThingSpec"}
    }
  },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"}
}}`

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "swagger.json")
	if err := os.WriteFile(in, []byte(swagger), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := run(in, dir, "1.2.3", "Thing")
	if err != nil || n != 1 {
		t.Fatalf("run: %d, %v", n, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "v1.2.3-standalone-strict", "thing-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		AdditionalProperties *bool                     `json:"additionalProperties"`
		Properties           map[string]map[string]any `json:"properties"`
		Definitions          map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.AdditionalProperties == nil || *s.AdditionalProperties {
		t.Error("the kind's object allows unknown fields")
	}
	if got := s.Properties["kind"]["enum"]; len(got.([]any)) != 1 || got.([]any)[0] != "Thing" {
		t.Errorf("kind is not pinned: %v", got)
	}
	if got := s.Properties["note"]["type"]; len(got.([]any)) != 2 {
		t.Errorf("an optional field does not accept null: %v", got)
	}
	spec, ok := s.Definitions["io.k8s.api.core.v1.ThingSpec"]
	if !ok {
		t.Fatalf("the referenced definition is missing: %s", b)
	}
	if spec["additionalProperties"] != false {
		t.Error("a nested object allows unknown fields")
	}
	text := string(b)
	for _, want := range []string{`"port":{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `"cpu":{"oneOf":[{"type":"string"},{"type":"number"}]}`, `"next":{"$ref":"#/definitions/io.k8s.api.core.v1.ThingSpec"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s in %s", want, text)
		}
	}
	if _, err := run(in, dir, "1.2.3", "Nothing"); err == nil {
		t.Error("an unknown kind is not an error")
	}
}
