// Package errs is the one boundary between domain errors and the API. Domain code returns
// *Error values (or wraps the sentinels below); the gRPC interceptor turns them into
// canonical status codes with google.rpc details: ErrorInfo (a stable reason),
// BadRequest (field violations) and LocalizedMessage in zh-CN or English, chosen by the
// caller's Accept-Language. Any other error becomes INTERNAL and its text never leaves
// the process.
package errs

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Domain is the ErrorInfo domain of every Wenming error.
const Domain = "wenming"

// Error is a domain error that knows how it is reported.
type Error struct {
	Code   codes.Code
	Reason string
	EN, ZH string
	Fields []Field
	// Preconditions, sent as google.rpc.PreconditionFailure, list what stands in the way of
	// a FAILED_PRECONDITION: every missing piece of evidence, the window that closed.
	Preconditions []Precondition
	// RetryAfterSeconds, when positive, is sent as google.rpc.RetryInfo.
	RetryAfterSeconds int64
}

// Precondition is one unmet condition: Type is a stable name of its kind
// ("EVIDENCE_MISSING"), Subject what it is about ("1.2.3/2026-03").
type Precondition struct {
	Type, Subject string
	EN, ZH        string
}

// Field is one invalid field of a request.
type Field struct {
	Name   string
	EN, ZH string
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Reason, e.EN, e.Fields[0].Name, e.Fields[0].EN)
	}
	return e.Reason + ": " + e.EN
}

// Is matches errors of the same code and reason, so callers can test with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Reason == e.Reason
}

// WithField returns a copy of e that also names a field violation.
func (e *Error) WithField(name, en, zh string) *Error {
	c := *e
	c.Fields = append(append([]Field(nil), e.Fields...), Field{Name: name, EN: en, ZH: zh})
	return &c
}

// New returns an error with a code, a stable reason and messages in both languages.
func New(code codes.Code, reason, en, zh string) *Error {
	return &Error{Code: code, Reason: reason, EN: en, ZH: zh}
}

// Invalid returns INVALID_ARGUMENT naming one field.
func Invalid(field, en, zh string) *Error {
	return &Error{
		Code: codes.InvalidArgument, Reason: "INVALID_ARGUMENT",
		EN: "invalid request: " + field + ": " + en, ZH: "请求无效：" + field + "：" + zh,
		Fields: []Field{{Name: field, EN: en, ZH: zh}},
	}
}

// NotFound is returned for a missing object and for one the caller may not see: the two
// must be indistinguishable.
func NotFound(resource string) *Error {
	return &Error{
		Code: codes.NotFound, Reason: "NOT_FOUND",
		EN: resource + " not found", ZH: "未找到" + zhResource(resource),
	}
}

// Sentinels shared by every service.
var (
	ErrStaleEtag = New(codes.Aborted, "ETAG_MISMATCH",
		"the resource was changed by someone else: reload it and try again (etag mismatch)",
		"资源已被他人修改，请刷新后重试（etag 不匹配）")
	ErrUnauthenticated = New(codes.Unauthenticated, "UNAUTHENTICATED",
		"missing, invalid or expired credentials", "凭证缺失、无效或已过期")
	ErrPermissionDenied = New(codes.PermissionDenied, "PERMISSION_DENIED",
		"you do not have permission for this action", "您没有执行此操作的权限")
)

func zhResource(r string) string {
	switch r {
	case "office":
		return "文明办"
	case "unit":
		return "单位"
	case "user":
		return "用户"
	case "service account":
		return "服务账号"
	case "parent office":
		return "上级文明办"
	case "negative list entry":
		return "负面清单记录"
	case "application":
		return "申报"
	case "evidence":
		return "材料"
	case "file":
		return "文件"
	case "campaign":
		return "创建周期"
	}
	return r
}

// Status converts err into a gRPC status in the language the caller asked for. Errors that
// are already statuses pass through; unknown errors become a bare INTERNAL.
func Status(ctx context.Context, err error) *status.Status {
	var e *Error
	if !errors.As(err, &e) {
		e = transient(ctx, err)
	}
	if e == nil {
		if s, ok := status.FromError(err); ok {
			return s
		}
		if errors.Is(err, context.Canceled) {
			return status.New(codes.Canceled, "request canceled")
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return status.New(codes.DeadlineExceeded, "deadline exceeded")
		}
		return status.New(codes.Internal, "internal error")
	}
	zh := PreferZH(ctx)
	msg := e.EN
	locale := "en"
	if zh {
		msg, locale = e.ZH, "zh-CN"
	}
	s := status.New(e.Code, msg)
	details := []protoadaptMessage{
		&errdetails.ErrorInfo{Reason: e.Reason, Domain: Domain},
		&errdetails.LocalizedMessage{Locale: locale, Message: msg},
	}
	if len(e.Fields) > 0 {
		br := &errdetails.BadRequest{}
		for _, f := range e.Fields {
			d := f.EN
			if zh {
				d = f.ZH
			}
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: f.Name, Description: d})
		}
		details = append(details, br)
	}
	if len(e.Preconditions) > 0 {
		pf := &errdetails.PreconditionFailure{}
		for _, p := range e.Preconditions {
			d := p.EN
			if zh {
				d = p.ZH
			}
			pf.Violations = append(pf.Violations, &errdetails.PreconditionFailure_Violation{Type: p.Type, Subject: p.Subject, Description: d})
		}
		details = append(details, pf)
	}
	if e.RetryAfterSeconds > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationSeconds(e.RetryAfterSeconds)})
	}
	if ds, derr := s.WithDetails(toV1(details)...); derr == nil {
		return ds
	}
	return s
}

// errConflict answers a transaction the database aborted to resolve a conflict with
// another: nothing was changed, and the same request may simply be sent again.
var errConflict = &Error{Code: codes.Aborted, Reason: "TRANSACTION_CONFLICT",
	EN: "the request collided with a concurrent one and changed nothing; send it again",
	ZH: "请求与并发请求冲突，未做任何修改；请重新发送", RetryAfterSeconds: 1}

// ErrUnavailable answers a request whose database, file store or cache connection was
// lost, refused or never made: the server is restarting, failing over, out of connections
// or cut off. A later attempt may well succeed (docs/errors.md, "Retrying").
var ErrUnavailable = &Error{Code: codes.Unavailable, Reason: "BACKEND_UNAVAILABLE",
	EN: "a database or file store the request needs is unavailable for the moment; send the request again shortly",
	ZH: "请求所需的数据库或文件存储暂时不可用，请稍后重新发送", RetryAfterSeconds: 2}

// errTimeout answers a statement the database cancelled after its statement or lock
// timeout while the caller was still waiting: the database is overloaded or a lock is held.
var errTimeout = &Error{Code: codes.Unavailable, Reason: "BACKEND_TIMEOUT",
	EN: "the database took too long and cancelled the request's work; send the request again shortly",
	ZH: "数据库处理超时，已取消本请求的操作；请稍后重新发送", RetryAfterSeconds: 2}

// ErrStorageFull answers a write that found the database's or the file store's disk full.
var ErrStorageFull = &Error{Code: codes.Unavailable, Reason: "STORAGE_FULL",
	EN: "the server's storage is full; nothing was stored. Send the request again later",
	ZH: "服务器存储空间已满，未保存任何内容；请稍后重新发送", RetryAfterSeconds: 60}

// transient returns the answer to an error of the stores that the request did not cause
// and that a retry may not meet (a conflict, a lost connection, a timeout, a full disk),
// or nil for any other error. It goes by the SQLSTATE, SQLite result code, errno or
// interface an error carries, so this package needs no driver.
func transient(ctx context.Context, err error) *Error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller gave up or ran out of time: whatever the store said was caused by
		// that (a cancelled statement, a connection closed under it).
		return nil
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		switch state := pg.SQLState(); {
		case state == "40001", state == "40P01":
			return errConflict
		case state == "53100":
			return ErrStorageFull
		case state == "57014", state == "55P03":
			// query_canceled by statement_timeout, lock_not_available by lock_timeout.
			return errTimeout
		case strings.HasPrefix(state, "08"), // connection exception
			state == "57P01", state == "57P02", state == "57P03", // shutdown, crash, starting up
			strings.HasPrefix(state, "53"), // out of connections or memory
			state == "58030":               // io_error
			return ErrUnavailable
		}
		return nil
	}
	// SQLite's single writer: a transaction that waited out the busy timeout for another's
	// write lock (SQLITE_BUSY, 5; SQLITE_LOCKED, 6) is a conflict to retry, like a deadlock.
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case 5, 6:
			return errConflict
		case 13: // SQLITE_FULL
			return ErrStorageFull
		case 10: // SQLITE_IOERR
			return ErrUnavailable
		}
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return ErrStorageFull
	}
	// A connection lost or refused: the pool's bad connection, a network error (refused,
	// reset, timed out, a name that did not resolve), a stream cut short, or a driver's
	// own word that the statement was never sent (pgconn's SafeToRetry).
	var netErr net.Error
	var retry interface{ SafeToRetry() bool }
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &retry) && retry.SafeToRetry()) {
		return ErrUnavailable
	}
	return nil
}

// Conflict reports whether err is one the database raised to resolve a conflict between
// transactions (a serialization failure or deadlock, or SQLite's write lock waited out):
// the transaction changed nothing and may be run again.
func Conflict(err error) bool { return transient(context.Background(), err) == errConflict }

// PreferZH reports whether the caller prefers Chinese. zh-CN is the default; English is
// chosen when the first language the caller names is English.
func PreferZH(ctx context.Context) bool {
	for _, key := range []string{"accept-language", "grpcgateway-accept-language"} {
		for _, v := range metadata.ValueFromIncomingContext(ctx, key) {
			first := strings.ToLower(strings.TrimSpace(strings.Split(strings.Split(v, ",")[0], ";")[0]))
			if first == "" || first == "*" {
				continue
			}
			return !strings.HasPrefix(first, "en")
		}
	}
	return true
}
