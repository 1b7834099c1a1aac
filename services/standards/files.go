package standards

import (
	"context"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// Content types of the file forms.
const (
	ContentTypeYAML = "application/yaml"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// fileProblems refuses a file, listing each problem as a violation of "content".
func fileProblems(list []string) error {
	e := errs.New(codes.InvalidArgument, "STANDARD_FILE_INVALID",
		"the file has problems; nothing was imported", "文件存在问题，未导入任何内容")
	for _, p := range list {
		e.Fields = append(e.Fields, errs.Field{Name: "content", EN: p, ZH: p})
	}
	return e
}

// ImportStandard creates a draft from a YAML or XLSX file, or imports nothing.
func (s *Server) ImportStandard(ctx context.Context, req *standardsv1.ImportStandardRequest) (*standardsv1.Standard, error) {
	var (
		std      *standardsv1.Standard
		problems []string
		where    func(int, string) string
	)
	if req.GetFormat() == standardsv1.StandardFormat_STANDARD_FORMAT_XLSX {
		std, problems, where = UnmarshalXLSX(req.GetContent())
	} else {
		std, problems = UnmarshalYAML(req.GetContent())
	}
	if len(problems) > 0 {
		return nil, fileProblems(problems)
	}
	if _, invalid, _ := Check(std); len(invalid) > 0 {
		if where != nil {
			return nil, fileProblems(xlsxProblems(invalid, where))
		}
		for _, p := range invalid {
			msg := p.GetField() + ": " + p.GetMessage()
			if p.GetIndicatorCode() != "" {
				msg = "indicator " + p.GetIndicatorCode() + ", " + msg
			}
			problems = append(problems, msg)
		}
		return nil, fileProblems(problems)
	}
	return s.CreateStandard(ctx, &standardsv1.CreateStandardRequest{OfficeId: req.GetOfficeId(), Standard: std})
}

// ExportStandard writes a standard the caller can see as YAML or XLSX.
func (s *Server) ExportStandard(ctx context.Context, req *standardsv1.ExportStandardRequest) (*httpbody.HttpBody, error) {
	std, err := s.GetStandard(ctx, &standardsv1.GetStandardRequest{StandardId: req.GetStandardId()})
	if err != nil {
		return nil, err
	}
	if req.GetFormat() == standardsv1.StandardFormat_STANDARD_FORMAT_XLSX {
		b, err := MarshalXLSX(std)
		return &httpbody.HttpBody{ContentType: ContentTypeXLSX, Data: b}, err
	}
	b, err := MarshalYAML(std)
	return &httpbody.HttpBody{ContentType: ContentTypeYAML + "; charset=utf-8", Data: b}, err
}
