package tenancy

import "testing"

func TestValidCreditCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // a published example code
		{"91110000802100433B", true},  // 国家电网 (State Grid)
		{"91350100M000100Y44", false}, // wrong check character
		{"91350100M000100Y4", false},  // too short
		{"91350100M000100Y433", false},
		{"91350100m000100Y43", false}, // lower case is not allowed
		{"913501O0M000100Y43", false}, // O is not in the character set
		{"", false},
		{"000000000000000000", false},                             // the right check character, but names nothing
		{"12330106MB0000001D", true},                              // the demo unit
		{"Z1330106MB0000001D", false},                             // unknown registration authority
		{"90990000000000000" + check("90990000000000000"), false}, // region 99, empty body
		{"91000000802100433" + check("91000000802100433"), false}, // region 000000
		{"91330106000000000" + check("91330106000000000"), false}, // empty body
	} {
		if got := ValidCreditCode(tc.code); got != tc.ok {
			t.Errorf("ValidCreditCode(%q) = %v, want %v", tc.code, got, tc.ok)
		}
	}
}

func FuzzValidCreditCode(f *testing.F) {
	f.Add("91350100M000100Y43")
	f.Add("91110000802100433B")
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		ok := ValidCreditCode(code)
		if ok && len(code) != 18 {
			t.Fatalf("accepted %q of length %d", code, len(code))
		}
		if !ok || len(code) != 18 {
			return
		}
		// A valid code stops being valid when its check character changes.
		for i := range len(creditCodeChars) {
			c := creditCodeChars[i]
			if c != code[17] && ValidCreditCode(code[:17]+string(c)) {
				t.Fatalf("both %q and check %q accepted", code, c)
			}
		}
	})
}

// check computes the check character of a 17-character prefix.
func check(prefix string) string {
	sum := 0
	for i := range 17 {
		sum += charValue(prefix[i]) * creditCodeWeights[i]
	}
	return string(creditCodeChars[(31-sum%31)%31])
}
