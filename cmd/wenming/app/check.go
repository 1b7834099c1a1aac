package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/wenming-platform/wenming/services/evidence"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/review"
	"github.com/wenming-platform/wenming/services/standards"
)

// The checks of `wenming check`, by the name each has in its report (docs/operations.md,
// Checking the data).
const (
	CheckFiles       = "files"
	CheckIdempotency = "idempotency"
	CheckTransitions = "transitions"
	CheckAuditChains = "audit_chains"
	CheckResults     = "results"
	CheckTenancy     = "tenancy"
)

// MaxExamples is how many violations a check lists by default; the rest are only counted.
const MaxExamples = 20

// CheckReport is what `wenming check` found, and its --json output: one CheckResult per
// invariant, always all six and always in the order of the constants above, so a harness
// can read it by name. OK is true when no check found a violation or failed to run.
type CheckReport struct {
	OK     bool          `json:"ok"`
	Checks []CheckResult `json:"checks"`
}

// CheckResult is one invariant's verdict. Counts says what the check examined, by kind
// (files, bytes, applications, events…), so a clean verdict on nothing shows as such.
// Violations is how many it found; Examples lists the first of them, at most the cap the
// check ran with. Error is set when the check could not run to its end (the database or
// the blob store failed): its counts are then partial and it does not pass.
type CheckResult struct {
	Name       string           `json:"name"`
	OK         bool             `json:"ok"`
	Counts     map[string]int64 `json:"counts"`
	Violations int64            `json:"violations"`
	Examples   []Violation      `json:"examples"`
	Error      string           `json:"error,omitempty"`
}

// Violation is one broken invariant: Subject names the row or object as "table/id"
// ("evidence_file/0193…", "office/platform"), Problem says what is wrong with it.
type Violation struct {
	Subject string `json:"subject"`
	Problem string `json:"problem"`
}

// CheckOptions tunes Check.
type CheckOptions struct {
	// MaxExamples caps each check's list of violations; 0 means MaxExamples.
	MaxExamples int
	// Clock is the time results are recomputed at (an evidence item past its return
	// deadline scores 0); nil means the wall clock. A test process on a fake clock passes
	// its own.
	Clock func() time.Time
}

// Check verifies the invariants of the data in st and blobs, changing nothing: the files
// against their blobs, the idempotency records against what they created, every
// application's and campaign's state against its audit trail, every office's audit chain
// under trail's key, every result against a recompute by the scoring engine, and the
// tenancy paths of every tenant-owned row (docs/operations.md, Checking the data). It
// reads page by page, so memory stays flat whatever the size of the province, except for
// the ranking of one campaign that the results check holds. The error is only for a
// report that could not be made at all; a check that fails midway says so in its result.
func Check(ctx context.Context, st *store.Store, blobs blob.Store, trail *audit.Chain, o CheckOptions) (*CheckReport, error) {
	if o.MaxExamples <= 0 {
		o.MaxExamples = MaxExamples
	}
	ctx = store.System(ctx)
	rv := review.NewServer(review.Deps{Store: st, Clock: o.Clock})
	checks := []struct {
		name string
		run  func(report func(subject, problem string)) (map[string]int64, error)
	}{
		{CheckFiles, func(r func(string, string)) (map[string]int64, error) {
			return evidence.VerifyFiles(ctx, st.Client, blobs, r)
		}},
		{CheckIdempotency, func(r func(string, string)) (map[string]int64, error) { return checkIdempotency(ctx, st, r) }},
		{CheckTransitions, func(r func(string, string)) (map[string]int64, error) {
			apps, err := evidence.VerifyApplicationTrail(ctx, st.Client, r)
			if err != nil {
				return apps, err
			}
			camps, err := standards.VerifyCampaignTrail(ctx, st.Client, r)
			for k, v := range camps {
				apps[k] = v
			}
			return apps, err
		}},
		{CheckAuditChains, func(r func(string, string)) (map[string]int64, error) { return checkChains(ctx, st, trail, r) }},
		{CheckResults, func(r func(string, string)) (map[string]int64, error) { return rv.VerifyResults(ctx, r) }},
		{CheckTenancy, func(r func(string, string)) (map[string]int64, error) { return checkTenancy(ctx, st, r) }},
	}
	rep := &CheckReport{OK: true}
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := CheckResult{Name: c.name, Examples: []Violation{}}
		counts, err := c.run(func(subject, problem string) {
			res.Violations++
			if len(res.Examples) < o.MaxExamples {
				res.Examples = append(res.Examples, Violation{Subject: subject, Problem: problem})
			}
		})
		res.Counts = counts
		if res.Counts == nil {
			res.Counts = map[string]int64{}
		}
		if err != nil {
			res.Error = err.Error()
		}
		res.OK = res.Violations == 0 && err == nil
		rep.OK = rep.OK && res.OK
		rep.Checks = append(rep.Checks, res)
	}
	return rep, nil
}

// Result returns the check named name, or nil.
func (r *CheckReport) Result(name string) *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// WriteText writes the report for a person: a line per check, its violations indented
// under it.
func (r *CheckReport) WriteText(w io.Writer) {
	for _, c := range r.Checks {
		keys := make([]string, 0, len(c.Counts))
		for k := range c.Counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var counts []string
		for _, k := range keys {
			counts = append(counts, fmt.Sprintf("%s %d", k, c.Counts[k]))
		}
		verdict := "ok"
		if !c.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "%-6s %-12s %s", verdict, c.Name, strings.Join(counts, ", "))
		if c.Violations > 0 {
			fmt.Fprintf(w, "; %d violation(s)", c.Violations)
		}
		fmt.Fprintln(w)
		if c.Error != "" {
			fmt.Fprintf(w, "       could not finish: %s\n", c.Error)
		}
		for _, v := range c.Examples {
			fmt.Fprintf(w, "       %s: %s\n", v.Subject, v.Problem)
		}
		if more := c.Violations - int64(len(c.Examples)); more > 0 {
			fmt.Fprintf(w, "       … and %d more\n", more)
		}
	}
}

// checkChains is the chain check of `wenming audit verify`, without kept checkpoints.
func checkChains(ctx context.Context, st *store.Store, trail *audit.Chain, report func(subject, problem string)) (map[string]int64, error) {
	breaks, n, err := trail.Verify(ctx, st.Client)
	counts := map[string]int64{"events": int64(n)}
	for _, b := range breaks {
		if b.EventID == "" {
			report("office/"+b.OfficeID, b.Reason)
			continue
		}
		report("office/"+b.OfficeID, fmt.Sprintf("at sequence %d (event %s): %s", b.Sequence, b.EventID, b.Reason))
	}
	return counts, err
}
