package reports

import (
	"strings"
	"testing"
	"unicode"
)

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b]0;title\x07after", "after"},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"\xc2\x9b31mC1 csi", "C1 csi"},
		{"a\nb\r\nc\rd", "a b c d"},
		{"tab\there", "tab here"},
		{"nul\x00byte\x07bell\x7fdel", "nulbytebelldel"},
		{"bidi \u202eevil\u202c \u2066iso\u2069 \u200fmark", "bidi evil iso mark"},
		{"bad \xff utf8", "bad utf8"},
		{"  spaced   out  ", "spaced out"},
		{"ünïcødé 名前", "ünïcødé 名前"},
	}
	for _, c := range cases {
		if got := CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCleanTextHostile checks the property every format relies on: nothing that a
// terminal or a viewer would act on survives.
func TestCleanTextHostile(t *testing.T) {
	for _, h := range hostile {
		got := CleanText(h)
		for _, r := range got {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Errorf("CleanText(%q) kept %U", h, r)
			}
		}
	}
}

func TestCleanLinesKeepsLineBreaks(t *testing.T) {
	got := cleanLines("one\r\ntwo\x1b[1m\nthree\u202e")
	if got != "one\ntwo\nthree" {
		t.Errorf("cleanLines = %q", got)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("abcdef", 4); got != "abc…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("名前です", 10); got != "名前です" {
		t.Errorf("truncate shortened a short string: %q", got)
	}
	if n := len([]rune(truncate(strings.Repeat("x", 500), 200))); n != 200 {
		t.Errorf("truncate to 200 gave %d runes", n)
	}
}
