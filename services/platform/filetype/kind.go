package filetype

import (
	"mime"
	"slices"
	"strings"
)

// Kind is an allowed kind of file: its canonical extension (one of EvidenceSpec.file_types,
// without the dot) and the MIME type to serve it with.
type Kind struct {
	Ext  string
	MIME string
}

// The allowed kinds. Text has two: its bytes are UTF-8 or GB18030 (what Chinese Windows
// writes for "ANSI" text and what Excel writes for CSV), and the charset must be served with
// it or the text shows garbled.
var (
	kindJPEG   = Kind{"jpg", "image/jpeg"}
	kindPNG    = Kind{"png", "image/png"}
	kindGIF    = Kind{"gif", "image/gif"}
	kindBMP    = Kind{"bmp", "image/bmp"}
	kindWebP   = Kind{"webp", "image/webp"}
	kindHEIC   = Kind{"heic", "image/heic"}
	kindPDF    = Kind{"pdf", "application/pdf"}
	kindOFD    = Kind{"ofd", "application/ofd"}
	kindDOC    = Kind{"doc", "application/msword"}
	kindXLS    = Kind{"xls", "application/vnd.ms-excel"}
	kindPPT    = Kind{"ppt", "application/vnd.ms-powerpoint"}
	kindDOCX   = Kind{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
	kindXLSX   = Kind{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	kindPPTX   = Kind{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
	kindText   = Kind{"txt", "text/plain; charset=utf-8"}
	kindTextGB = Kind{"txt", "text/plain; charset=gb18030"}
	kindMP3    = Kind{"mp3", "audio/mpeg"}
	kindMP4    = Kind{"mp4", "video/mp4"}
	kindMOV    = Kind{"mov", "video/quicktime"}
)

// sameAs maps the extensions of EvidenceSpec.file_types that have no kind of their own to the
// kind whose bytes they are:
//   - jpeg is jpg;
//   - wps, et and dps are WPS Office's names for OLE compound files with the same streams as
//     Word's doc, Excel's xls and PowerPoint's ppt: the bytes do not tell them apart, so a
//     spec asking for wps accepts a doc and one asking for doc accepts a wps;
//   - csv is text: a CSV file's bytes cannot be told from other text reliably (a one-column
//     CSV has no commas), so a spec asking for csv accepts any text and the name says which.
var sameAs = map[string]string{"jpeg": "jpg", "wps": "doc", "et": "xls", "dps": "ppt", "csv": "txt"}

// declaredTypes lists, for each kind's extension, the Content-Types a client may truthfully
// declare for it besides the kind's own: the older and vendor names browsers and phones send
// (Windows sends application/vnd.ms-excel for a .csv when Excel is installed, and
// application/vnd.ms-works or application/kswps for a .wps), and for the ZIP-based formats
// the ZIP types some clients fall back to.
var declaredTypes = map[string][]string{
	"jpg":  {"image/jpeg", "image/jpg", "image/pjpeg"},
	"png":  {"image/png", "image/x-png"},
	"gif":  {"image/gif"},
	"bmp":  {"image/bmp", "image/x-bmp", "image/x-ms-bmp"},
	"webp": {"image/webp"},
	"heic": {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"},
	"pdf":  {"application/pdf", "application/x-pdf"},
	"ofd":  {"application/ofd", "application/x-ofd", "application/zip", "application/x-zip-compressed"},
	"doc":  {"application/msword", "application/vnd.ms-works", "application/kswps", "application/wps-office.wps", "application/wps-office.doc"},
	"xls":  {"application/vnd.ms-excel", "application/kset", "application/wps-office.et", "application/wps-office.xls"},
	"ppt":  {"application/vnd.ms-powerpoint", "application/ksdps", "application/wps-office.dps", "application/wps-office.ppt"},
	"docx": {kindDOCX.MIME, "application/wps-office.docx", "application/zip", "application/x-zip-compressed"},
	"xlsx": {kindXLSX.MIME, "application/wps-office.xlsx", "application/zip", "application/x-zip-compressed"},
	"pptx": {kindPPTX.MIME, "application/wps-office.pptx", "application/zip", "application/x-zip-compressed"},
	"txt":  {"text/plain", "text/csv", "text/comma-separated-values", "text/x-csv", "application/csv", "application/vnd.ms-excel"},
	"mp3":  {"audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3"},
	"mp4":  {"video/mp4", "application/mp4"},
	"mov":  {"video/quicktime"},
}

// known reports whether k is one of the kinds Sniff returns (the zero Kind is not).
func (k Kind) known() bool { return slices.Contains(kinds, k) }

// IsImage reports whether k is a photo or picture, which is what an indicator's min_photos
// counts.
func (k Kind) IsImage() bool {
	switch k.Ext {
	case "jpg", "png", "gif", "bmp", "webp", "heic":
		return true
	}
	return false
}

// Matches reports whether k is one of an indicator's accepted file types (extensions as in
// EvidenceSpec.file_types, case and a leading dot ignored). An empty list accepts any
// allowed kind. "jpg" and "jpeg" are the same; "wps", "et" and "dps" accept doc, xls and ppt
// and the other way round, and "csv" and "txt" both accept text (see sameAs for why).
func (k Kind) Matches(fileTypes []string) bool {
	if !k.known() {
		return false
	}
	if len(fileTypes) == 0 {
		return true
	}
	return slices.ContainsFunc(fileTypes, func(ft string) bool { return canonicalExt(ft) == k.Ext })
}

func canonicalExt(ext string) string {
	ext = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ext), "."))
	if c, ok := sameAs[ext]; ok {
		return c
	}
	return ext
}

// DeclaredMatches reports whether a Content-Type a client declared for a file agrees with the
// kind sniffed from its bytes. An empty declaration or application/octet-stream claims
// nothing and agrees with any kind; anything else must be a type of that kind (parameters
// such as charset are ignored), so image/png declared for bytes that are not a PNG, or any
// type that does not parse, does not agree.
func DeclaredMatches(declared string, k Kind) bool {
	if !k.known() {
		return false
	}
	if strings.TrimSpace(declared) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(declared)
	if err != nil {
		return false
	}
	return mt == "application/octet-stream" || slices.Contains(declaredTypes[k.Ext], mt)
}
