package filetype

import "strings"

// kinds are every allowed kind, for ByMIME.
var kinds = []Kind{
	kindJPEG, kindPNG, kindGIF, kindBMP, kindWebP, kindHEIC, kindPDF, kindOFD, kindDOC, kindXLS, kindPPT,
	kindDOCX, kindXLSX, kindPPTX, kindText, kindTextGB, kindMP3, kindMP4, kindMOV,
}

// ByMIME returns the kind a stored file was sniffed as, from the MIME type Sniff gave it
// (what the evidence service keeps with the file); false for any other type.
func ByMIME(mime string) (Kind, bool) {
	for _, k := range kinds {
		if k.MIME == mime {
			return k, true
		}
	}
	return Kind{}, false
}

// Name returns a file name whose extension says what the bytes are: name itself when its
// extension is one of k's ("photo.jpeg" for a JPEG), else name with k's extension appended
// ("整改说明.bat" holding text becomes "整改说明.bat.txt"). A reviewer's browser saves a
// download under this name, so the uploader never chooses what opens it.
func (k Kind) Name(name string) string {
	// The suffix as it stands, only lower-cased: "photo. png" does not end in "png".
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		ext := strings.ToLower(name[i+1:])
		if same, ok := sameAs[ext]; ok {
			ext = same
		}
		if ext == k.Ext {
			return name
		}
	}
	return name + "." + k.Ext
}
