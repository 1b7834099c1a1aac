package rpc

import (
	"fmt"
	"strings"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// describe words a request-validation violation for people, in English and Chinese. The
// rules our protos use get their own sentences; anything else falls back to protovalidate's
// English text.
func describe(v *protovalidate.Violation, req protoreflect.MessageDescriptor) (en, zh string) {
	rule := v.Proto.GetRuleId()
	val := ""
	if v.RuleValue.IsValid() {
		val = fmt.Sprint(v.RuleValue.Interface())
	}
	switch rule {
	case "required":
		return "is required", "必填"
	case "string.min_len", "bytes.min_len":
		if val == "1" {
			return "is required", "必填"
		}
		return "must be at least " + val + " characters", "至少 " + val + " 个字符"
	case "string.max_len":
		return "must be at most " + val + " characters", "不能超过 " + val + " 个字符"
	case "bytes.max_len":
		return "must be at most " + val + " bytes", "不能超过 " + val + " 字节"
	case "string.pattern":
		return "has the wrong format", "格式不正确"
	case "repeated.max_items":
		return "may have at most " + val + " entries", "最多 " + val + " 项"
	case "string.in":
		var names []string
		if l, ok := v.RuleValue.Interface().(protoreflect.List); v.RuleValue.IsValid() && ok {
			for i := range l.Len() {
				names = append(names, l.Get(i).String())
			}
		}
		return "must be one of " + strings.Join(names, ", "), "须为以下之一：" + strings.Join(names, ", ")
	case "enum.defined_only", "enum.in", "enum.not_in":
		names := enumNames(fieldOf(v, req), v)
		return "must be one of " + names, "须为以下之一：" + names
	}
	if lo, hi, ok := bounds(v); ok {
		return fmt.Sprintf("must be between %s and %s", lo, hi), fmt.Sprintf("须在 %s 与 %s 之间", lo, hi)
	}
	if strings.HasSuffix(rule, ".gte") || strings.HasSuffix(rule, ".gt") {
		return "must be at least " + val, "不能小于 " + val
	}
	msg := v.Proto.GetMessage()
	return msg, "不符合要求：" + msg
}

// bounds reads the two ends of a gte/lte range rule.
func bounds(v *protovalidate.Violation) (string, string, bool) {
	if !strings.HasSuffix(v.Proto.GetRuleId(), ".gte_lte") || v.RuleDescriptor == nil {
		return "", "", false
	}
	// The rule value is the gte end; the lte end is a sibling field of the same rule message.
	msg := v.Proto.GetMessage()
	lo, hi := "", ""
	if _, err := fmt.Sscanf(msg, "must be greater than or equal to %s and less than or equal to %s", &lo, &hi); err != nil {
		return "", "", false
	}
	return lo, hi, true
}

// fieldOf finds the descriptor of the violating field by walking its path from the request.
func fieldOf(v *protovalidate.Violation, md protoreflect.MessageDescriptor) protoreflect.FieldDescriptor {
	if v.FieldDescriptor != nil {
		return v.FieldDescriptor
	}
	var fd protoreflect.FieldDescriptor
	for _, el := range v.Proto.GetField().GetElements() {
		if md == nil {
			return nil
		}
		fd = md.Fields().ByNumber(protoreflect.FieldNumber(el.GetFieldNumber()))
		if fd == nil {
			return nil
		}
		md = fd.Message()
	}
	return fd
}

// enumNames lists the values a client may send for an enum field: those of an "in" rule,
// else every value but UNSPECIFIED (and those of a "not_in" rule).
func enumNames(fd protoreflect.FieldDescriptor, v *protovalidate.Violation) string {
	if fd == nil || fd.Enum() == nil {
		return "a defined value"
	}
	listed := map[int64]bool{}
	if v.RuleValue.IsValid() {
		if l, ok := v.RuleValue.Interface().(protoreflect.List); ok {
			for i := range l.Len() {
				listed[l.Get(i).Int()] = true
			}
		}
	}
	in := v.Proto.GetRuleId() == "enum.in"
	var names []string
	vals := fd.Enum().Values()
	for i := range vals.Len() {
		ev := vals.Get(i)
		n := string(ev.Name())
		switch {
		case strings.HasSuffix(n, "_UNSPECIFIED"):
		case in && !listed[int64(ev.Number())]:
		case !in && listed[int64(ev.Number())]:
		default:
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}
