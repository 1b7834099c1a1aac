package filetype

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
