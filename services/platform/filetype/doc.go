// Package filetype decides what an uploaded evidence file is from its bytes, and what name it
// may be shown under.
//
// Sniff identifies a file from its first SniffLen bytes against a short allow-list of the
// document, image and media kinds evidence may be (the extension vocabulary of
// EvidenceSpec.file_types), and refuses everything it does not positively identify: an
// HTML page or script renamed to .jpg, an executable, an archive that is not an Office
// document, a macro-enabled document. The checks are hand-written magic-number and structure
// checks rather than a general sniffing library's, because the allow-list is small and some
// of its kinds need more than a magic number (telling DOCX from XLSX from a plain ZIP, DOC
// from XLS inside an OLE compound file, GB18030 text from binary, OFD), and a general
// library's broad guesses are what an allow-list must not inherit.
//
// Kind.Matches checks a kind against an indicator's accepted file types, DeclaredMatches
// checks it against the Content-Type the client claimed, and SanitizeName turns a client's
// file name into a safe display name.
package filetype
