// Package jsonvalue holds the Go types of the schema's JSON columns. They live apart from
// the schema package because the generated entities refer to them, and the schema package
// imports generated code (its hooks and privacy rules): kept there they would make an
// import cycle.
package jsonvalue

import "time"

// TitleMove is one change of a title's state.
type TitleMove struct {
	State  string    `json:"state"`
	Reason string    `json:"reason"`
	Actor  string    `json:"actor"`
	Time   time.Time `json:"time"`
	// Document is the document the move rests on, Deadline a warning's rectification
	// deadline, Entry the negative-list entry a revocation (or its proposal) rests on.
	Document string     `json:"document,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
	Entry    string     `json:"entry,omitempty"`
}

// SelfAssessment is a unit's own value for one indicator, in hundredths of a point.
type SelfAssessment struct {
	IndicatorCode string `json:"indicator_code"`
	Points        int64  `json:"points"`
	Comment       string `json:"comment,omitempty"`
}

// Score is a reviewer's entry on one leaf indicator, as validated against the indicator's
// kind: points and value are canonical two-place decimals ("7.50").
type Score struct {
	IndicatorCode string   `json:"indicator_code"`
	Points        string   `json:"points,omitempty"`
	Grade         string   `json:"grade,omitempty"`
	Value         string   `json:"value,omitempty"`
	Ticked        []string `json:"ticked,omitempty"`
	Occurrences   int64    `json:"occurrences,omitempty"`
	Veto          bool     `json:"veto,omitempty"`
	VetoReason    string   `json:"veto_reason,omitempty"`
	Comment       string   `json:"comment,omitempty"`
}

// DeliveryAttempt is one attempt to deliver a webhook event.
type DeliveryAttempt struct {
	Time       time.Time `json:"time"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	Millis     int64     `json:"millis"`
}
