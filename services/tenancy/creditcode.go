package tenancy

import "strings"

// creditCodeChars are the characters of a unified social credit code, in value order
// (GB 32100-2015: digits and upper-case letters without I, O, Z, S, V).
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeAuthorities are the registration authorities of GB 32100-2015's first position.
const creditCodeAuthorities = "123456789ANY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode reports whether code is a well-formed 18-character unified social credit
// code whose last character is the right check character.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	// Position 1 is the registration authority, 2 the organisation type (digits 1-9 or
	// letters for some authorities), 3-8 the region code (digits), 9-17 the organisation
	// code body, 18 the check character.
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	// A code can carry the right check character and still name nothing: all zeros, an
	// unknown registration authority, a region that does not exist, an empty body. Besides
	// the provinces, registration authorities sit at the centre (10) and in the Xinjiang
	// Production and Construction Corps (66).
	if !strings.ContainsRune(creditCodeAuthorities, rune(code[0])) || code[1] == '0' ||
		!province(code[2:8]) && code[2:4] != "10" && code[2:4] != "66" || strings.Trim(code[8:17], "0") == "" {
		return false
	}
	sum := 0
	for i := range 17 {
		v := charValue(code[i])
		if v < 0 {
			return false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return charValue(code[17]) == check
}

func charValue(c byte) int {
	for i := range len(creditCodeChars) {
		if creditCodeChars[i] == c {
			return i
		}
	}
	return -1
}

// CompleteCreditCode appends the check character to the 17-character body of a unified
// social credit code (the seed command and tests make valid codes with it).
func CompleteCreditCode(body string) string {
	sum := 0
	for i := range 17 {
		sum += charValue(body[i]) * creditCodeWeights[i]
	}
	return body + string(creditCodeChars[(31-sum%31)%31])
}
