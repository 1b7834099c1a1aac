package standards

import (
	"context"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/standard"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
)

// The indicator list is stored flat, in order; an indicator's children are the indicators
// naming it as parent, in list order. Each edit below rewrites the list of a draft under the
// standard's etag, so two editors never overwrite each other.

// editIndicators runs edit on a draft's indicator list and saves the result.
func (s *Server) editIndicators(ctx context.Context, id, etag, action string, edit func([]*standardsv1.Indicator) ([]*standardsv1.Indicator, error)) (*standardsv1.Standard, error) {
	return s.change(ctx, id, etag, action, true, func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error) {
		if cur.State != standard.StateDRAFT {
			return nil, errNotDraft
		}
		list, err := decodeIndicators(cur.Indicators)
		if err != nil {
			return nil, err
		}
		if list, err = edit(list); err != nil {
			return nil, err
		}
		b, err := encodeIndicators(list)
		if err != nil {
			return nil, err
		}
		return tx.Standard.UpdateOneID(cur.ID).Where(standard.Version(cur.Version)).AddVersion(1).SetIndicators(b).Save(ctx)
	})
}

func indexOf(list []*standardsv1.Indicator, code string) int {
	return slices.IndexFunc(list, func(in *standardsv1.Indicator) bool { return in.GetCode() == code })
}

// subtree returns the indices of code and all its descendants, in list order.
func subtree(list []*standardsv1.Indicator, code string) []int {
	in := map[string]bool{code: true}
	var out []int
	for changed := true; changed; {
		changed = false
		for _, ind := range list {
			if !in[ind.GetCode()] && in[ind.GetParentCode()] {
				in[ind.GetCode()], changed = true, true
			}
		}
	}
	for i, ind := range list {
		if in[ind.GetCode()] {
			out = append(out, i)
		}
	}
	return out
}

// insert puts block among parent's children at position (nil or past the end: last).
func insert(list, block []*standardsv1.Indicator, parent string, position *int32) []*standardsv1.Indicator {
	at := len(list)
	var siblings []int
	for i, in := range list {
		if in.GetParentCode() == parent {
			siblings = append(siblings, i)
		}
	}
	if position != nil && int(*position) < len(siblings) {
		at = siblings[*position]
	} else if len(siblings) > 0 {
		// After the last sibling's whole subtree.
		sub := subtree(list, list[siblings[len(siblings)-1]].GetCode())
		at = sub[len(sub)-1] + 1
	} else if p := indexOf(list, parent); p >= 0 {
		at = p + 1
	}
	return slices.Concat(list[:at], block, list[at:])
}

func codeTaken(code string) error {
	return errs.New(codes.AlreadyExists, "INDICATOR_CODE_TAKEN", "the standard already has an indicator "+code, "已有编码为 "+code+" 的指标").
		WithField("indicator.code", "already in use", "已被使用")
}

func noIndicator(code string) error {
	return errs.New(codes.NotFound, "NOT_FOUND", "the standard has no indicator "+code, "该测评体系没有编码为 "+code+" 的指标")
}

// CreateIndicator adds an indicator to a draft.
func (s *Server) CreateIndicator(ctx context.Context, req *standardsv1.CreateIndicatorRequest) (*standardsv1.Standard, error) {
	in := proto.Clone(req.GetIndicator()).(*standardsv1.Indicator)
	if err := resource.Required("indicator.code", in.GetCode()); err != nil {
		return nil, err
	}
	return s.editIndicators(ctx, req.GetStandardId(), req.GetEtag(), "indicator.create", func(list []*standardsv1.Indicator) ([]*standardsv1.Indicator, error) {
		if indexOf(list, in.GetCode()) >= 0 {
			return nil, codeTaken(in.GetCode())
		}
		if p := in.GetParentCode(); p != "" && indexOf(list, p) < 0 {
			return nil, errs.Invalid("indicator.parent_code", "the standard has no indicator "+p, "没有编码为 "+p+" 的指标")
		}
		return insert(list, []*standardsv1.Indicator{in}, in.GetParentCode(), req.Position), nil
	})
}

// UpdateIndicator changes or moves an indicator of a draft.
func (s *Server) UpdateIndicator(ctx context.Context, req *standardsv1.UpdateIndicatorRequest) (*standardsv1.Standard, error) {
	paths, err := resource.CheckMask(req.GetUpdateMask(), "code", "parent_code", "position", "title", "guidance", "method", "kind",
		"max_points", "step", "target", "floor", "per_item", "items", "evidence_spec")
	if err != nil {
		return nil, err
	}
	src := req.GetIndicator()
	return s.editIndicators(ctx, req.GetStandardId(), req.GetEtag(), "indicator.update", func(list []*standardsv1.Indicator) ([]*standardsv1.Indicator, error) {
		i := indexOf(list, req.GetCode())
		if i < 0 {
			return nil, noIndicator(req.GetCode())
		}
		in := list[i]
		set := map[string]func(){
			"title": func() { in.Title = src.GetTitle() }, "guidance": func() { in.Guidance = src.GetGuidance() },
			"method": func() { in.Method = src.GetMethod() }, "kind": func() { in.Kind = src.GetKind() },
			"max_points": func() { in.MaxPoints = src.GetMaxPoints() }, "step": func() { in.Step = src.GetStep() },
			"target": func() { in.Target = src.GetTarget() }, "floor": func() { in.Floor = src.GetFloor() },
			"per_item": func() { in.PerItem = src.GetPerItem() }, "items": func() { in.Items = src.GetItems() },
			"evidence_spec": func() { in.EvidenceSpec = src.GetEvidenceSpec() },
		}
		for field, apply := range set {
			if resource.Has(paths, field) {
				apply()
			}
		}
		if resource.Has(paths, "code") && src.GetCode() != in.GetCode() {
			if src.GetCode() == "" {
				return nil, errs.Invalid("indicator.code", "is required", "必填")
			}
			if indexOf(list, src.GetCode()) >= 0 {
				return nil, codeTaken(src.GetCode())
			}
			for _, c := range list {
				if c.GetParentCode() == in.GetCode() {
					c.ParentCode = src.GetCode()
				}
			}
			in.Code = src.GetCode()
		}
		if !resource.Has(paths, "parent_code") && !resource.Has(paths, "position") {
			return list, nil
		}
		parent := in.GetParentCode()
		if resource.Has(paths, "parent_code") {
			parent = src.GetParentCode()
		}
		// Move the indicator with its subtree; it cannot move under itself.
		idx := subtree(list, in.GetCode())
		var block, rest []*standardsv1.Indicator
		for j, c := range list {
			if slices.Contains(idx, j) {
				block = append(block, c)
			} else {
				rest = append(rest, c)
			}
		}
		if parent != "" && indexOf(rest, parent) < 0 {
			return nil, errs.Invalid("indicator.parent_code", "no indicator "+parent+" outside the one being moved", "移动目标 "+parent+" 不存在或位于被移动指标之下")
		}
		in.ParentCode = parent
		return insert(rest, block, parent, req.Position), nil
	})
}

// DeleteIndicator removes an indicator (and with cascade its descendants) from a draft.
func (s *Server) DeleteIndicator(ctx context.Context, req *standardsv1.DeleteIndicatorRequest) (*standardsv1.Standard, error) {
	return s.editIndicators(ctx, req.GetStandardId(), req.GetEtag(), "indicator.delete", func(list []*standardsv1.Indicator) ([]*standardsv1.Indicator, error) {
		if indexOf(list, req.GetCode()) < 0 {
			return nil, noIndicator(req.GetCode())
		}
		idx := subtree(list, req.GetCode())
		if len(idx) > 1 && !req.GetCascade() {
			return nil, errs.New(codes.FailedPrecondition, "INDICATOR_HAS_CHILDREN",
				"the indicator has children: delete them first, or pass cascade", "该指标有下级指标：请先删除下级，或指定 cascade")
		}
		var out []*standardsv1.Indicator
		for j, c := range list {
			if !slices.Contains(idx, j) {
				out = append(out, c)
			}
		}
		return out, nil
	})
}
