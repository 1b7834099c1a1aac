package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The unzip limits of every workbook. Uploads are capped at 1 MiB, and a real workbook
// compresses a few times over, so 32 MiB unzipped is ample; a zip bomb stops here. Parts
// above MaxPartBytes (a large sheet or shared-string table) are spooled to a temporary
// file rather than held in memory.
const (
	MaxUnzipBytes = 32 << 20
	MaxPartBytes  = 16 << 20
)

// Limits bound one sheet. A row counts when it holds a value; blank rows are skipped.
type Limits struct {
	Rows      int // rows with a value, the header row included
	Columns   int // columns from A: a value further right refuses the row
	CellChars int // characters in one cell
}

// Error is a problem with a workbook, placed by sheet, row and column (1-based; zero
// when the problem is the whole sheet or row).
type Error struct {
	Sheet       string
	Row, Column int
	EN, ZH      string
}

// Error returns the English text: "sheet 测评细则, row 5, column XFD: …".
func (e *Error) Error() string {
	return place(e.where(", row %d", ", column %s", "sheet %s"), ": ", e.EN)
}

// Chinese returns the Chinese text: "工作表 测评细则，第 5 行，XFD 列：…".
func (e *Error) Chinese() string {
	return place(e.where("，第 %d 行", "，%s 列", "工作表 %s"), "：", e.ZH)
}

func place(where, sep, msg string) string {
	if where == "" {
		return msg
	}
	return where + sep + msg
}

func (e *Error) where(row, col, sheet string) string {
	var b strings.Builder
	if e.Sheet != "" {
		fmt.Fprintf(&b, sheet, e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, row, e.Row)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, col, ColumnName(e.Column))
	}
	return strings.TrimLeft(b.String(), ", ，")
}

// ColumnName returns the letters of a 1-based column number: 1 is A, 16384 is XFD.
func ColumnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// Workbook is an open workbook. Close it to remove its temporary files.
type Workbook struct{ f *excelize.File }

// Open opens a workbook from its bytes. largest is the largest of the limits the caller
// will read its sheets with: it sizes how much XML the whole workbook may hold. Only the XML
// parts are kept (images and other media are not needed to read cells), each checked
// before excelize parses it, and unzipping stops at MaxUnzipBytes.
//
// It returns an *Error when the bytes are not a workbook or the workbook is beyond
// those bounds.
func Open(data []byte, largest Limits) (*Workbook, error) {
	notWorkbook := func(err error) error {
		return &Error{
			EN: fmt.Sprintf("the file is not an XLSX workbook of at most %d MiB unzipped: %v", MaxUnzipBytes>>20, err),
			ZH: fmt.Sprintf("文件不是解压后不超过 %d MiB 的 XLSX 工作簿：%v", MaxUnzipBytes>>20, err),
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notWorkbook(err)
	}
	var parts []*zip.File
	var size uint64
	for _, zf := range zr.File {
		if name := strings.ToLower(zf.Name); strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			parts = append(parts, zf)
			size += zf.UncompressedSize64
		}
	}
	// archive/zip refuses an entry that unzips to more than it declares, so the declared
	// sizes bound the scan.
	if size > MaxUnzipBytes {
		return nil, notWorkbook(fmt.Errorf("it unzips to %d bytes", size))
	}
	var kept bytes.Buffer
	zw := zip.NewWriter(&kept)
	sc := newScan(largest)
	buf := make([]byte, 32<<10)
	for _, zf := range parts {
		r, err := zf.Open()
		if err != nil {
			return nil, notWorkbook(err)
		}
		err = sc.part(zf.Name, r)
		_ = r.Close()
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		if err != nil {
			return nil, notWorkbook(err)
		}
		if err := copyPart(zw, zf, buf); err != nil {
			return nil, notWorkbook(err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, notWorkbook(err)
	}
	f, err := excelize.OpenReader(&kept, excelize.Options{UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: MaxPartBytes})
	if err != nil {
		return nil, notWorkbook(err)
	}
	return &Workbook{f: f}, nil
}

// copyPart copies a part still compressed, with one buffer for all: zip.Writer.Copy
// takes 32 KiB for each part, 640 MiB for a workbook of 20 000 empty parts.
func copyPart(zw *zip.Writer, zf *zip.File, buf []byte) error {
	r, err := zf.OpenRaw()
	if err != nil {
		return err
	}
	w, err := zw.CreateRaw(&zf.FileHeader)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(w, r, buf)
	return err
}

// Close removes the workbook's temporary files.
func (w *Workbook) Close() error { return w.f.Close() }

// Rows calls fn with each row of sheet that holds a value, in order, with its 1-based row
// number and its cells from column A (trailing blank cells left out).
//
// It returns an *Error for a missing sheet, a row wider than lim.Columns, a cell longer
// than lim.CellChars or more than lim.Rows rows; the context's error (wrapped) once ctx
// ends; or fn's error. Each is returned at the first row it applies to, so a hostile
// sheet costs at most one row past what fn was given.
func (w *Workbook) Rows(ctx context.Context, sheet string, lim Limits, fn func(row int, cells []string) error) error {
	rows, err := w.f.Rows(sheet)
	if err != nil {
		var missing excelize.ErrSheetNotExist
		if errors.As(err, &missing) {
			return &Error{Sheet: sheet, EN: "the workbook has no such sheet", ZH: "工作簿中没有这个工作表"}
		}
		return &Error{Sheet: sheet, EN: "cannot read the sheet: " + err.Error(), ZH: "无法读取工作表：" + err.Error()}
	}
	defer rows.Close()
	// Next steps through row numbers, blank rows and gaps included, so counting calls
	// gives the row number (excelize does not expose it).
	n, used := 0, 0
	for rows.Next() {
		n++
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sheet %s, row %d: %w", sheet, n, err)
		}
		// Columns pads a row with blanks out to its rightmost value, so a value in XFD
		// costs one row of 16 384 cells (about half a MiB) before it is refused here;
		// excelize v2.11 has no call that returns a row's cells unpadded. The scan has
		// bounded the rest of the row's cost.
		cells, err := rows.Columns()
		if err != nil {
			return &Error{Sheet: sheet, Row: n, EN: "cannot read the row: " + err.Error(), ZH: "无法读取该行：" + err.Error()}
		}
		if len(cells) > lim.Columns {
			last := ColumnName(lim.Columns)
			// Without cell references excelize counts on past XFD; name the last column.
			return &Error{Sheet: sheet, Row: n, Column: min(len(cells), excelize.MaxColumns),
				EN: fmt.Sprintf("the sheet has %d columns, A to %s: nothing may be written further right", lim.Columns, last),
				ZH: fmt.Sprintf("此工作表只有 A 至 %s 共 %d 列，右侧不能填写内容", last, lim.Columns)}
		}
		blank := true
		for j, c := range cells {
			if len(c) > lim.CellChars && utf8.RuneCountInString(c) > lim.CellChars {
				return &Error{Sheet: sheet, Row: n, Column: j + 1,
					EN: fmt.Sprintf("the cell is longer than %d characters", lim.CellChars),
					ZH: fmt.Sprintf("单元格超过 %d 个字符", lim.CellChars)}
			}
			blank = blank && strings.TrimSpace(c) == ""
		}
		if blank {
			continue
		}
		if used++; used > lim.Rows {
			return &Error{Sheet: sheet, Row: n,
				EN: fmt.Sprintf("the sheet may have at most %d rows", lim.Rows),
				ZH: fmt.Sprintf("此工作表最多 %d 行", lim.Rows)}
		}
		if err := fn(n, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return &Error{Sheet: sheet, Row: n, EN: "cannot read the sheet: " + err.Error(), ZH: "无法读取工作表：" + err.Error()}
	}
	return nil
}
