#!/usr/bin/env bash
# Checks the chart's observability files, offline:
#   - deploy/helm/wenming/files/alerts.yaml       promtool check rules
#   - deploy/helm/wenming/files/alerts_test.yaml  promtool test rules (the alerts' unit tests)
#   - deploy/helm/wenming/files/dashboard.json    valid JSON, and every PromQL expression of its
#     panels and variables parses (each is checked by promtool as a recording rule, with the
#     Grafana variables replaced by concrete values)
# Exits non-zero on the first failure and prints a short summary.
#
# promtool is built from the pinned Prometheus version from the Go module proxy once and kept
# in a directory beside the module cache, keyed by version (as .ci/versitygw.sh does), so
# later runs reuse it: the first run takes minutes, the next ones seconds.
#
#   deploy/scripts/check-observability.sh
set -euo pipefail

# Prometheus 3.x's Go module versions are v0.3MM.P for Prometheus 3.MM.P.
version=v0.316.0
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
# The project's GOFLAGS (-mod=readonly in .ci/run) are about our module, not this tool's build.
export GOFLAGS=

start=$SECONDS
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
files="$root/deploy/helm/wenming/files"

tools="${WENMING_TOOLS_DIR:-$(go env GOMODCACHE)/../wenming-tools}"
mkdir -p "$tools/promtool-$version"
dir="$(cd "$tools/promtool-$version" && pwd -P)"
bin="$dir/promtool"

# A binary is reused only if its build information names the pinned module version, so a
# file left by anything else at this path is rebuilt rather than trusted.
if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "github.com/prometheus/prometheus[[:space:]]*$version"; then
  echo "promtool $version: cached at $bin"
else
  # Build into a private directory and rename into place, so a concurrent run or an
  # interrupted build never leaves a half-written binary at the cached path.
  work="$(mktemp -d "$dir/.build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "building promtool $version into $dir (several minutes on 2 cores)" >&2
  (cd "$work" && GOBIN="$work" go install "github.com/prometheus/prometheus/cmd/promtool@$version") >&2
  mv -f "$work/promtool" "$bin"
  rm -rf "$work"
  trap - EXIT
  echo "promtool $version: built at $bin"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# quiet runs a check, showing its output only when it fails.
quiet() {
  if ! "$@" >"$tmp/out" 2>&1; then
    cat "$tmp/out" >&2
    echo "FAILED: $*" >&2
    exit 1
  fi
}

# 1. The rules file.
quiet "$bin" check rules "$files/alerts.yaml"
alerts=$(grep -c '^[[:space:]]*- alert:' "$files/alerts.yaml" || true)
records=$(grep -c '^[[:space:]]*- record:' "$files/alerts.yaml" || true)
echo "alerts.yaml: OK ($alerts alerts, $records recording rules)"

# 2. Its unit tests. promtool reads rule_files relative to the test file.
quiet "$bin" test rules "$files/alerts_test.yaml"
tests=$(grep -c '^[[:space:]]*- eval_time:' "$files/alerts_test.yaml" || true)
echo "alerts_test.yaml: OK ($tests evaluations)"

# 3. The dashboard: parse it and write every expression of its panels' targets, and the
# series selector of each label_values() variable, as a recording rule. Grafana's interval
# variables become 5m and the other variables a plain word, which is valid in both label
# values and regular expressions.
extract_py='
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit("dashboard.json is not valid JSON: %s" % e)
exprs = []
def walk(panels):
    for p in panels:
        for t in p.get("targets", []):
            if t.get("expr"):
                exprs.append(("panel %r" % p.get("title"), t["expr"]))
        walk(p.get("panels", []))
walk(d.get("panels", []))
for v in d.get("templating", {}).get("list", []):
    q = v.get("query")
    q = q.get("query", "") if isinstance(q, dict) else (q or "")
    m = re.match(r"^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$", q, re.S)
    if v.get("type") == "query" and m:
        exprs.append(("variable %r" % v.get("name"), m.group(1)))
if d.get("uid") != "wenming-overview":
    sys.exit("dashboard.json: uid is %r, want wenming-overview" % d.get("uid"))
ids = []
def ids_of(panels):
    for p in panels:
        ids.append(p.get("id"))
        ids_of(p.get("panels", []))
ids_of(d.get("panels", []))
if len(ids) != len(set(ids)):
    sys.exit("dashboard.json: panel ids are not unique")
out = ["groups:", "  - name: dashboard_check", "    rules:"]
for i, (where, e) in enumerate(exprs):
    e = re.sub(r"\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}", "5m", e)
    e = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", "x", e)
    out.append("      # %s" % where)
    out.append("      - record: dashboard_check_%d" % (i + 1))
    out.append("        expr: %s" % json.dumps(e))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(len(d.get("panels", [])), len(exprs))
'

extract_go='package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

type panel struct {
	ID      any     `json:"id"`
	Title   string  `json:"title"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func fail(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...); os.Exit(1) }

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	var d struct {
		UID        string  `json:"uid"`
		Panels     []panel `json:"panels"`
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		fail("dashboard.json is not valid JSON: %v", err)
	}
	if d.UID != "wenming-overview" {
		fail("dashboard.json: uid is %q, want wenming-overview", d.UID)
	}
	type item struct{ where, expr string }
	var exprs []item
	seen := map[string]bool{}
	count := 0
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			count++
			id := fmt.Sprint(p.ID)
			if seen[id] {
				fail("dashboard.json: panel ids are not unique")
			}
			seen[id] = true
			for _, t := range p.Targets {
				if t.Expr != "" {
					exprs = append(exprs, item{fmt.Sprintf("panel %q", p.Title), t.Expr})
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	lv := regexp.MustCompile(`(?s)^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
	for _, v := range d.Templating.List {
		var q string
		var qo struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(v.Query, &q) != nil && json.Unmarshal(v.Query, &qo) == nil {
			q = qo.Query
		}
		if m := lv.FindStringSubmatch(q); v.Type == "query" && m != nil {
			exprs = append(exprs, item{fmt.Sprintf("variable %q", v.Name), m[1]})
		}
	}
	interval := regexp.MustCompile(`\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}`)
	variable := regexp.MustCompile(`\$\{?[A-Za-z_][A-Za-z0-9_]*\}?`)
	var out strings.Builder
	out.WriteString("groups:\n  - name: dashboard_check\n    rules:\n")
	for i, e := range exprs {
		s := variable.ReplaceAllString(interval.ReplaceAllString(e.expr, "5m"), "x")
		j, _ := json.Marshal(s)
		fmt.Fprintf(&out, "      # %s\n      - record: dashboard_check_%d\n        expr: %s\n", e.where, i+1, j)
	}
	if err := os.WriteFile(os.Args[2], []byte(out.String()), 0o644); err != nil {
		fail("%v", err)
	}
	fmt.Println(len(d.Panels), len(exprs))
}
'

if [ -z "${WENMING_CHECK_NO_PYTHON:-}" ] && command -v python3 >/dev/null 2>&1; then
  counts="$(python3 -c "$extract_py" "$files/dashboard.json" "$tmp/dashboard-rules.yaml")"
else
  mkdir "$tmp/extract"
  printf '%s' "$extract_go" >"$tmp/extract/main.go"
  counts="$(cd "$tmp/extract" && go run main.go "$files/dashboard.json" "$tmp/dashboard-rules.yaml")"
fi
read -r panels exprs <<<"$counts"
if [ "$exprs" -eq 0 ]; then
  echo "FAILED: dashboard.json has no PromQL expressions" >&2
  exit 1
fi
quiet "$bin" check rules "$tmp/dashboard-rules.yaml"
echo "dashboard.json: OK ($panels top-level panels, $exprs PromQL expressions parse)"
echo "check-observability: all passed in $((SECONDS - start)) s"
