// Package review is Wenming's review service (docs/review.md): reviewers' assignments and
// score sheets, returns for rectification, veto decisions and spot checks, and the results
// and ranking computed from them with the scoring engine (services/platform/scoring).
//
// A result is kept current by the writes it depends on: the sheet that finalizes an
// application, a reopen, a veto decision, a spot check. Each of them calls settle in its
// own transaction, which recomputes that one application's result and its place in the
// ranking's sort key; no request recomputes a campaign.
package review
