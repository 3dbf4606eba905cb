package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// A snapshot never holds conversation text. When a row is written, a value that may be
// text someone wrote is replaced by a text digest: its length, a hash prefix and the
// facts the STORE controls judge it by, never the value. The digest is a JSON object
// with one key, so no Dataverse column can be mistaken for one:
//
//	{"$text": {"length": 93, "sha256": "1a2b3c4d5e6f", "signals": ["line-break", "markup"],
//	           "keys": ["body"]}}
//
// length counts characters (code points) and sha256 is the first 12 hex digits of the
// SHA-256 of the value, as policies/lib/text.rego describes a string, so a finding reads
// the same from a digest as from the text. signals holds only what the text itself
// shows (markup, line breaks); whether it is too long is the policy's to say, from
// length. keys lists the object keys, lower case, under which a JSON value holds text.
// The detection mirrors lib/text.rego and is checked against it in the policies tests.

// TextKey is the one key of a text digest.
const TextKey = "$text"

// digestLength is the length above which a value of a known column is withheld: the
// policies' default limit for free text.
const digestLength = 256

var (
	markupTag    = regexp.MustCompile(`<[A-Za-z/!?][^<>]*>`)
	markupEntity = regexp.MustCompile(
		`&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
	scalarPatterns = []*regexp.Regexp{
		regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-` +
			`[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`),
		regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`),
		regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}` +
			`(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$`),
	}
	digestKey = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// TextSignals are the signals a string shows by itself: "markup" (a tag or an HTML
// entity) and "line-break", sorted.
func TextSignals(s string) []string {
	var out []string
	if strings.ContainsAny(s, "\r\n\u2028\u2029") {
		out = append(out, "line-break")
	}
	if strings.Contains(s, "<") && markupTag.MatchString(s) ||
		strings.Contains(s, "&") && markupEntity.MatchString(s) {
		out = append(out, "markup")
	}
	return out
}

// IsFreeText reports whether s may be text someone wrote: not blank, and not an
// identifier, number, boolean or date.
func IsFreeText(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	if l := strings.ToLower(s); l == "true" || l == "false" {
		return false
	}
	for _, p := range scalarPatterns {
		if p.MatchString(s) {
			return false
		}
	}
	return true
}

// withholdRule says when a column's string value is replaced by a digest.
type withholdRule int

const (
	// withholdSignals: when the value shows signals or is longer than digestLength (a
	// known column that may hold a name or an id).
	withholdSignals withholdRule = iota
	// withholdText: whenever the value is free text (a column outside the model).
	withholdText
	// withholdAny: whenever the value is not empty (a column that must stay empty of
	// text, such as an activity's description).
	withholdAny
)

// withhold returns the value to write for a column: the value itself, or its digest.
func withhold(v any, rule withholdRule) any {
	switch v := v.(type) {
	case string:
		if withheld(v, rule) {
			return digestString(v)
		}
	case map[string]any, []any:
		if hasFreeText(v) {
			return digestJSON(v)
		}
	}
	return v
}

func withheld(s string, rule withholdRule) bool {
	switch {
	case s == "":
		return false
	case rule == withholdAny:
		return true
	case len(TextSignals(s)) > 0 || utf8.RuneCountInString(s) > digestLength:
		return true
	default:
		return rule == withholdText && IsFreeText(s)
	}
}

// withheldIDPrefix starts the stand-in a snapshot writes for a conversation ID that it
// withheld, so that the conversation's members still join the link whose column holds
// the ID's digest: "$text:" and the digest's hash prefix.
const withheldIDPrefix = TextKey + ":"

// digestID is the stand-in for the ID a digest withheld.
func digestID(v any) string {
	d, _ := v.(map[string]any)[TextKey].(map[string]any)
	sha, _ := d["sha256"].(string)
	return withheldIDPrefix + sha
}

// DigestText is the digest a snapshot holds in place of s.
func DigestText(s string) map[string]any { return digestString(s) }

// IsTextDigest reports whether a decoded column value is a text digest.
func IsTextDigest(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m[TextKey].(map[string]any)
	return ok
}

// digestString digests a string. A string holding a JSON object or array also gets the
// signals and keys of its text leaves, as STORE-03 judges a parsed value: the digest's
// signals are those of the string and of its leaves together, so a policy reading it
// sees at least what it would see in the text.
func digestString(s string) map[string]any {
	d := map[string]any{"length": utf8.RuneCountInString(s), "sha256": hashPrefix(s),
		"signals": nonNil(TextSignals(s))}
	var parsed any
	if json.Unmarshal([]byte(s), &parsed) == nil {
		if _, isString := parsed.(string); !isString && parsed != nil {
			return digestParsed(d, parsed)
		}
	}
	return map[string]any{TextKey: d}
}

// digestJSON digests a column whose value is a JSON object or array, measured as
// encoding/json writes it, which is how lib/text.rego's json.marshal writes it too.
func digestJSON(v any) map[string]any {
	b, _ := json.Marshal(v)
	s := string(b)
	return digestParsed(map[string]any{"length": utf8.RuneCountInString(s),
		"sha256": hashPrefix(s)}, v)
}

func digestParsed(d map[string]any, parsed any) map[string]any {
	signals, keys := map[string]bool{}, map[string]bool{}
	if own, ok := d["signals"].([]string); ok {
		for _, sig := range own {
			signals[sig] = true
		}
	}
	walkText(parsed, nil, func(path []string, leaf string) {
		for _, sig := range TextSignals(leaf) {
			signals[sig] = true
		}
		for _, k := range path {
			if digestKey.MatchString(k) {
				keys[strings.ToLower(k)] = true
			}
		}
	})
	d["signals"], d["keys"] = sortedKeys(signals), sortedKeys(keys)
	return map[string]any{TextKey: d}
}

// walkText calls f for each non-empty string leaf with the object keys above it.
func walkText(v any, path []string, f func(path []string, leaf string)) {
	switch v := v.(type) {
	case string:
		if v != "" {
			f(path, v)
		}
	case map[string]any:
		for k, e := range v {
			walkText(e, append(path, k), f)
		}
	case []any:
		for _, e := range v {
			walkText(e, path, f)
		}
	}
}

func hasFreeText(v any) bool {
	found := false
	walkText(v, nil, func(_ []string, leaf string) { found = found || IsFreeText(leaf) })
	return found
}

func hashPrefix(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
