package rpc

import (
	"errors"
	"strconv"
	"unicode"
	"unicode/utf8"

	"buf.build/go/protovalidate"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/wenming-platform/wenming/services/platform/errs"
)

// Validate checks a message the way every request is checked: its protovalidate
// constraints, then the text rules of every string field in it, however deeply nested.
// Importers call it on the requests they build from files, so an imported standard passes
// exactly the checks an API-built one does. It returns an *errs.Error naming each field.
func Validate(m proto.Message) error {
	e := &errs.Error{Code: codes.InvalidArgument, Reason: "INVALID_ARGUMENT"}
	if err := protovalidate.Validate(m); err != nil {
		var ve *protovalidate.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for _, viol := range ve.Violations {
			en, zh := describe(viol, m.ProtoReflect().Descriptor())
			e.Fields = append(e.Fields, errs.Field{Name: protovalidate.FieldPathString(viol.Proto.GetField()), EN: en, ZH: zh})
		}
	}
	checkText(m.ProtoReflect(), "", &e.Fields)
	if len(e.Fields) == 0 {
		return nil
	}
	e.EN = "invalid request: " + e.Fields[0].Name + ": " + e.Fields[0].EN
	e.ZH = "请求无效：" + e.Fields[0].Name + "：" + e.Fields[0].ZH
	return e
}

// multiline are the fields that hold prose, where line breaks and tabs belong. Every other
// string is a single line: a name, code, id, token or value.
var multiline = map[protoreflect.Name]bool{
	"guidance": true, "method": true, "reason": true, "narrative": true, "content": true,
	"comment": true, "finding": true, "description": true, "note": true,
}

// maxTextFields bounds how many violations one request reports.
const maxTextFields = 20

// checkText walks every set string field of m. PostgreSQL refuses NUL in text, and control
// characters, bidirectional overrides and zero-width characters in names let one unit or
// login impersonate another on screen, so they are refused everywhere, before any handler.
func checkText(m protoreflect.Message, path string, out *[]errs.Field) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := path + string(fd.Name())
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				key := name + "[" + strconv.Quote(k.String()) + "]"
				if fd.MapKey().Kind() == protoreflect.StringKind {
					textField(key, k.String(), false, out)
				}
				switch fd.MapValue().Kind() {
				case protoreflect.StringKind:
					textField(key, mv.String(), multiline[fd.Name()], out)
				case protoreflect.MessageKind, protoreflect.GroupKind:
					checkText(mv.Message(), key+".", out)
				}
				return len(*out) < maxTextFields
			})
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				el := name + "[" + strconv.Itoa(i) + "]"
				switch fd.Kind() {
				case protoreflect.StringKind:
					textField(el, l.Get(i).String(), multiline[fd.Name()], out)
				case protoreflect.MessageKind, protoreflect.GroupKind:
					checkText(l.Get(i).Message(), el+".", out)
				}
			}
		case fd.Kind() == protoreflect.StringKind:
			textField(name, v.String(), multiline[fd.Name()], out)
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			checkText(v.Message(), name+".", out)
		}
		return len(*out) < maxTextFields
	})
}

func textField(name, s string, multi bool, out *[]errs.Field) {
	if en, zh := TextProblem(s, multi); en != "" {
		*out = append(*out, errs.Field{Name: name, EN: en, ZH: zh})
	}
}

// TextProblem says what is wrong with s as a field's text, or returns empty strings. Prose
// (multi) may hold line breaks and tabs; nothing may hold NUL or other control characters,
// invalid UTF-8, bidirectional overrides or zero-width characters, or only white space.
func TextProblem(s string, multi bool) (en, zh string) {
	if s == "" {
		return "", ""
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text", "不是有效的 UTF-8 文本"
	}
	blank := true
	for _, r := range s {
		switch {
		case multi && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return "must not contain control characters (such as NUL or line breaks)", "不能包含控制字符（如 NUL 或换行）"
		case invisible(r):
			return "must not contain invisible formatting characters (bidirectional overrides, zero-width characters)", "不能包含不可见的格式字符（双向覆盖、零宽字符）"
		}
		if !unicode.IsSpace(r) {
			blank = false
		}
	}
	if blank {
		return "must not be only white space", "不能只包含空白"
	}
	return "", ""
}

// invisible reports the format characters that change how text looks without showing:
// the bidirectional embeddings, overrides and isolates, and the zero-width characters.
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2069, r == 0xFEFF, r == 0x061C:
		return true
	}
	return false
}
