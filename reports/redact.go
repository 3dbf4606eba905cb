package reports

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// personKeys are evidence keys whose values name a person (compared case-insensitively).
var personKeys = map[string]bool{
	"name": true, "displayname": true, "fullname": true, "email": true, "mail": true,
	"userprincipalname": true, "upn": true, "domainname": true, "createdbyname": true,
	"ownername": true, "principalname": true, "username": true,
}

// personIDKeys are evidence keys holding the id of the person the same evidence
// names; a name and an address beside the same id get the same pseudonym.
var personIDKeys = []string{
	"userId", "userid", "aadObjectId", "azureactivedirectoryobjectid", "systemUserId",
	"systemuserid", "principalId", "principalid",
}

// personTypes are resource types whose name is a person's name.
var personTypes = map[string]bool{
	"member": true, "systemUser": true, "share": true, "user": true, "licence": true,
}

var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)

// Redact returns a copy of r with user names, user principal names and e-mail
// addresses replaced by pseudonyms such as "user-1a2b3c". The same person gets the
// same pseudonym everywhere in the copy; pseudonyms come from an HMAC under a random
// key made for this call, so they cannot be reversed or matched across reports.
func Redact(r *audit.Results) *audit.Results {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		// crypto/rand does not fail on supported platforms; never fall back to a
		// guessable key.
		panic("redact: read random key: " + err.Error())
	}
	return redactWithKey(r, key)
}

// redactor holds one report's pseudonyms.
type redactor struct {
	key []byte
	// names maps a known person string (lower-cased) to its pseudonym.
	names map[string]string
}

func redactWithKey(r *audit.Results, key []byte) *audit.Results {
	rd := &redactor{key: key, names: map[string]string{}}
	out := *r

	// First learn every person string, so a name found in evidence is also replaced
	// where it appears inside a message or a resource name.
	for _, f := range r.Findings {
		rd.learn(f.Evidence)
		if personTypes[f.Resource.Type] && f.Resource.Name != "" {
			rd.pseudonym(f.Resource.Name, rd.personOf(f.Evidence, f.Resource.Name))
		}
	}

	out.Findings = make([]audit.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Message = rd.text(f.Message)
		f.Remediation = rd.text(f.Remediation)
		f.Resource.Name = rd.text(f.Resource.Name)
		f.Evidence, _ = rd.value(f.Evidence).(map[string]any)
		out.Findings[i] = f
	}
	for i := range out.Findings {
		out.Findings[i].Waived = rd.waiver(out.Findings[i].Waived)
	}
	if r.Waivers != nil {
		out.Waivers = make([]audit.WaiverStatus, len(r.Waivers))
		for i, w := range r.Waivers {
			w.WaiverRef = *rd.waiver(&w.WaiverRef)
			out.Waivers[i] = w
		}
	}
	out.Controls = make([]audit.ControlResult, len(r.Controls))
	for i, c := range r.Controls {
		c.Reason = rd.text(c.Reason)
		out.Controls[i] = c
	}
	out.Evidence = make(map[audit.SourceName]*audit.Source, len(r.Evidence))
	for name, s := range r.Evidence {
		if s == nil {
			continue
		}
		cp := *s
		cp.Reason = rd.text(cp.Reason)
		out.Evidence[name] = &cp
	}
	return &out
}

// waiver copies a waiver reference with its owner and free text redacted. The owner
// is a person even when it is not an address, so it always gets a pseudonym.
func (rd *redactor) waiver(w *audit.WaiverRef) *audit.WaiverRef {
	if w == nil {
		return nil
	}
	cp := *w
	if owner := strings.TrimSpace(cp.Owner); owner != "" {
		if p, ok := rd.names[strings.ToLower(owner)]; ok {
			cp.Owner = p
		} else {
			cp.Owner = rd.pseudonym(owner, "name:"+strings.ToLower(owner))
		}
	}
	cp.Reason = rd.text(cp.Reason)
	cp.Ticket = rd.text(cp.Ticket)
	return &cp
}

// learn records the person strings of an evidence value.
func (rd *redactor) learn(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			s, ok := x.(string)
			if ok && personKeys[strings.ToLower(k)] && s != "" {
				rd.pseudonym(s, rd.personOf(v, s))
				continue
			}
			rd.learn(x)
		}
	case []any:
		for _, x := range v {
			rd.learn(x)
		}
	}
}

// personOf is the identity behind a name: the user id beside it in the same
// evidence object when there is one, otherwise the name itself.
func (rd *redactor) personOf(ev map[string]any, name string) string {
	for _, k := range personIDKeys {
		if id, ok := ev[k].(string); ok && id != "" {
			return "id:" + strings.ToLower(id)
		}
	}
	return "name:" + strings.ToLower(strings.TrimSpace(name))
}

// pseudonym records name as belonging to identity and returns its pseudonym.
func (rd *redactor) pseudonym(name, identity string) string {
	mac := hmac.New(sha256.New, rd.key)
	mac.Write([]byte(identity))
	p := "user-" + hex.EncodeToString(mac.Sum(nil))[:6]
	rd.names[strings.ToLower(strings.TrimSpace(name))] = p
	return p
}

// text replaces every known person string and every e-mail address in s.
func (rd *redactor) text(s string) string {
	if s == "" {
		return s
	}
	if p, ok := rd.names[strings.ToLower(strings.TrimSpace(s))]; ok {
		return p
	}
	s = emailPattern.ReplaceAllStringFunc(s, func(addr string) string {
		if p, ok := rd.names[strings.ToLower(addr)]; ok {
			return p
		}
		return rd.pseudonym(addr, "name:"+strings.ToLower(addr))
	})
	for _, name := range rd.longestFirst() {
		s = replaceFold(s, name, rd.names[name])
	}
	return s
}

// longestFirst lists the known names, longest first, so "Alice Example" is replaced
// before "Alice".
func (rd *redactor) longestFirst() []string {
	names := make([]string, 0, len(rd.names))
	for n := range rd.names {
		// Very short names would replace fragments of ordinary words.
		if len([]rune(n)) >= 3 {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return names
}

// replaceFold replaces every case-insensitive occurrence of lowerOld in s.
func replaceFold(s, lowerOld, repl string) string {
	lower := strings.ToLower(s)
	if len(lower) != len(s) || !strings.Contains(lower, lowerOld) {
		// Lower-casing changed byte lengths (rare scripts): fall back to exact case.
		return strings.ReplaceAll(s, lowerOld, repl)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowerOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(lowerOld):], lower[i+len(lowerOld):]
	}
}

// value copies an evidence value with person strings replaced.
func (rd *redactor) value(v any) any {
	switch v := v.(type) {
	case string:
		return rd.text(v)
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = rd.value(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = rd.value(x)
		}
		return out
	case []string:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = rd.text(x)
		}
		return out
	}
	return v
}
