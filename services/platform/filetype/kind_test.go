package filetype

import "testing"

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		kind      Kind
		fileTypes []string
		want      bool
	}{
		{kindJPEG, nil, true},
		{kindJPEG, []string{"pdf", "jpg"}, true},
		{kindJPEG, []string{"jpeg"}, true},
		{kindJPEG, []string{"JPG"}, true},
		{kindJPEG, []string{".jpg"}, true},
		{kindJPEG, []string{"png", "pdf"}, false},
		{kindPNG, []string{"jpg", "jpeg"}, false},
		{kindDOC, []string{"doc"}, true},
		{kindDOC, []string{"wps"}, true},
		{kindDOC, []string{"docx"}, false},
		{kindXLS, []string{"et"}, true},
		{kindXLS, []string{"xlsx"}, false},
		{kindPPT, []string{"dps"}, true},
		{kindPPT, []string{"ppt"}, true},
		{kindDOCX, []string{"doc", "wps"}, false},
		{kindDOCX, []string{"docx"}, true},
		{kindText, []string{"csv"}, true},
		{kindTextGB, []string{"txt"}, true},
		{kindText, []string{"pdf"}, false},
		{kindOFD, []string{"ofd"}, true},
		{kindOFD, []string{"pdf"}, false},
		{kindHEIC, []string{"heic"}, true},
		{kindHEIC, []string{"jpg"}, false},
		{kindMOV, []string{"mp4"}, false},
		{kindMP4, []string{"mov", "mp4"}, true},
		{Kind{}, nil, false},
		{Kind{Ext: "exe", MIME: "application/x-msdownload"}, nil, false},
		{Kind{Ext: "exe", MIME: "application/x-msdownload"}, []string{"exe"}, false},
		{Kind{Ext: "txt", MIME: "text/html"}, []string{"txt"}, false}, // not a kind Sniff returns
	} {
		if got := c.kind.Matches(c.fileTypes); got != c.want {
			t.Errorf("%+v.Matches(%q) = %v, want %v", c.kind, c.fileTypes, got, c.want)
		}
	}
}

// TestMatchesVocabulary checks that every extension EvidenceSpec.file_types allows (the list
// in api/wenming/standards/v1/resources.proto) is accepted by some kind Sniff can return.
func TestMatchesVocabulary(t *testing.T) {
	for _, ext := range []string{"pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "et", "ppt", "pptx", "dps", "txt", "csv", "jpg", "jpeg", "png", "gif", "bmp", "webp", "heic", "mp3", "mp4", "mov"} {
		n := 0
		for _, k := range kinds {
			if k.Matches([]string{ext}) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no kind matches file type %q", ext)
		}
	}
}

func TestIsImage(t *testing.T) {
	for k, want := range map[Kind]bool{kindJPEG: true, kindPNG: true, kindGIF: true, kindBMP: true, kindWebP: true, kindHEIC: true, kindPDF: false, kindMP4: false, kindMOV: false, kindDOCX: false, kindText: false, {}: false} {
		if got := k.IsImage(); got != want {
			t.Errorf("%+v.IsImage() = %v, want %v", k, got, want)
		}
	}
}

func TestDeclaredMatches(t *testing.T) {
	for _, c := range []struct {
		declared string
		kind     Kind
		want     bool
	}{
		{"", kindPNG, true},
		{"application/octet-stream", kindPDF, true},
		{"image/png", kindPNG, true},
		{"IMAGE/PNG", kindPNG, true},
		{"image/jpeg", kindJPEG, true},
		{"image/jpg", kindJPEG, true},
		{"image/png", kindJPEG, false},
		{"text/html", kindText, false},
		{"text/plain; charset=gbk", kindTextGB, true},
		{"text/csv", kindText, true},
		{"application/vnd.ms-excel", kindText, true}, // what Windows browsers send for .csv
		{"application/vnd.ms-excel", kindXLS, true},
		{"application/vnd.ms-excel", kindXLSX, false},
		{"application/kswps", kindDOC, true},
		{"application/zip", kindDOCX, true},
		{"application/zip", kindPDF, false},
		{"image/heif", kindHEIC, true},
		{"video/quicktime", kindMOV, true},
		{"video/quicktime", kindMP4, false},
		{"image/png", Kind{}, false}, // HTML bytes sniff as nothing: no declaration makes them a PNG
		{"", Kind{}, false},          // nor does the lack of one
		{"image/png; x=\"unterminated", kindPNG, false},
		{"not a media type", kindPNG, false},
	} {
		if got := DeclaredMatches(c.declared, c.kind); got != c.want {
			t.Errorf("DeclaredMatches(%q, %+v) = %v, want %v", c.declared, c.kind, got, c.want)
		}
	}
}

func TestByMIME(t *testing.T) {
	for _, k := range kinds {
		if got, ok := ByMIME(k.MIME); !ok || got != k {
			t.Errorf("ByMIME(%q) = %+v, %v; want %+v", k.MIME, got, ok, k)
		}
	}
	for _, mime := range []string{"", "text/html", "text/plain", "application/octet-stream"} {
		if k, ok := ByMIME(mime); ok {
			t.Errorf("ByMIME(%q) = %+v, want none", mime, k)
		}
	}
}

// TestName: a stored name always ends in an extension of what the bytes are.
func TestName(t *testing.T) {
	for _, c := range []struct {
		kind       Kind
		name, want string
	}{
		{kindJPEG, "照片.jpeg", "照片.jpeg"}, {kindJPEG, "照片.JPG", "照片.JPG"}, {kindPNG, "照片.jpg", "照片.jpg.png"},
		{kindText, "整改说明.bat", "整改说明.bat.txt"}, {kindText, "名单.csv", "名单.csv"}, {kindText, "page.html", "page.html.txt"},
		{kindPDF, "报告", "报告.pdf"}, {kindPDF, ".pdf", ".pdf.pdf"}, {kindDOC, "通知.wps", "通知.wps"},
		{kindPNG, "photo. png", "photo. png.png"}, {kindPNG, "photo.png ", "photo.png .png"},
	} {
		if got := c.kind.Name(c.name); got != c.want {
			t.Errorf("%s.Name(%q) = %q, want %q", c.kind.Ext, c.name, got, c.want)
		}
	}
}
