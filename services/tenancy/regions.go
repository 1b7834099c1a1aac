package tenancy

import (
	"strings"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// provinces are the first two digits of the province-level regions of GB/T 2260.
const provinces = " 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 "

// nationalRegion is the code used for the country as a whole (中华人民共和国).
const nationalRegion = "100000"

func province(code string) bool {
	return len(code) >= 2 && strings.Contains(provinces, " "+code[:2]+" ")
}

// regionProblem says why code cannot be the region of an office of this level under parent
// (nil for a top-level office), or returns "". A province's code ends in 0000, a city's in
// 00 and a district's does not; a child's code lies inside its parent's region, so 110105
// cannot sit under 330100.
func regionProblem(level office.Level, code string, parent *ent.Office) (en, zh string) {
	if len(code) != 6 {
		return "must be 6 digits", "须为 6 位数字"
	}
	ok := false
	switch level {
	case office.LevelNATIONAL:
		ok = code == nationalRegion
	case office.LevelPROVINCIAL:
		ok = province(code) && code[2:] == "0000"
	case office.LevelMUNICIPAL:
		ok = province(code) && code[2:4] != "00" && code[4:] == "00"
	case office.LevelDISTRICT:
		ok = province(code) && code[2:4] != "00" && code[4:] != "00"
	}
	if !ok {
		return "is not a GB/T 2260 code of a " + strings.ToLower(string(level)) + " region",
			"不是" + levelZH[level] + "的 GB/T 2260 行政区划代码"
	}
	if parent == nil {
		return "", ""
	}
	prefix := map[office.Level]int{office.LevelPROVINCIAL: 2, office.LevelMUNICIPAL: 4, office.LevelDISTRICT: 6}[parent.Level]
	if !strings.HasPrefix(code, parent.RegionCode[:prefix]) {
		return "lies outside the parent office's region " + parent.RegionCode, "不在上级文明办的行政区划 " + parent.RegionCode + " 之内"
	}
	return "", ""
}

var levelZH = map[office.Level]string{
	office.LevelNATIONAL: "国家级", office.LevelPROVINCIAL: "省级", office.LevelMUNICIPAL: "市级", office.LevelDISTRICT: "区县级",
}

func checkRegion(field string, level office.Level, code string, parent *ent.Office) error {
	if en, zh := regionProblem(level, code, parent); en != "" {
		return errs.Invalid(field, en, zh)
	}
	return nil
}
