package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// The floor: the link rules (STORE-01..03, ACCESS-01..05) written directly in Go over
// the snapshot, with the default policy data. It is what a hand-written checker costs,
// the least time the machine needs for this evidence, and exists only to be measured
// against; floor_test.go checks that it finds what the Rego controls find.

// floorConfig is the part of the policy data the link rules read.
type floorConfig struct {
	ShareWindowMinutes int                 `json:"shareWindowMinutes"`
	ClockSkewMinutes   int                 `json:"clockSkewMinutes"`
	MaxFreeTextLength  int                 `json:"maxFreeTextLength"`
	MessageKeys        []string            `json:"messageKeys"`
	KnownColumns       map[string][]string `json:"knownColumns"`
}

func loadFloorConfig() (*floorConfig, error) {
	b, err := policies.FS.ReadFile("data.json")
	if err != nil {
		return nil, err
	}
	var data struct {
		Teamschat struct {
			Config floorConfig `json:"config"`
		} `json:"teamschat"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("policy data: %w", err)
	}
	return &data.Teamschat.Config, nil
}

func runFloor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ExitOnError)
	in := fs.String("snapshot", "", "snapshot file to read")
	parse(fs, args)
	start := time.Now()
	snap, err := audit.LoadSnapshot(*in)
	if err != nil {
		return err
	}
	loaded := time.Now()
	cfg, err := loadFloorConfig()
	if err != nil {
		return err
	}
	counts := floorEvaluate(snap, cfg)
	fmt.Fprintf(os.Stderr, "floor: load %.2fs, evaluate %.2fs\n",
		loaded.Sub(start).Seconds(), time.Since(loaded).Seconds())
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		fmt.Printf("%s %d\n", id, counts[id])
	}
	return nil
}

// floorIndex joins the snapshot as the engine's index does.
type floorIndex struct {
	cfg     *floorConfig
	home    string
	known   map[string]map[string]bool
	byID    map[string]*audit.SystemUser
	byAAD   map[string]*audit.SystemUser
	convs   map[string]*audit.Conversation
	access  map[[2]string]*audit.AccessCheck
	shares  map[string][]*audit.Share
	licence map[string]*audit.Licence
}

func lc(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func newFloorIndex(s *audit.Snapshot, cfg *floorConfig) *floorIndex {
	ix := &floorIndex{cfg: cfg, home: strings.ToLower(s.Tenant.TenantID),
		known: map[string]map[string]bool{}, byID: map[string]*audit.SystemUser{},
		byAAD: map[string]*audit.SystemUser{}, convs: map[string]*audit.Conversation{},
		access: map[[2]string]*audit.AccessCheck{}, shares: map[string][]*audit.Share{},
		licence: map[string]*audit.Licence{}}
	for table, cols := range cfg.KnownColumns {
		ix.known[table] = map[string]bool{}
		for _, c := range cols {
			ix.known[table][c] = true
		}
	}
	for i := range s.Users {
		u := &s.Users[i]
		ix.byID[lc(u.SystemUserID)] = u
		if aad := lc(u.AADObjectID); aad != "" {
			ix.byAAD[aad] = u
		}
	}
	for i := range s.Members {
		ix.convs[s.Members[i].ConversationID] = &s.Members[i]
	}
	for i := range s.Access {
		a := &s.Access[i]
		ix.access[[2]string{lc(a.SystemUserID), lc(a.RecordID)}] = a
	}
	for i := range s.Shares {
		sh := &s.Shares[i]
		ix.shares[lc(sh.ObjectID)] = append(ix.shares[lc(sh.ObjectID)], sh)
	}
	for i := range s.Licences {
		ix.licence[lc(s.Licences[i].UserID)] = &s.Licences[i]
	}
	return ix
}

// link is the part of a chat or channel link the rules read.
type link struct {
	kind, table, convColumn, id, convID, recordID, createdOn, createdBy string
	active                                                              bool
	columns                                                             map[string]any
}

// floorEvaluate counts the findings of each link control.
func floorEvaluate(s *audit.Snapshot, cfg *floorConfig) map[string]int {
	ix := newFloorIndex(s, cfg)
	counts := map[string]int{}
	for i := range s.ChatLinks {
		l := &s.ChatLinks[i]
		ix.link(link{"chat", "msdyn_teamschatassociation", "msdyn_teamschatid", l.ID, l.ChatID,
			l.RegardingID, l.CreatedOn, l.CreatedBy, is0(l.StateCode) && is0(l.RecordState),
			l.Columns()}, counts)
	}
	for i := range s.ChannelLinks {
		l := &s.ChannelLinks[i]
		ix.link(link{"channel", "msdyn_teamscollaboration", "msdyn_channelid", l.ID, l.ChannelID,
			l.RegardingID, l.CreatedOn, l.CreatedBy, is0(l.StateCode), l.Columns()}, counts)
	}
	for i := range s.ChatSync {
		ix.chatSync(&s.ChatSync[i], counts)
	}
	return counts
}

func is0(p *int) bool { return p == nil || *p == 0 }

var (
	chatID    = regexp.MustCompile(`^19:[A-Za-z0-9_-]+@thread\.v2$`)
	guid      = `[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`
	oneToOne  = regexp.MustCompile(`^19:` + guid + `_` + guid + `@unq\.gbl\.spaces$`)
	channelID = regexp.MustCompile(`^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$`)
)

func convKind(id string) string {
	switch {
	case chatID.MatchString(id) || oneToOne.MatchString(id):
		return "chat"
	case channelID.MatchString(id):
		return "channel"
	}
	return ""
}

func (ix *floorIndex) link(l link, counts map[string]int) {
	if convKind(l.convID) != l.kind {
		counts["STORE-01"]++
	}
	for column, value := range l.columns {
		if column == l.convColumn {
			continue
		}
		if len(ix.signals(value)) > 0 || !ix.known[l.table][column] && ix.isText(value) {
			counts["STORE-02"]++
		}
	}
	if !l.active {
		return
	}
	ix.creator(l, counts)
	conv := ix.convs[l.convID]
	if conv == nil || conv.Error != "" {
		return
	}
	ix.members(l, conv, counts)
}

func (ix *floorIndex) creator(l link, counts map[string]int) {
	u := ix.byID[lc(l.createdBy)]
	if u == nil {
		return
	}
	if u.IsDisabled != nil && *u.IsDisabled {
		counts["ACCESS-03"]++
	}
	if known, read := ix.canRead(u, l.recordID); known && !read {
		counts["ACCESS-03"]++
	}
	if l.kind == "channel" && u.AADObjectID != "" {
		if lic := ix.licence[lc(u.AADObjectID)]; lic != nil && lic.Error == "" && !lic.TeamsEnabled {
			counts["ACCESS-04"]++
		}
	}
}

// canRead tells whether a user's access to a record was checked, and if so whether the
// user holds ReadAccess.
func (ix *floorIndex) canRead(u *audit.SystemUser, recordID string) (known, read bool) {
	a := ix.access[[2]string{lc(u.SystemUserID), lc(recordID)}]
	if a == nil || a.Error != "" {
		return false, false
	}
	for _, r := range strings.Split(a.AccessRights, ",") {
		if strings.TrimSpace(r) == "ReadAccess" {
			return true, true
		}
	}
	return true, false
}

func (ix *floorIndex) members(l link, conv *audit.Conversation, counts map[string]int) {
	created, createdOK := parseTime(l.createdOn)
	withoutRead := false
	seen := map[string]bool{} // findings are a set: a repeated member counts once
	for i := range conv.Members {
		m := &conv.Members[i]
		memberID := m.UserID
		if memberID == "" {
			memberID = m.ID
		}
		guest := slices.ContainsFunc(m.Roles, func(r string) bool { return lc(r) == "guest" })
		external := m.TenantID != "" && lc(m.TenantID) != ix.home
		if (guest || external) && !seen["5:"+memberID] {
			seen["5:"+memberID] = true
			counts["ACCESS-05"]++
		}
		u := ix.byAAD[lc(m.UserID)]
		if u == nil {
			withoutRead = true
			continue
		}
		if known, read := ix.canRead(u, l.recordID); known && !read {
			withoutRead = true
		}
		for _, sh := range ix.shares[lc(l.recordID)] {
			if lc(sh.PrincipalID) != lc(u.SystemUserID) || sh.AccessRightsMask == 0 || !createdOK {
				continue
			}
			at, ok := parseTime(sh.ChangedOn)
			window := time.Duration(ix.cfg.ShareWindowMinutes) * time.Minute
			skew := time.Duration(ix.cfg.ClockSkewMinutes) * time.Minute
			if ok && !at.Before(created.Add(-skew)) && !at.After(created.Add(window)) &&
				!seen["1:"+sh.ID+memberID] {
				seen["1:"+sh.ID+memberID] = true
				counts["ACCESS-01"]++
			}
		}
	}
	if withoutRead {
		counts["ACCESS-02"]++
	}
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

var (
	tag    = regexp.MustCompile(`<[A-Za-z/!?][^<>]*>`)
	entity = regexp.MustCompile(`&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
	number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	date   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}` +
		`([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$`)
	braced = regexp.MustCompile(`^\{?` + guid + `\}?$`)
)

// signals are the reasons the strings in a value look like conversation text.
func (ix *floorIndex) signals(value any) map[string]bool {
	out := map[string]bool{}
	leaves(value, func(s string) {
		if tag.MatchString(s) || entity.MatchString(s) {
			out["markup"] = true
		}
		if strings.ContainsAny(s, "\r\n\u2028\u2029") {
			out["line-break"] = true
		}
		if utf8.RuneCountInString(s) > ix.cfg.MaxFreeTextLength {
			out["long-text"] = true
		}
	})
	return out
}

// isText holds for a value holding a string that is not blank, an id, a number, a
// boolean or a date.
func (ix *floorIndex) isText(value any) bool {
	text := false
	leaves(value, func(s string) {
		if strings.TrimSpace(s) != "" && !braced.MatchString(s) && !number.MatchString(s) &&
			!date.MatchString(s) && lc(s) != "true" && lc(s) != "false" {
			text = true
		}
	})
	return text
}

// leaves calls f with every string in a value, keys excluded.
func leaves(value any, f func(string)) {
	switch v := value.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			leaves(e, f)
		}
	case map[string]any:
		for _, e := range v {
			leaves(e, f)
		}
	}
}

func (ix *floorIndex) chatSync(a *audit.ChatActivity, counts map[string]int) {
	if a.Description != "" {
		counts["STORE-03"]++
	}
	if a.AdditionalParams == "" {
		return
	}
	var parsed any
	if json.Unmarshal([]byte(a.AdditionalParams), &parsed) != nil {
		parsed = a.AdditionalParams
	}
	if _, isString := parsed.(string); isString {
		parsed = a.AdditionalParams
	}
	if len(ix.signals(parsed)) > 0 || ix.messageKey(parsed, false) {
		counts["STORE-03"]++
	}
}

// messageKey holds for a non-empty string under a key that names a message body.
func (ix *floorIndex) messageKey(value any, under bool) bool {
	switch v := value.(type) {
	case string:
		return under && v != ""
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return ix.messageKey(e, under) })
	case map[string]any:
		for k, e := range v {
			named := slices.ContainsFunc(ix.cfg.MessageKeys, func(m string) bool {
				return lc(m) == lc(k)
			})
			if ix.messageKey(e, under || named) {
				return true
			}
		}
	}
	return false
}
