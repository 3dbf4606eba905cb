package audit

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzParseScope checks the scope parser's promises on any string: sorted names,
// none blank or holding whitespace, no name twice in any case, and every name one of
// the string's space-separated fields.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"", " ", "Chat.ReadWrite.All Directory.Read.All",
		"  User.Read.All\tuser.read.all\nPresence.Read.All ", "a\u00a0b", "A a B b",
		"\u2003Chat.Read.All\u2003", strings.Repeat("x ", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, scope string) {
		names := ParseScope(scope)
		fields := strings.Fields(scope)
		if !slices.IsSorted(names) {
			t.Errorf("not sorted: %q", names)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || strings.IndexFunc(n, unicode.IsSpace) >= 0 {
				t.Errorf("name %q is blank or holds whitespace", n)
			}
			if seen[strings.ToLower(n)] {
				t.Errorf("name %q twice", n)
			}
			seen[strings.ToLower(n)] = true
			if !slices.Contains(fields, n) {
				t.Errorf("name %q is not a field of %q", n, scope)
			}
		}
		for _, fld := range fields {
			if !seen[strings.ToLower(fld)] {
				t.Errorf("field %q was dropped", fld)
			}
		}
	})
}

// FuzzParseAccessRights checks that every right is trimmed, not blank, not None and
// holds no comma, and that no named right of the string is lost.
func FuzzParseAccessRights(f *testing.F) {
	for _, s := range []string{"", "None", "ReadAccess, WriteAccess", " ReadAccess ,,None, ",
		"ReadAccess,ReadAccess", "ShareAccess\u00a0", strings.Repeat("A,", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rights := ParseAccessRights(s)
		for _, r := range rights {
			name, ok := r.(string)
			if !ok || name == "" || name == "None" || strings.Contains(name, ",") ||
				name != strings.TrimSpace(name) {
				t.Errorf("right %#v of %q", r, s)
			}
		}
		n := 0
		for _, part := range strings.Split(s, ",") {
			if p := strings.TrimSpace(part); p != "" && p != "None" {
				n++
			}
		}
		if len(rights) != n {
			t.Errorf("%q gave %d rights, want %d", s, len(rights), n)
		}
	})
}
