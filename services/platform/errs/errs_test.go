package errs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

func withLang(lang string) context.Context {
	if lang == "" {
		return context.Background()
	}
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("accept-language", lang))
}

func TestStatusLocalizesAndNamesFields(t *testing.T) {
	err := fmt.Errorf("create unit: %w", Invalid("unit.credit_code", "is not a valid credit code", "不是有效的统一社会信用代码"))
	cases := []struct{ lang, locale, field string }{
		{"", "zh-CN", "不是有效的统一社会信用代码"},
		{"zh-CN,zh;q=0.9", "zh-CN", "不是有效的统一社会信用代码"},
		{"en-US,en;q=0.8", "en", "is not a valid credit code"},
		{"*", "zh-CN", "不是有效的统一社会信用代码"},
		{"fr-FR", "zh-CN", "不是有效的统一社会信用代码"},
	}
	for _, c := range cases {
		s := Status(withLang(c.lang), err)
		if s.Code() != codes.InvalidArgument {
			t.Errorf("%q: code %v", c.lang, s.Code())
		}
		var gotLocale, gotReason, gotField, gotDesc string
		for _, d := range s.Details() {
			switch d := d.(type) {
			case *errdetails.LocalizedMessage:
				gotLocale = d.Locale
			case *errdetails.ErrorInfo:
				gotReason = d.Reason
			case *errdetails.BadRequest:
				gotField, gotDesc = d.FieldViolations[0].Field, d.FieldViolations[0].Description
			}
		}
		if gotLocale != c.locale || gotReason != "INVALID_ARGUMENT" || gotField != "unit.credit_code" || gotDesc != c.field {
			t.Errorf("%q: locale %q reason %q field %q %q", c.lang, gotLocale, gotReason, gotField, gotDesc)
		}
	}
}

func TestStatusHidesInternalErrors(t *testing.T) {
	s := Status(context.Background(), errors.New("pq: password authentication failed for user secret"))
	if s.Code() != codes.Internal || s.Message() != "internal error" || len(s.Details()) != 0 {
		t.Errorf("internal error leaked: %v %q %v", s.Code(), s.Message(), s.Details())
	}
	if got := Status(context.Background(), fmt.Errorf("x: %w", context.DeadlineExceeded)).Code(); got != codes.DeadlineExceeded {
		t.Errorf("deadline: %v", got)
	}
}

func TestSentinelsMatchThroughWrapping(t *testing.T) {
	if !errors.Is(fmt.Errorf("update: %w", ErrStaleEtag), ErrStaleEtag) {
		t.Error("ErrStaleEtag does not match through %w")
	}
	if errors.Is(ErrStaleEtag, ErrPermissionDenied) {
		t.Error("distinct sentinels match each other")
	}
}

// sqlStateError is a driver error as pgconn reports one.
type sqlStateError string

func (e sqlStateError) Error() string    { return "database error " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

// sqliteError is a driver error as modernc's SQLite reports one: a result code.
type sqliteError int

func (e sqliteError) Error() string { return fmt.Sprintf("database is locked (%d)", int(e)) }
func (e sqliteError) Code() int     { return int(e) }

// TestConflictsAreRetryable: a deadlock or serialization failure, or SQLite's write lock
// waited out, however deeply wrapped, is ABORTED with TRANSACTION_CONFLICT and a retry
// delay, never INTERNAL; other database errors stay INTERNAL without their text.
func TestConflictsAreRetryable(t *testing.T) {
	for state, err := range map[string]error{
		"40001": sqlStateError("40001"), "40P01": sqlStateError("40P01"),
		"SQLITE_BUSY": sqliteError(5), "SQLITE_BUSY_SNAPSHOT": sqliteError(517), "SQLITE_LOCKED": sqliteError(6),
	} {
		s := Status(context.Background(), fmt.Errorf("ent: starting a transaction: %w", err))
		if s.Code() != codes.Aborted || len(s.Details()) == 0 || s.Details()[0].(*errdetails.ErrorInfo).GetReason() != "TRANSACTION_CONFLICT" {
			t.Errorf("%s: %v %v", state, s.Code(), s.Details())
		}
		retry := false
		for _, d := range s.Details() {
			_, ok := d.(*errdetails.RetryInfo)
			retry = retry || ok
		}
		if !retry {
			t.Errorf("%s: no RetryInfo", state)
		}
	}
	if s := Status(context.Background(), sqlStateError("23505")); s.Code() != codes.Internal || strings.Contains(s.Message(), "23505") {
		t.Errorf("a unique violation: %v %q", s.Code(), s.Message())
	}
	if s := Status(context.Background(), sqliteError(19)); s.Code() != codes.Internal {
		t.Errorf("an SQLite constraint error: %v", s.Code())
	}
}
