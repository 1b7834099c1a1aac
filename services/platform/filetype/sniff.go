package filetype

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// SniffLen is how many leading bytes of a file Sniff wants (all of a shorter file). Magic
// numbers need a few dozen, but telling Office documents apart needs more: the entries at the
// start of a ZIP (an OOXML file's [Content_Types].xml and part names, one after another) and,
// for an OLE compound file, its directory or the first sectors of its main stream. 8 KiB
// holds those for the files Word, Excel, PowerPoint, WPS, LibreOffice and Go's zip writers
// produce, and is still nothing to hold per upload.
const SniffLen = 8 << 10

// Sniff identifies a file from head, its first SniffLen bytes (or all of it, if shorter), and
// reports false for anything it does not positively identify as an allowed kind. Only what
// head shows is used: head is treated as cut short when it is SniffLen bytes or longer.
func Sniff(head []byte) (Kind, bool) {
	truncated := len(head) >= SniffLen
	switch {
	case len(head) == 0:
		return Kind{}, false
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return kindJPEG, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) && len(head) >= 16 && string(head[12:16]) == "IHDR":
		return kindPNG, true
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return kindGIF, true
	case len(head) >= 16 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP" && string(head[12:15]) == "VP8":
		return kindWebP, true
	case isBMP(head):
		return kindBMP, true
	case bytes.HasPrefix(head, []byte("%PDF-")) && len(head) > 5 && head[5] >= '1' && head[5] <= '9':
		return kindPDF, true
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return sniffISOBMFF(head)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return sniffZip(head)
	case bytes.HasPrefix(head, oleMagic):
		return sniffOLE(head)
	case isMP3(head):
		return kindMP3, true
	}
	return sniffText(head, truncated)
}

// isBMP checks the file header's reserved bytes and the size of the DIB header that follows,
// since "BM" alone starts plenty of text.
func isBMP(b []byte) bool {
	if len(b) < 18 || b[0] != 'B' || b[1] != 'M' || binary.LittleEndian.Uint32(b[6:10]) != 0 {
		return false
	}
	switch binary.LittleEndian.Uint32(b[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// ISO base media files (MP4, QuickTime, HEIF) start with an ftyp box naming a major brand and
// compatible brands; the brands say which format it is.
var (
	mp4Brands  = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso8", "iso9", "mp41", "mp42", "avc1", "dash", "mmp4", "MSNV", "XAVC", "M4V ", "M4VH", "M4VP"}
	heicBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"}
)

func sniffISOBMFF(b []byte) (Kind, bool) {
	size := int(binary.BigEndian.Uint32(b[0:4]))
	if size < 16 || size%4 != 0 || size > 4096 || len(b) < 16 {
		return Kind{}, false
	}
	major := string(b[8:12])
	var compatible []string
	for off := 16; off+4 <= min(size, len(b)); off += 4 {
		compatible = append(compatible, string(b[off:off+4]))
	}
	switch {
	case major == "qt  ":
		return kindMOV, true
	case slices.Contains(mp4Brands, major):
		return kindMP4, true
	case slices.Contains(heicBrands, major):
		return kindHEIC, true
	case (major == "mif1" || major == "msf1") && slices.ContainsFunc(compatible, func(c string) bool { return slices.Contains(heicBrands, c) }):
		// A generic HEIF whose images are HEVC-coded is what HEIC means; one that is AVIF
		// (compatible brand avif) is not on the list.
		return kindHEIC, true
	}
	return Kind{}, false
}

// isMP3 accepts an ID3v2 tag (what nearly every MP3 starts with) or two consecutive MPEG
// audio layer III frame headers, the second where the first frame's length says: one
// plausible header alone is too easy to meet by chance.
func isMP3(b []byte) bool {
	if len(b) >= 10 && string(b[0:3]) == "ID3" && b[3] >= 2 && b[3] <= 4 && b[4] != 0xFF &&
		b[6] < 0x80 && b[7] < 0x80 && b[8] < 0x80 && b[9] < 0x80 {
		return true
	}
	n, ok := mp3Frame(b)
	if !ok {
		return false
	}
	_, ok = mp3Frame(b[min(n, len(b)):])
	return ok
}

var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)

// mp3Frame checks an MPEG audio layer III frame header and returns the frame's length.
func mp3Frame(b []byte) (int, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return 0, false
	}
	version, layer := (b[1]>>3)&3, (b[1]>>1)&3
	bitrate, rate, pad := int(b[2]>>4), int((b[2]>>2)&3), int((b[2]>>1)&1)
	if version == 1 || layer != 1 || bitrate == 0 || bitrate == 15 || rate == 3 {
		return 0, false
	}
	if version == 3 {
		return 144*mp3Bitrates1[bitrate]*1000/mp3Rates[version][rate] + pad, true
	}
	return 72*mp3Bitrates2[bitrate]*1000/mp3Rates[version][rate] + pad, true
}

// The main part content types an OOXML package's [Content_Types].xml declares, lowercased.
// Templates, slide shows and macro-enabled or binary workbooks declare others and are refused.
var ooxmlMain = []struct {
	contentType string
	kind        Kind
}{
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", kindDOCX},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", kindXLSX},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", kindPPTX},
}

// zipInflateBudget bounds the bytes sniffZip inflates, whatever head holds: 8 KiB of deflate
// can expand a thousandfold.
const zipInflateBudget = 1 << 20

// sniffZip walks the local file headers at the start of a ZIP file. An OOXML document is
// recognized by its [Content_Types].xml when that is in head (Office writes it first), else
// by its part names (word/, xl/, ppt/, which Go's and other writers put first); an OFD
// document by its root OFD.xml. A package with a VBA project is refused wherever in head the
// signs of it appear, as is a ZIP whose entries point to more than one format, or none.
func sniffZip(b []byte) (Kind, bool) {
	var (
		names       = map[Kind]bool{}
		contentType *Kind // the kind [Content_Types].xml declares; a pointer to the zero Kind if it declares none we accept
		macro       bool
		budget      = zipInflateBudget
	)
	off := 0
	for entries := 0; entries < 256 && off+30 <= len(b); entries++ {
		h := b[off:]
		if binary.LittleEndian.Uint32(h) != 0x04034b50 {
			break // the central directory, or something that is not a local header
		}
		flags := binary.LittleEndian.Uint16(h[6:])
		method := binary.LittleEndian.Uint16(h[8:])
		csize := binary.LittleEndian.Uint32(h[18:])
		nameEnd := 30 + int(binary.LittleEndian.Uint16(h[26:]))
		dataStart := nameEnd + int(binary.LittleEndian.Uint16(h[28:]))
		if nameEnd > len(h) {
			break
		}
		name := string(h[30:nameEnd])
		switch {
		case name == "[Content_Types].xml":
		case bytes.HasSuffix(bytes.ToLower(h[30:nameEnd]), []byte("vbaproject.bin")):
			macro = true
		case hasPrefix(name, "word/"):
			names[kindDOCX] = true
		case hasPrefix(name, "xl/"):
			names[kindXLSX] = true
		case hasPrefix(name, "ppt/"):
			names[kindPPTX] = true
		case name == "OFD.xml":
			names[kindOFD] = true
		}
		if flags&1 != 0 || dataStart > len(h) {
			break // encrypted, or the data starts beyond head
		}
		// Find the end of the entry's data, keeping [Content_Types].xml's text.
		keep := name == "[Content_Types].xml"
		var data []byte
		dataEnd := -1
		switch {
		case flags&8 == 0 && csize != 0xFFFFFFFF: // all ones: the size is in a ZIP64 extra field
			if uint64(dataStart)+uint64(csize) <= uint64(len(h)) {
				dataEnd = dataStart + int(csize)
				if keep {
					data = h[dataStart:dataEnd]
					if method == 8 {
						data, _, _ = inflate(data, &budget, true)
					} else if method != 0 {
						data = nil
					}
				}
			}
		case method == 8:
			// Sizes follow the data (bit 3): a deflate stream ends itself, so inflating finds
			// where the data descriptor starts.
			out, n, ok := inflate(h[dataStart:], &budget, keep)
			if ok {
				data = out
				dataEnd = skipDescriptor(h, dataStart+n)
			}
		}
		if keep && data != nil {
			ct := contentTypesKind(data)
			contentType = &ct
			macro = macro || bytes.Contains(bytes.ToLower(data), []byte("macroenabled")) || bytes.Contains(bytes.ToLower(data), []byte("vbaproject"))
		}
		if dataEnd < 0 {
			break
		}
		off += dataEnd
	}
	switch {
	case macro:
		return Kind{}, false
	case contentType != nil:
		// Office's own declaration decides, but a package whose part names point elsewhere
		// (or to an OFD document as well) is not what it declares.
		for k := range names {
			if k != *contentType {
				return Kind{}, false
			}
		}
		return *contentType, contentType.known()
	case len(names) == 1:
		for k := range names {
			return k, true
		}
	}
	return Kind{}, false
}

func hasPrefix(s, prefix string) bool { return len(s) > len(prefix) && s[:len(prefix)] == prefix }

// contentTypesKind returns the one accepted main part type a [Content_Types].xml declares, or
// the zero Kind when it declares none or several.
func contentTypesKind(xml []byte) Kind {
	lower := bytes.ToLower(xml)
	var found Kind
	for _, m := range ooxmlMain {
		if bytes.Contains(lower, []byte(m.contentType)) {
			if found.known() {
				return Kind{}
			}
			found = m.kind
		}
	}
	return found
}

// inflate decompresses a raw deflate stream at the start of data within the remaining budget,
// returning the text (when keep) and how many bytes of data the stream took. A stream cut off
// by the end of data, or larger than the budget, is not ok.
func inflate(data []byte, budget *int, keep bool) ([]byte, int, bool) {
	r := bytes.NewReader(data)
	// bytes.Reader is an io.ByteReader, so the decompressor reads exactly the stream's bytes
	// and r.Len() tells where the stream ended.
	fr := flate.NewReader(r)
	defer fr.Close()
	var out bytes.Buffer
	var w io.Writer = io.Discard
	if keep {
		w = &out
	}
	n, err := io.Copy(w, io.LimitReader(fr, int64(*budget)+1))
	*budget -= int(n)
	if err != nil || *budget < 0 {
		return nil, 0, false
	}
	return out.Bytes(), len(data) - r.Len(), true
}

// skipDescriptor returns the offset after the data descriptor that follows an entry's data at
// off: an optional signature, the CRC and the two sizes, 4 bytes each or 8 for ZIP64. The
// next header's signature tells which; -1 when neither fits.
func skipDescriptor(b []byte, off int) int {
	if off+4 <= len(b) && binary.LittleEndian.Uint32(b[off:]) == 0x08074b50 {
		off += 4
	}
	for _, n := range []int{12, 20} {
		next := off + n
		if next+4 <= len(b) {
			if sig := binary.LittleEndian.Uint32(b[next:]); sig == 0x04034b50 || sig == 0x02014b50 {
				return next
			}
		}
	}
	return -1
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Sector numbers above oleMaxSector are markers: end of chain, free, FAT or DIFAT sector.
const (
	oleMaxSector  = 0xFFFFFFFA
	oleEndOfChain = 0xFFFFFFFE
	oleNoStream   = 0xFFFFFFFF
)

// The root streams that say what an OLE compound file holds. Documents embedded in it keep
// theirs in sub-storages, which is why only the root's children count.
var oleStreams = map[string]Kind{
	"WordDocument":        kindDOC,
	"Workbook":            kindXLS,
	"Book":                kindXLS, // Excel 5 and 95
	"PowerPoint Document": kindPPT,
}

// sniffOLE tells Word, Excel and PowerPoint (and WPS) binary files from other compound files
// (installers, Outlook messages, Visio drawings), which are refused. The directory says it
// exactly, and is used when head holds it; writers often put it at the end of the file,
// though, and then the first stream that starts a sector is checked for the signature its
// format begins with (Word's FIB, Excel's BOF record, PowerPoint's document container), which
// those writers put near the start.
func sniffOLE(b []byte) (Kind, bool) {
	if len(b) < 512 {
		return Kind{}, false
	}
	major, shift := binary.LittleEndian.Uint16(b[26:]), binary.LittleEndian.Uint16(b[30:])
	if !(major == 3 && shift == 9) && !(major == 4 && shift == 12) {
		return Kind{}, false
	}
	sectorSize := 1 << shift
	if k, ok, decided := oleDirectory(b, sectorSize); decided {
		return k, ok
	}
	for off := sectorSize; off+8 <= len(b); off += sectorSize {
		s := b[off : off+8]
		switch {
		case bytes.Equal(s[:4], []byte{0xEC, 0xA5, 0xC1, 0x00}):
			return kindDOC, true
		case bytes.Equal(s, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00}),
			bytes.Equal(s, []byte{0x09, 0x08, 0x08, 0x00, 0x00, 0x05, 0x05, 0x00}):
			return kindXLS, true
		case bytes.Equal(s[:4], []byte{0x0F, 0x00, 0xE8, 0x03}):
			return kindPPT, true
		}
	}
	return Kind{}, false
}

// oleDirectory reads the root storage's streams from the directory, following the chain of
// directory sectors through the FAT. decided is false when a sector it needs lies beyond b.
func oleDirectory(b []byte, sectorSize int) (k Kind, ok, decided bool) {
	sector := func(n uint32) []byte {
		off := (int64(n) + 1) * int64(sectorSize)
		if n > oleMaxSector || off+int64(sectorSize) > int64(len(b)) {
			return nil
		}
		return b[off : off+int64(sectorSize)]
	}
	next := func(n uint32) (uint32, bool) {
		perSector := sectorSize / 4
		i := int(n) / perSector
		if i >= 109 { // beyond the header's FAT sector list
			return 0, false
		}
		fat := sector(binary.LittleEndian.Uint32(b[76+4*i:]))
		if fat == nil {
			return 0, false
		}
		return binary.LittleEndian.Uint32(fat[4*(int(n)%perSector):]), true
	}
	var dir []byte
	for n, hops := binary.LittleEndian.Uint32(b[48:]), 0; n != oleEndOfChain; hops++ {
		s := sector(n)
		if s == nil || hops > len(b)/sectorSize {
			return Kind{}, false, false
		}
		dir = append(dir, s...)
		var found bool
		if n, found = next(n); !found {
			return Kind{}, false, false
		}
	}
	entry := func(id uint32) []byte {
		if int(id) >= len(dir)/128 {
			return nil
		}
		return dir[id*128 : id*128+128]
	}
	root := entry(0)
	if root == nil || root[66] != 5 {
		return Kind{}, false, true
	}
	// The root's children form a tree of siblings; walk it, guarding against loops.
	var kinds []Kind
	stack := []uint32{binary.LittleEndian.Uint32(root[76:])}
	seen := map[uint32]bool{}
	for len(stack) > 0 && len(seen) < 1024 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == oleNoStream || seen[id] {
			continue
		}
		seen[id] = true
		e := entry(id)
		if e == nil {
			return Kind{}, false, true
		}
		stack = append(stack, binary.LittleEndian.Uint32(e[68:]), binary.LittleEndian.Uint32(e[72:]))
		if k, ok := oleStreams[oleName(e)]; ok && e[66] == 2 && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return Kind{}, false, true
	}
	return kinds[0], true, true
}

// oleName decodes a directory entry's UTF-16 name.
func oleName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[64:]))
	if n < 2 || n > 64 || n%2 != 0 {
		return ""
	}
	u := make([]uint16, 0, n/2-1)
	for i := 0; i+1 < n-2; i += 2 {
		u = append(u, binary.LittleEndian.Uint16(e[i:]))
	}
	return string(utf16.Decode(u))
}

// Markup that makes a "text" file a web page or an image a browser would render and run.
var markup = [][]byte{[]byte("<script"), []byte("<html"), []byte("<!doctype"), []byte("<iframe"), []byte("<svg"), []byte("<body"), []byte("<?xml")}

// sniffText accepts plain text: UTF-8 (with or without a byte order mark) or GB18030, with no
// control characters but tab, line breaks and form feed. UTF-16 text (which is full of NULs)
// is refused, as is text that is markup, a script (#!) or RTF, whichever extension it came
// with: text is served as text, but it must not be a page that a browser or viewer would
// treat as something else.
func sniffText(b []byte, truncated bool) (Kind, bool) {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	t := bytes.TrimLeft(b, " \t\r\n\f")
	if len(t) == 0 || t[0] == '<' || bytes.HasPrefix(t, []byte("#!")) || bytes.HasPrefix(t, []byte(`{\rtf`)) {
		return Kind{}, false
	}
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F {
			return Kind{}, false
		}
	}
	lower := bytes.ToLower(b)
	for _, m := range markup {
		if bytes.Contains(lower, m) {
			return Kind{}, false
		}
	}
	if validUTF8(b, truncated) {
		return kindText, true
	}
	if validGB18030(b, truncated) {
		return kindTextGB, true
	}
	return Kind{}, false
}

// validUTF8 also accepts a character cut in two by the end of a truncated head.
func validUTF8(b []byte, truncated bool) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; truncated && cut <= 3 && cut < len(b); cut++ {
		if !utf8.FullRune(b[len(b)-cut:]) && utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// validGB18030 checks the byte structure of GB18030: ASCII, two-byte sequences (lead 81–FE,
// trail 40–7E or 80–FE) and four-byte sequences (81–FE, 30–39, 81–FE, 30–39). It also accepts
// a sequence cut by the end of a truncated head.
func validGB18030(b []byte, truncated bool) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
			continue
		case c == 0x80 || c == 0xFF:
			return false
		case i+1 >= len(b):
			return truncated
		}
		c2 := b[i+1]
		switch {
		case (c2 >= 0x40 && c2 <= 0x7E) || (c2 >= 0x80 && c2 <= 0xFE):
			i += 2
		case c2 >= 0x30 && c2 <= 0x39:
			if i+3 >= len(b) {
				return truncated
			}
			if c3, c4 := b[i+2], b[i+3]; c3 < 0x81 || c3 > 0xFE || c4 < 0x30 || c4 > 0x39 {
				return false
			}
			i += 4
		default:
			return false
		}
	}
	return true
}
