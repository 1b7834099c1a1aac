package pagetoken

import (
	"strings"
	"testing"
)

func TestTokenRoundTripAndBinding(t *testing.T) {
	c := New([]byte("key-1"))
	tok := c.Encode("office=a&category=SCHOOL", "01a2-last-id")
	if strings.Contains(tok, "01a2-last-id") {
		t.Errorf("token shows its cursor in clear: %s", tok)
	}
	if got, err := c.Decode("office=a&category=SCHOOL", tok); err != nil || got != "01a2-last-id" {
		t.Fatalf("Decode = %q, %v", got, err)
	}
	if got, err := c.Decode("office=a", ""); err != nil || got != "" {
		t.Errorf("first page = %q, %v", got, err)
	}
	bad := map[string]func() (string, error){
		"other filters": func() (string, error) { return c.Decode("office=b&category=SCHOOL", tok) },
		"other key":     func() (string, error) { return New([]byte("key-2")).Decode("office=a&category=SCHOOL", tok) },
		"forged cursor": func() (string, error) {
			return c.Decode("office=a&category=SCHOOL", "MDFhMi1mb3JnZWQ"+tok[strings.Index(tok, "."):])
		},
		"garbage":     func() (string, error) { return c.Decode("office=a", "not-a-token") },
		"bad base64":  func() (string, error) { return c.Decode("office=a", "!!.!!") },
		"no mac part": func() (string, error) { return c.Decode("office=a", strings.Split(tok, ".")[0]) },
	}
	for name, f := range bad {
		if got, err := f(); err == nil || got != "" {
			t.Errorf("%s: accepted (%q)", name, got)
		} else if !strings.Contains(err.Error(), "page_token") {
			t.Errorf("%s: error does not name page_token: %v", name, err)
		}
	}
}

func TestSize(t *testing.T) {
	for in, want := range map[int32]int{-1: DefaultSize, 0: DefaultSize, 1: 1, 500: 500, 501: MaxSize} {
		if got := Size(in); got != want {
			t.Errorf("Size(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestPage(t *testing.T) {
	c := New([]byte("k"))
	id := func(s string) string { return s }
	rows, next := Page(c, "f", []string{"a", "b", "c"}, 2, id)
	if len(rows) != 2 || next == "" {
		t.Fatalf("full page: %v %q", rows, next)
	}
	if last, err := c.Decode("f", next); err != nil || last != "b" {
		t.Errorf("next page resumes after %q (%v), want b", last, err)
	}
	if rows, next := Page(c, "f", []string{"a", "b"}, 2, id); len(rows) != 2 || next != "" {
		t.Errorf("last page: %v %q", rows, next)
	}
}
