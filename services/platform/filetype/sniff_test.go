package filetype

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// samples builds a small valid file of each kind, and of the things that must be refused.
// The second value is the kind Sniff must return, or the zero Kind for a refusal.
func samples(t testing.TB) []struct {
	name string
	data []byte
	want Kind
} {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	encode := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	pngBytes := encode(func(b *bytes.Buffer) error { return png.Encode(b, img) })
	jpegBytes := encode(func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) })
	gifBytes := encode(func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) })

	docxParts := []zipPart{
		{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "/word/document.xml")},
		{"_rels/.rels", []byte(`<Relationships/>`)},
		{"word/document.xml", []byte(`<w:document><w:body><w:p><w:r><w:t>志愿服务</w:t></w:r></w:p></w:body></w:document>`)},
	}
	pptxParts := []zipPart{
		{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "/ppt/presentation.xml")},
		{"ppt/presentation.xml", []byte(`<p:presentation/>`)},
	}
	docmParts := []zipPart{
		{"[Content_Types].xml", contentTypes("application/vnd.ms-word.document.macroEnabled.main+xml", "/word/document.xml")},
		{"word/document.xml", []byte(`<w:document/>`)},
		{"word/vbaProject.bin", []byte("VBA")},
	}
	// A DOCX whose [Content_Types].xml comes last, as some writers order entries: its part
	// names decide.
	photo := make([]byte, 3*SniffLen) // incompressible, so it pushes what follows beyond the head
	rand.NewChaCha8([32]byte{}).Read(photo)
	docxNamesOnly := []zipPart{docxParts[2], {"word/media/image1.jpeg", photo}, docxParts[0]}
	// A DOCX whose first part after [Content_Types].xml is larger than the sniffed head.
	docxBigMedia := []zipPart{docxParts[0], {"word/media/image1.jpeg", photo}, docxParts[2]}

	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "测评细则")
	xb, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}

	mp3Frame := func() []byte {
		fr := make([]byte, 417) // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding
		copy(fr, []byte{0xFF, 0xFB, 0x90, 0x00})
		return fr
	}
	gbText, _ := hex.DecodeString("d6bed4b8b7fecef1bbeeb6afbcc7c2bc2cc8d5c6da0a") // 志愿服务活动记录,日期 in GB18030

	return []struct {
		name string
		data []byte
		want Kind
	}{
		{"png", pngBytes, kindPNG},
		{"jpeg", jpegBytes, kindJPEG},
		{"gif", gifBytes, kindGIF},
		{"bmp", bmp(), kindBMP},
		{"webp", append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), make([]byte, 24)...), kindWebP},
		{"heic", ftyp("heic", "mif1", "heic"), kindHEIC},
		{"heif with hevc images", ftyp("mif1", "mif1", "heic", "miaf"), kindHEIC},
		{"avif", ftyp("avif", "mif1", "avif", "miaf"), Kind{}},
		{"heif with avif images", ftyp("mif1", "mif1", "avif"), Kind{}},
		{"mp4", ftyp("isom", "isom", "iso2", "avc1", "mp41"), kindMP4},
		{"mp4 mp42", ftyp("mp42", "mp42", "isom"), kindMP4},
		{"mov", ftyp("qt  ", "qt  "), kindMOV},
		{"m4a audio", ftyp("M4A ", "M4A ", "mp42", "isom"), Kind{}},
		{"3gp", ftyp("3gp4", "3gp4", "isom"), Kind{}},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), kindPDF},
		{"docx", zipOf(t, false, docxParts), kindDOCX},
		{"docx streamed (data descriptors)", zipOf(t, true, docxParts), kindDOCX},
		{"docx named parts only", zipOf(t, true, docxNamesOnly), kindDOCX},
		{"docx streamed, parts after others", zipOf(t, true, []zipPart{{"_rels/.rels", []byte(`<Relationships/>`)}, {"docProps/app.xml", []byte(`<Properties/>`)}, docxParts[2]}), kindDOCX},
		{"docx with media beyond head", zipOf(t, false, docxBigMedia), kindDOCX},
		{"xlsx from excelize", xb.Bytes(), kindXLSX},
		{"pptx", zipOf(t, false, pptxParts), kindPPTX},
		{"docm (macros)", zipOf(t, false, docmParts), Kind{}},
		{"docx with a VBA project", zipOf(t, true, append(docxParts[1:], zipPart{"word/vbaProject.bin", []byte("VBA")})), Kind{}},
		{"docx declaring xlsx parts", zipOf(t, false, append(docxParts, zipPart{"xl/workbook.xml", []byte("<workbook/>")})), Kind{}},
		{"template", zipOf(t, false, []zipPart{{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "/word/document.xml")}}), Kind{}},
		{"ofd", zipOf(t, false, []zipPart{{"OFD.xml", []byte(`<ofd:OFD/>`)}, {"Doc_0/Document.xml", []byte(`<ofd:Document/>`)}}), kindOFD},
		{"ofd mixed with word", zipOf(t, false, []zipPart{{"OFD.xml", []byte(`<ofd:OFD/>`)}, {"word/document.xml", []byte(`<w:document/>`)}}), Kind{}},
		{"plain zip", zipOf(t, false, []zipPart{{"readme.txt", []byte("hello")}}), Kind{}},
		{"zip with an executable", zipOf(t, false, []zipPart{{"setup.exe", []byte("MZ\x90\x00")}}), Kind{}},
		{"doc", ole(t, oleDoc, nil, false), kindDOC},
		{"xls", ole(t, oleXLS, nil, false), kindXLS},
		{"ppt", ole(t, olePPT, nil, false), kindPPT},
		{"doc with an embedded workbook", ole(t, oleDocWithWorkbook, nil, false), kindDOC},
		{"ole installer", ole(t, oleOther, nil, false), Kind{}},
		{"doc, directory beyond head", ole(t, oleDoc, []byte{0xEC, 0xA5, 0xC1, 0x00}, true), kindDOC},
		{"xls, directory beyond head", ole(t, oleXLS, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00}, true), kindXLS},
		{"ppt, directory beyond head", ole(t, olePPT, []byte{0x0F, 0x00, 0xE8, 0x03}, true), kindPPT},
		{"ole, directory beyond head, no signature", ole(t, oleDoc, []byte("nothing"), true), Kind{}},
		{"mp3 id3", append([]byte("ID3\x04\x00\x00\x00\x00\x01\x00"), make([]byte, 300)...), kindMP3},
		{"mp3 frames", append(mp3Frame(), mp3Frame()...), kindMP3},
		{"one mp3-like header", append(mp3Frame()[:4], []byte("garbage garbage")...), Kind{}},
		{"aac adts", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, Kind{}},
		{"utf-8 text", []byte("2026年3月志愿服务活动记录\n参加人数：42\n"), kindText},
		{"utf-8 text with bom", []byte("\xEF\xBB\xBF照片说明"), kindText},
		{"csv", []byte("姓名,日期,时长\n张三,2026-03-01,4\n"), kindText},
		{"gb18030 text", gbText, kindTextGB},
		{"utf-16 text", utf16LE("\uFEFF志愿服务"), Kind{}},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), Kind{}},
		{"html after spaces", []byte("\r\n  <html><script>alert(1)</script>"), Kind{}},
		{"html after a bom", []byte("\xEF\xBB\xBF<script>alert(1)</script>"), Kind{}},
		{"text hiding a script", []byte("hello\n<script>alert(1)</script>"), Kind{}},
		{"php", []byte("<?php system($_GET['c']); ?>"), Kind{}},
		{"html fragment", []byte("<p onclick=alert(1)>志愿服务</p>"), Kind{}},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), Kind{}},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), Kind{}},
		{"rtf", []byte(`{\rtf1\ansi hello}`), Kind{}},
		{"elf executable", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...), Kind{}},
		{"windows executable", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...), Kind{}},
		{"text with nul", []byte("abc\x00def"), Kind{}},
		{"invalid utf-8 and gb18030", []byte("abc\xFF\xFEdef"), Kind{}},
		{"blank", []byte(" \n\t "), Kind{}},
		{"empty", nil, Kind{}},
		{"gzip", []byte{0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 3}, Kind{}},
	}
}

func TestSniff(t *testing.T) {
	for _, c := range samples(t) {
		t.Run(c.name, func(t *testing.T) {
			head := c.data[:min(len(c.data), SniffLen)]
			got, ok := Sniff(head)
			if ok != (c.want != Kind{}) || got != c.want {
				t.Errorf("Sniff = %+v, %v; want %+v", got, ok, c.want)
			}
		})
	}
}

// TestSniffTextCutAtHead checks that a multi-byte character cut by the end of a full head is
// still text, while a whole (short) file that ends inside a character is not.
func TestSniffTextCutAtHead(t *testing.T) {
	text := []byte(strings.Repeat("志愿服务，", SniffLen/5+1)) // three bytes a character
	for shift := 0; shift < 3; shift++ {
		head := append([]byte(strings.Repeat("a", shift)), text...)[:SniffLen]
		if k, ok := Sniff(head); !ok || k != kindText {
			t.Errorf("a full head ending %d bytes into a character: Sniff = %+v, %v; want text", (SniffLen-shift)%3, k, ok)
		}
	}
	short := []byte("志愿服务")[:5]
	if k, ok := Sniff(short); ok {
		t.Errorf("a short file ending inside a character: Sniff = %+v, want refused", k)
	}
}

// TestSniffRealOfficeFiles sniffs Word, Excel and PowerPoint files written by Office itself,
// from the test data of github.com/richardlehane/mscfb (a module this one already depends on
// through excelize): their directories lie where real writers put them, often at the end.
func TestSniffRealOfficeFiles(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/richardlehane/mscfb").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("the mscfb module is not in the module cache (go mod download github.com/richardlehane/mscfb): %v", err)
	}
	for file, want := range map[string]Kind{"test.doc": kindDOC, "novpapplan.doc": kindDOC, "test.xls": kindXLS, "test.ppt": kindPPT, "test.msg": {}} {
		data, err := os.ReadFile(filepath.Join(dir, "test", file))
		if err != nil {
			t.Skipf("mscfb test data: %v", err)
		}
		got, ok := Sniff(data[:min(len(data), SniffLen)])
		if ok != (want != Kind{}) || got != want {
			t.Errorf("%s: Sniff = %+v, %v; want %+v", file, got, ok, want)
		}
	}
}

func FuzzSniff(f *testing.F) {
	for _, c := range samples(f) {
		f.Add(c.data[:min(len(c.data), SniffLen)])
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		k, ok := Sniff(head)
		if ok != k.known() {
			t.Fatalf("Sniff = %+v, %v: a kind is returned exactly when it is accepted", k, ok)
		}
	})
}

type zipPart struct {
	name string
	data []byte
}

// zipOf writes parts in order, deflated. streamed writes through an io.Writer that is not
// seekable, as Go's and other streaming writers do, which puts the sizes after each entry's
// data; otherwise the sizes are in the local headers, as Office writes them.
func zipOf(t testing.TB, streamed bool, parts []zipPart) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range parts {
		var fw interface{ Write([]byte) (int, error) }
		var err error
		if streamed {
			fw, err = w.Create(p.name)
		} else {
			fw, err = w.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc(p.data), CompressedSize64: uint64(len(deflate(t, p.data))), UncompressedSize64: uint64(len(p.data))})
		}
		if err != nil {
			t.Fatal(err)
		}
		data := p.data
		if !streamed {
			data = deflate(t, p.data)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contentTypes(mainType, partName string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="` + partName + `" ContentType="` + mainType + `"/></Types>`)
}

func ftyp(major string, compatible ...string) []byte {
	b := make([]byte, 16, 16+4*len(compatible)+16)
	binary.BigEndian.PutUint32(b, uint32(16+4*len(compatible)))
	copy(b[4:], "ftyp"+major)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x08free\x00\x00\x00\x08mdat"...)
}

func bmp() []byte {
	b := make([]byte, 14+40+16)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], 2)
	binary.LittleEndian.PutUint32(b[22:], 2)
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 32)
	return b
}

func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
