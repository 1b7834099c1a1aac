package review

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Content types of the exports.
const (
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	contentTypeCSV  = "text/csv; charset=utf-8"
)

// xlsxRows is how many rows one XLSX sheet holds (Excel's limit, less the header): a longer
// table continues on a sheet named like it with a number.
const xlsxRows = 1_048_575

// chunkSize is the most bytes one HttpBody message of an export carries.
const chunkSize = 64 << 10

// chunks sends what is written to it as HttpBody messages of at most chunkSize bytes, so an
// export reaches the client as it is made, in bounded memory.
type chunks struct {
	stream grpc.ServerStreamingServer[httpbody.HttpBody]
	ctype  string
	buf    []byte
}

func (c *chunks) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= chunkSize {
		if err := c.stream.Send(&httpbody.HttpBody{ContentType: c.ctype, Data: c.buf[:chunkSize]}); err != nil {
			return 0, err
		}
		c.buf = append(c.buf[:0], c.buf[chunkSize:]...)
	}
	return len(p), nil
}

// flush sends what is left.
func (c *chunks) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	return c.stream.Send(&httpbody.HttpBody{ContentType: c.ctype, Data: c.buf})
}

// table is one sheet of an export: its name and header in both languages, and a function
// that writes its rows in order.
type table struct {
	nameZH, nameEN string
	headZH, headEN []string
	rows           func(emit func(row []any) error) error
}

// export streams tables as an XLSX workbook, or the one table sheet picks as CSV (UTF-8 with
// a byte-order mark, which Excel needs to read it as UTF-8), named file.
func export(ctx context.Context, stream grpc.ServerStreamingServer[httpbody.HttpBody], format reviewv1.ExportFormat,
	sheet reviewv1.ExportSheet, file string, tables []table) error {
	zh := errs.PreferZH(ctx)
	ext, ctype := ".xlsx", contentTypeXLSX
	if format == reviewv1.ExportFormat_EXPORT_FORMAT_CSV {
		ext, ctype = ".csv", contentTypeCSV
	}
	if err := stream.SetHeader(metadata.Pairs("content-disposition", "attachment; filename*=UTF-8''"+url.PathEscape(file+ext))); err != nil {
		return err
	}
	out := &chunks{stream: stream, ctype: ctype}
	head := func(t table) []string {
		if zh {
			return t.headZH
		}
		return t.headEN
	}
	if format == reviewv1.ExportFormat_EXPORT_FORMAT_CSV {
		i := max(int(sheet)-1, 0)
		if i >= len(tables) {
			return errs.Invalid("sheet", "this export has no such table", "该导出没有这张表")
		}
		if _, err := io.WriteString(out, "\uFEFF"); err != nil {
			return err
		}
		w := csv.NewWriter(out)
		if err := w.Write(head(tables[i])); err != nil {
			return err
		}
		err := tables[i].rows(func(row []any) error {
			rec := make([]string, len(row))
			for j, v := range row {
				rec[j] = csvCell(fmt.Sprint(v))
			}
			return w.Write(rec)
		})
		if err != nil {
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		return out.flush()
	}
	f := excelize.NewFile()
	defer f.Close()
	for ti, t := range tables {
		name := t.nameEN
		if zh {
			name = t.nameZH
		}
		part, n := 1, 0
		var sw *excelize.StreamWriter
		open := func() error {
			title := name
			if part > 1 {
				title = name + " " + strconv.Itoa(part)
			}
			if ti == 0 && part == 1 {
				if err := f.SetSheetName("Sheet1", title); err != nil {
					return err
				}
			} else if _, err := f.NewSheet(title); err != nil {
				return err
			}
			var err error
			if sw, err = f.NewStreamWriter(title); err != nil {
				return err
			}
			hr := make([]any, len(head(t)))
			for j, h := range head(t) {
				hr[j] = h
			}
			n = 0
			return sw.SetRow("A1", hr)
		}
		if err := open(); err != nil {
			return err
		}
		err := t.rows(func(row []any) error {
			if n == xlsxRows {
				if err := sw.Flush(); err != nil {
					return err
				}
				part++
				if err := open(); err != nil {
					return err
				}
			}
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n+1)
			return sw.SetRow(cell, row)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if err := f.Write(out); err != nil {
		return err
	}
	return out.flush()
}

// yesNo is a boolean as an export writes it.
func yesNo(b, zh bool) string {
	switch {
	case zh && b:
		return "是"
	case zh:
		return "否"
	case b:
		return "yes"
	}
	return "no"
}

// rankedRow is one result as the ranking export reads it, with its campaign-wide rank.
type rankedRow struct {
	rank int
	row  *ent.Result
}

// eachRanked calls fn with each result of the campaign the caller may read, in ranking order
// with its campaign-wide rank, reading pages of 500 in sort-key order. It reads as the system
// to count every result's place, and keeps to the caller's scope itself (viewer.CanRead):
// an office below the campaign's exports its own units, ranked among all.
func (s *Server) eachRanked(ctx context.Context, db store.Reads, campaignID string, detail bool, fn func(rankedRow) error) error {
	v := viewer.FromContext(ctx)
	sys := store.System(ctx)
	fields := []string{result.FieldID, result.FieldScopePath, result.FieldSortKey, result.FieldUnitID, result.FieldUnitDisplayName,
		result.FieldUnitOfficeID, result.FieldUnitCategory, result.FieldTotal, result.FieldBase, result.FieldBonus,
		result.FieldDeductions, result.FieldVetoed, result.FieldState, result.FieldSubmitTime, result.FieldUpdateTime}
	if detail {
		fields = append(fields, result.FieldDetail)
	}
	rank := 0
	after := []byte{}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := db.Result.Query().Where(result.CampaignID(campaignID), result.SortKeyGT(after)).
			Order(ent.Asc(result.FieldSortKey)).Limit(500).Select(fields...).All(sys)
		if err != nil {
			return err
		}
		for _, r := range page {
			rank++
			if !v.CanRead(r.ScopePath) {
				continue
			}
			if err := fn(rankedRow{rank: rank, row: r}); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].SortKey
	}
}

// ExportRanking streams a campaign's ranking.
func (s *Server) ExportRanking(req *reviewv1.ExportRankingRequest, stream grpc.ServerStreamingServer[httpbody.HttpBody]) error {
	ctx := stream.Context()
	db := s.st.Reader(ctx)
	c, err := db.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil {
		return resource.NotFound(err, "campaign")
	}
	rv, err := s.load(ctx, db.Client, c.ID)
	if err != nil {
		return err
	}
	zh := errs.PreferZH(ctx)
	sys := store.System(ctx)
	offices := map[string]string{}
	if os, err := db.Office.Query().Where(office.ScopePathHasPrefix(c.ScopePath)).Select(office.FieldID, office.FieldDisplayName).All(sys); err == nil {
		for _, o := range os {
			offices[o.ID] = o.DisplayName
		}
	} else {
		return err
	}
	reviewers := map[string]string{}
	if us, err := db.User.Query().Where(user.OfficeID(c.OfficeID)).Select(user.FieldID, user.FieldDisplayName, user.FieldLogin).All(sys); err == nil {
		for _, u := range us {
			reviewers[u.ID] = cmp.Or(u.DisplayName, u.Login)
		}
	} else {
		return err
	}
	decode := func(r *ent.Result) (*reviewv1.Result, error) {
		d := &reviewv1.Result{}
		return d, proto.Unmarshal(r.Detail, d)
	}
	// A leaf's column is headed by its code and title, in the standard's own words.
	var leafHead []string
	for _, l := range rv.plan.leaves {
		leafHead = append(leafHead, l.Code+" "+l.Title)
	}
	ranking := table{
		nameZH: "排名", nameEN: "Ranking",
		headZH: []string{"名次", "单位", "单位类别", "所属文明办", "总分", "基础分", "加分", "扣分", "否决", "状态", "最终提交时间"},
		headEN: []string{"Rank", "Unit", "Category", "Office", "Total", "Base", "Bonus", "Deductions", "Vetoed", "State", "Final submission"},
		rows: func(emit func([]any) error) error {
			return s.eachRanked(ctx, db, c.ID, false, func(x rankedRow) error {
				r := x.row
				return emit([]any{x.rank, r.UnitDisplayName, r.UnitCategory, offices[r.UnitOfficeID], scoring.Points(r.Total).String(),
					scoring.Points(r.Base).String(), scoring.Points(r.Bonus).String(), scoring.Points(r.Deductions).String(),
					yesNo(r.Vetoed, zh), r.State, r.SubmitTime.UTC().Format("2006-01-02 15:04:05Z")})
			})
		},
	}
	indicators := table{
		nameZH: "指标得分", nameEN: "Indicator points",
		headZH: append([]string{"名次", "单位"}, leafHead...),
		headEN: append([]string{"Rank", "Unit"}, leafHead...),
		rows: func(emit func([]any) error) error {
			return s.eachRanked(ctx, db, c.ID, true, func(x rankedRow) error {
				d, err := decode(x.row)
				if err != nil {
					return err
				}
				points := map[string]string{}
				walkNodes(d.GetExplanation(), func(n *reviewv1.ExplanationNode) { points[n.GetCode()] = n.GetPoints() })
				row := []any{x.rank, x.row.UnitDisplayName}
				for _, l := range rv.plan.leaves {
					row = append(row, points[l.Code])
				}
				return emit(row)
			})
		},
	}
	inputs := table{
		nameZH: "评审原始数据", nameEN: "Reviewer inputs",
		headZH: []string{"名次", "单位", "指标", "评审员", "录入", "分值", "评语"},
		headEN: []string{"Rank", "Unit", "Indicator", "Reviewer", "Entered", "Points", "Comment"},
		rows: func(emit func([]any) error) error {
			return s.eachRanked(ctx, db, c.ID, true, func(x rankedRow) error {
				d, err := decode(x.row)
				if err != nil {
					return err
				}
				var failed error
				walkNodes(d.GetExplanation(), func(n *reviewv1.ExplanationNode) {
					for _, in := range n.GetInputs() {
						if failed == nil {
							failed = emit([]any{x.rank, x.row.UnitDisplayName, n.GetCode(), cmp.Or(reviewers[in.GetReviewerId()], in.GetReviewerId()),
								in.GetEntered(), in.GetValue(), in.GetComment()})
						}
					}
				})
				return failed
			})
		},
	}
	return export(ctx, stream, req.GetFormat(), req.GetSheet(), "ranking-"+strconv.Itoa(c.Year)+"-"+c.ID, []table{ranking, indicators, inputs})
}

// ExportSummary streams an office's summary.
func (s *Server) ExportSummary(req *reviewv1.ExportSummaryRequest, stream grpc.ServerStreamingServer[httpbody.HttpBody]) error {
	ctx := stream.Context()
	if req.GetSheet() == reviewv1.ExportSheet_EXPORT_SHEET_INPUTS {
		return errs.Invalid("sheet", "a summary has the MAIN and INDICATORS tables only", "汇总只有 MAIN 和 INDICATORS 两张表")
	}
	sum, err := s.summary(ctx, summaryQuery{officeID: req.GetOfficeId(), year: req.GetYear(), level: req.GetTargetLevel(), top: int(req.GetTop())}, "")
	if err != nil {
		return err
	}
	counts := table{
		nameZH: "下级汇总", nameEN: "Offices",
		headZH: []string{"文明办", "申报", "已提交", "已评分", "退回整改中", "否决", "推荐", "平均分", "中位数"},
		headEN: []string{"Office", "Applied", "Submitted", "Scored", "Returned", "Vetoed", "Recommended", "Mean total", "Median total"},
		rows: func(emit func([]any) error) error {
			for _, c := range append(sum.GetChildren(), sum.GetTotal()) {
				if err := emit([]any{c.GetDisplayName(), c.GetApplied(), c.GetSubmitted(), c.GetScored(), c.GetReturned(), c.GetVetoed(),
					c.GetRecommended(), c.GetMeanTotal(), c.GetMedianTotal()}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	top := table{
		nameZH: "优秀单位", nameEN: "Best units",
		headZH: []string{"名次", "单位", "总分", "基础分", "状态", "所属文明办"},
		headEN: []string{"Place", "Unit", "Total", "Base", "State", "Offices"},
		rows: func(emit func([]any) error) error {
			for _, u := range sum.GetTop() {
				path := ""
				for i, p := range u.GetOfficePath() {
					if i > 0 {
						path += " / "
					}
					path += p
				}
				if err := emit([]any{u.GetPlace(), u.GetUnitDisplayName(), u.GetTotal(), u.GetBase(), u.GetState(), path}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return export(ctx, stream, req.GetFormat(), req.GetSheet(), "summary-"+strconv.Itoa(int(req.GetYear()))+"-"+req.GetOfficeId(), []table{counts, top})
}

// walkNodes calls fn for every node of an explanation, depth first.
func walkNodes(n *reviewv1.ExplanationNode, fn func(*reviewv1.ExplanationNode)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.GetChildren() {
		walkNodes(c, fn)
	}
}

// csvCell keeps a spreadsheet from reading text as a formula: a cell that starts with =, +,
// -, @, a tab or a carriage return and is not a number (a unit's name, a comment) is
// written with a leading apostrophe, as OWASP advises for CSV exports.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := scoring.ParsePoints(s); err == nil {
		return s
	}
	return "'" + s
}
