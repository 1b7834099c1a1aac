// Package resource holds the API conventions every service's handlers share: ids, etags,
// update masks, required fields and not-found answers (docs/architecture.md).
package resource

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// NewID returns a new resource id: a UUIDv7, so ids sort by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Etag is the etag of a row's version.
func Etag(version int64) string { return strconv.FormatInt(version, 10) }

// CheckEtag compares the caller's etag with the stored version: missing is INVALID_ARGUMENT
// on "etag", stale is errs.ErrStaleEtag.
func CheckEtag(given string, version int64) error {
	if given == "" {
		return errs.Invalid("etag", "give the etag of the version you are changing", "请提供所修改版本的 etag")
	}
	if given != Etag(version) {
		return errs.ErrStaleEtag
	}
	return nil
}

// CheckMask returns the mask's paths after checking that each is one of allowed (by its
// proto or its JSON name).
func CheckMask(m *fieldmaskpb.FieldMask, allowed ...string) ([]string, error) {
	if m == nil || len(m.GetPaths()) == 0 {
		return nil, errs.Invalid("update_mask", "name the fields to change", "请在 update_mask 中列出要修改的字段")
	}
	for _, p := range m.GetPaths() {
		if !Has(allowed, p) {
			return nil, errs.Invalid("update_mask", "field "+p+" cannot be changed; changeable: "+strings.Join(allowed, ", "),
				"字段 "+p+" 不可修改；可修改的字段："+strings.Join(allowed, "、"))
		}
	}
	return m.GetPaths(), nil
}

// Has reports whether paths names the field name, by its proto or its JSON name.
func Has(paths []string, name string) bool {
	for _, p := range paths {
		if p == name || p == snakeToCamel(name) || snakeToCamel(p) == name {
			return true
		}
	}
	return false
}

func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// Required is INVALID_ARGUMENT on field when value is empty.
func Required(field, value string) error {
	if value == "" {
		return errs.Invalid(field, "is required", "必填")
	}
	return nil
}

// NotFound turns ent's not-found into the API's NOT_FOUND for what, and passes other errors.
// A row the caller may not see is not found too: the privacy filter hides it.
func NotFound(err error, what string) error {
	if ent.IsNotFound(err) {
		return errs.NotFound(what)
	}
	return err
}

// UploadSizeKey is the gRPC metadata key in which the gateway passes an upload's
// Content-Length, so the evidence service refuses a file too large before its bytes are
// sent. It is not part of the request an Idempotency-Key covers: a retry of the same file
// sent chunked is the same upload.
const UploadSizeKey = "x-wenming-upload-size"

// UploadReadyKey is the response header the evidence service sends once it has accepted an
// upload's caller and header; the gateway reads no byte of the body before it (a refused
// stream ends with headers too, carrying the request id, but never this one).
const UploadReadyKey = "x-wenming-upload-ready"
