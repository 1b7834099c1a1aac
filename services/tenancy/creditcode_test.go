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
