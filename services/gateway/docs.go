package gateway

import (
	"bytes"
	"encoding/json"
	"html/template"
	"sort"
	"strings"
)

// docsPage renders the OpenAPI document as one self-contained HTML page (no scripts or
// assets from elsewhere, so it works on a closed network): every route with its summary,
// parameters and body, whether it needs a token, and its content types where they are not
// JSON. Accept-Language, which every route takes, is described once at the top.
func docsPage(doc []byte) ([]byte, error) {
	var spec struct {
		Info  struct{ Title, Version string } `json:"info"`
		Paths map[string]map[string]struct {
			Summary     string   `json:"summary"`
			Description string   `json:"description"`
			OperationID string   `json:"operationId"`
			Security    *[]any   `json:"security"`
			Consumes    []string `json:"consumes"`
			Produces    []string `json:"produces"`
			Tags        []string
			Parameters  []struct {
				Name     string `json:"name"`
				In       string `json:"in"`
				Required bool   `json:"required"`
				Type     string `json:"type"`
				Schema   *struct {
					Ref string `json:"$ref"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		return nil, err
	}
	type param struct {
		Name, In, Type string
		Required       bool
	}
	type op struct {
		Method, Path, Summary, Description, Tag string
		Public                                  bool
		Consumes, Produces                      string
		Params                                  []param
	}
	var ops []op
	for path, methods := range spec.Paths {
		for method, o := range methods {
			x := op{Method: strings.ToUpper(method), Path: path, Summary: o.Summary, Description: o.Description,
				Public:   o.Security != nil && len(*o.Security) == 0,
				Consumes: strings.Join(o.Consumes, ", "), Produces: strings.Join(o.Produces, ", ")}
			if len(o.Tags) > 0 {
				x.Tag = o.Tags[0]
			}
			for _, p := range o.Parameters {
				if p.In == "header" && p.Name == "Accept-Language" {
					continue
				}
				t := p.Type
				if p.Schema != nil {
					t = strings.TrimPrefix(p.Schema.Ref, "#/definitions/")
				}
				x.Params = append(x.Params, param{Name: p.Name, In: p.In, Type: t, Required: p.Required})
			}
			ops = append(ops, x)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Tag != ops[j].Tag {
			return ops[i].Tag < ops[j].Tag
		}
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	var b bytes.Buffer
	err := docsTemplate.Execute(&b, map[string]any{"Ops": ops, "Title": spec.Info.Title, "Version": spec.Info.Version})
	return b.Bytes(), err
}

var docsTemplate = template.Must(template.New("docs").Funcs(template.FuncMap{"sub1": func(i int) int { return i - 1 }}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}} {{.Version}} 文明单位测评平台接口</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.op{margin:1em 0;padding:.6em .8em;border:1px solid #e3e3e3;border-radius:6px}
.m{display:inline-block;min-width:4.5em;font-weight:bold;font-family:monospace}
.GET{color:#0a7}.POST{color:#06c}.PATCH{color:#a60}.DELETE{color:#c00}
code{font-family:monospace}.p{color:#555;font-size:.9em;margin:.3em 0 0 4.8em}
</style></head><body>
<h1>{{.Title}} {{.Version}}</h1>
<p>The machine-readable document is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 2.0). Authenticate with
<code>POST /v1/auth/login</code> and send <code>Authorization: Bearer &lt;accessToken&gt;</code>; routes marked
“no token” need none. Errors are JSON with a gRPC code, a message in zh-CN or English (by the
<code>Accept-Language</code> header every route takes) and details.</p>
{{range $i, $o := .Ops}}{{if or (eq $i 0) (ne $o.Tag (index $.Ops (sub1 $i)).Tag)}}<h2>{{$o.Tag}}</h2>{{end}}
<div class="op"><span class="m {{$o.Method}}">{{$o.Method}}</span> <code>{{$o.Path}}</code>
<div class="p">{{$o.Summary}}{{if $o.Description}} — {{$o.Description}}{{end}}{{if $o.Public}} (no token){{end}}</div>
{{if $o.Consumes}}<div class="p">request body: {{$o.Consumes}}</div>{{end}}{{if $o.Produces}}<div class="p">response: {{$o.Produces}}</div>{{end}}
{{range $o.Params}}<div class="p"><code>{{.Name}}</code> ({{.In}}{{if .Type}}, {{.Type}}{{end}}{{if .Required}}, required{{end}})</div>{{end}}
</div>{{end}}
</body></html>`))
