package filetype

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"unicode/utf16"
)

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

func deflate(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// oleEntry is a directory entry of a compound file built by ole.
type oleEntry struct {
	name               string
	typ                byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
}

const none = oleNoStream

// Directories of the compound files the tests build: the root's children are a chain of
// right siblings.
var (
	oleDoc = []oleEntry{{"Root Entry", 5, none, none, 1}, {"WordDocument", 2, none, 2, none}, {"1Table", 2, none, none, none}}
	oleXLS = []oleEntry{{"Root Entry", 5, none, none, 1}, {"Workbook", 2, none, 2, none}, {"\x05SummaryInformation", 2, none, none, none}}
	olePPT = []oleEntry{{"Root Entry", 5, none, none, 1}, {"Current User", 2, none, 2, none}, {"PowerPoint Document", 2, none, none, none}}
	// A Word document with an embedded chart: the chart's workbook stream is in a storage
	// below ObjectPool, not at the root.
	oleDocWithWorkbook = []oleEntry{{"Root Entry", 5, none, none, 1}, {"WordDocument", 2, none, 2, none}, {"ObjectPool", 1, none, none, 3}, {"_1234", 1, none, none, 4}, {"Workbook", 2, none, none, none}}
	// An installer or any other compound file: none of the documents' streams.
	oleOther = []oleEntry{{"Root Entry", 5, none, none, 1}, {"\x05SummaryInformation", 2, none, 2, none}, {"Binary.Setup", 2, none, none, none}}
)

// ole builds a version 3 compound file: the header, a FAT sector, data sectors (the first
// starting with firstSector) and the directory. With dirBeyondHead the data sectors push the
// directory past the first SniffLen bytes, where Office often puts it.
func ole(t testing.TB, entries []oleEntry, firstSector []byte, dirBeyondHead bool) []byte {
	const ss = 512
	dataSectors := 1
	if dirBeyondHead {
		dataSectors = SniffLen/ss + 4
	}
	dirSectors := (len(entries)*128 + ss - 1) / ss
	total := 1 + dataSectors + dirSectors
	if total > ss/4 {
		t.Fatal("ole: more sectors than one FAT sector maps")
	}
	out := make([]byte, ss*(1+total))
	le16 := func(b []byte, v uint16) { binary.LittleEndian.PutUint16(b, v) }
	le32 := func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
	sector := func(n int) []byte { return out[(n+1)*ss : (n+2)*ss] }

	h := out[:ss]
	copy(h, oleMagic)
	le16(h[24:], 0x3E)
	le16(h[26:], 3)
	le16(h[28:], 0xFFFE)
	le16(h[30:], 9)
	le16(h[32:], 6)
	le32(h[44:], 1)
	firstDir := 1 + dataSectors
	le32(h[48:], uint32(firstDir))
	le32(h[56:], 4096)
	le32(h[60:], oleEndOfChain)
	le32(h[68:], oleEndOfChain)
	for i := 0; i < 109; i++ {
		le32(h[76+4*i:], 0xFFFFFFFF)
	}
	le32(h[76:], 0)

	fat := sector(0)
	for i := 0; i < ss/4; i++ {
		le32(fat[4*i:], 0xFFFFFFFF)
	}
	le32(fat, 0xFFFFFFFD) // sector 0 is the FAT itself
	chain := func(first, n int) {
		for i := first; i < first+n; i++ {
			next := uint32(i + 1)
			if i == first+n-1 {
				next = oleEndOfChain
			}
			le32(fat[4*i:], next)
		}
	}
	chain(1, dataSectors)
	chain(firstDir, dirSectors)
	copy(sector(1), firstSector)

	dir := out[(firstDir+1)*ss:]
	for i := 0; i < dirSectors*ss/128; i++ {
		d := dir[i*128 : (i+1)*128]
		le32(d[68:], none)
		le32(d[72:], none)
		le32(d[76:], none)
		if i >= len(entries) {
			continue
		}
		e := entries[i]
		name := utf16.Encode([]rune(e.name))
		for j, u := range name {
			le16(d[2*j:], u)
		}
		le16(d[64:], uint16(2*(len(name)+1)))
		d[66], d[67] = e.typ, 1
		le32(d[68:], e.left)
		le32(d[72:], e.right)
		le32(d[76:], e.child)
	}
	return out
}
