// Package xlsxread reads uploaded XLSX workbooks with bounded memory and time. Every
// workbook the project reads goes through it: the standards import now, the units import
// and evidence later.
//
// An upload is small, but a workbook describes far more than its bytes. A zip entry can
// unzip to gigabytes; one cell in column XFD makes excelize's GetRows (and Rows.Columns)
// pad its row out to 16 384 cells, which for 20 000 such rows took a server from 0.3 to
// 8 GB; and excelize decodes whole parts (styles, shared strings) into structs and reads
// a row in one call, so a 12 KiB file of a million empty elements costs gigabytes of
// allocation that no deadline stops. So reading is bounded in three layers:
//
//   - Open bounds unzipping (MaxUnzipBytes), keeps only the XML parts, and scans each of
//     them byte by byte, in constant memory, before excelize parses anything: the
//     elements in the workbook and in one row, the text in one element and the length of
//     a tag are bounded by the caller's limits.
//   - Workbook.Rows streams a sheet row by row (never GetRows), refusing the first row
//     wider than the caller allows, the first cell longer, or the first row past the
//     count, and stopping when the request's context ends.
//   - Problems are *Error values that say where they are (sheet, row, column) in English
//     and Chinese, for the importer to show to the person who filled in the workbook.
package xlsxread
