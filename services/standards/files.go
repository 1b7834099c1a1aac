package standards

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/rpc"
)

// Content types of the file forms.
const (
	ContentTypeYAML = "application/yaml"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// standardFile is a standard as a file describes it: the standard, the file's own
// problems (as "content" violations), and where the file writes each field of the
// standard, by the field's path as rpc.Validate and Check name it
// ("indicators[3].evidence_spec.min_files").
type standardFile struct {
	std      *standardsv1.Standard
	problems []errs.Field
	at       func(field string) string
}

// problem is a "content" violation whose text is the same in both languages.
func problem(msg string) errs.Field { return errs.Field{Name: "content", EN: msg, ZH: msg} }

// maxListed bounds the problems one refusal lists: a file of 2 000 bad rows is refused
// with the first ones, not a response as large as the file.
const maxListed = 100

// fileProblems refuses a file, listing each problem as a violation of "content".
func fileProblems(list []errs.Field) error {
	e := errs.New(codes.InvalidArgument, "STANDARD_FILE_INVALID",
		"the file has problems; nothing was imported", "文件存在问题，未导入任何内容")
	if n := len(list) - maxListed; n > 0 {
		list = append(list[:maxListed:maxListed], errs.Field{Name: "content",
			EN: "and " + strconv.Itoa(n) + " more problems", ZH: "另有 " + strconv.Itoa(n) + " 个问题"})
	}
	e.Fields = list
	return e
}

// ImportStandard creates a draft from a YAML or XLSX file, or imports nothing.
//
// The caller's right to create standards in the office is checked before a byte of the
// file is read, so a caller who may not import cannot make the server parse anything.
// The request the file makes is then checked exactly as CreateStandard's is when it
// arrives (rpc.Validate), and with Check, every problem placed in the file, before
// anything is stored.
func (s *Server) ImportStandard(ctx context.Context, req *standardsv1.ImportStandardRequest) (*standardsv1.Standard, error) {
	if _, err := writableOffice(ctx, s.st.Client.Office, req.GetOfficeId()); err != nil {
		return nil, err
	}
	var (
		f   *standardFile
		err error
	)
	if req.GetFormat() == standardsv1.StandardFormat_STANDARD_FORMAT_XLSX {
		f, err = readXLSX(ctx, req.GetContent())
	} else {
		f = readYAML(req.GetContent())
	}
	if err != nil {
		return nil, err
	}
	if len(f.problems) > 0 {
		return nil, fileProblems(f.problems)
	}
	create := &standardsv1.CreateStandardRequest{OfficeId: req.GetOfficeId(), Standard: f.std}
	problems, err := f.check(create)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fileProblems(problems)
	}
	return s.CreateStandard(ctx, create)
}

// check runs the request's validation and Check on what the file describes, and places
// each problem in the file.
func (f *standardFile) check(req *standardsv1.CreateStandardRequest) ([]errs.Field, error) {
	var out []errs.Field
	if err := rpc.Validate(req); err != nil {
		var e *errs.Error
		if !errors.As(err, &e) {
			return nil, err
		}
		for _, v := range e.Fields {
			where := f.at(strings.TrimPrefix(v.Name, "standard."))
			out = append(out, errs.Field{Name: "content", EN: where + ": " + v.EN, ZH: where + "：" + v.ZH})
		}
	}
	_, invalid, _ := Check(req.GetStandard())
	for _, p := range invalid {
		msg := p.GetMessage()
		if p.GetIndicatorCode() != "" {
			msg = "indicator " + p.GetIndicatorCode() + ": " + msg
		}
		out = append(out, problem(f.at(p.GetField())+": "+msg))
	}
	return out, nil
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
