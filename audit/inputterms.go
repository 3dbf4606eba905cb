package audit

import (
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rows reach the rules as ast values built directly, not as maps converted with
// ast.InterfaceToValue: object keys are shared terms, and the values that repeat across
// rows (access rights, licences, users' fields, constants) are built once per scan.
// Terms are never changed once built, so evaluations on every worker can share them.

// Object keys of the row input.
var (
	kAccess        = ast.StringTerm("access")
	kAccessMask    = ast.StringTerm("accessMask")
	kAccountEnab   = ast.StringTerm("accountEnabled")
	kAADObjectID   = ast.StringTerm("aadObjectId")
	kActive        = ast.StringTerm("active")
	kApplicationID = ast.StringTerm("applicationId")
	kChangedOn     = ast.StringTerm("changedOn")
	kColumns       = ast.StringTerm("columns")
	kConvColumn    = ast.StringTerm("conversationColumn")
	kConvID        = ast.StringTerm("conversationId")
	kCreatedOn     = ast.StringTerm("createdOn")
	kCreator       = ast.StringTerm("creator")
	kDisabled      = ast.StringTerm("disabled")
	kDomainName    = ast.StringTerm("domainName")
	kDynamicsUser  = ast.StringTerm("dynamicsUser")
	kEmail         = ast.StringTerm("email")
	kError         = ast.StringTerm("error")
	kGroupID       = ast.StringTerm("groupId")
	kID            = ast.StringTerm("id")
	kInherited     = ast.StringTerm("inheritedMask")
	kKind          = ast.StringTerm("kind")
	kKnown         = ast.StringTerm("known")
	kLicence       = ast.StringTerm("licence")
	kList          = ast.StringTerm("list")
	kMembers       = ast.StringTerm("members")
	kName          = ast.StringTerm("name")
	kObjectType    = ast.StringTerm("objectTypeCode")
	kPrincipalID   = ast.StringTerm("principalId")
	kPrincipalType = ast.StringTerm("principalType")
	kRecord        = ast.StringTerm("record")
	kRights        = ast.StringTerm("rights")
	kRoles         = ast.StringTerm("roles")
	kShares        = ast.StringTerm("shares")
	kSubject       = ast.StringTerm("subject")
	kSystemUserID  = ast.StringTerm("systemUserId")
	kTable         = ast.StringTerm("table")
	kTeamID        = ast.StringTerm("teamId")
	kTeamName      = ast.StringTerm("teamName")
	kTeamsChatID   = ast.StringTerm("teamsChatId")
	kTeamsEnabled  = ast.StringTerm("teamsEnabled")
	kTenantID      = ast.StringTerm("tenantId")
	kUserID        = ast.StringTerm("userId")
)

// Values that are the same in many rows.
var (
	tTrue        = ast.InternedTerm(true)
	tFalse       = ast.InternedTerm(false)
	tChat        = ast.StringTerm("chat")
	tChannel     = ast.StringTerm("channel")
	tChatTable   = ast.StringTerm("msdyn_teamschatassociation")
	tChanTable   = ast.StringTerm("msdyn_teamscollaboration")
	tChatColumn  = ast.StringTerm("msdyn_teamschatid")
	tChanColumn  = ast.StringTerm("msdyn_channelid")
	tUnknown     = ast.ObjectTerm(item(kKnown, tFalse))
	tNoRights    = ast.ObjectTerm(item(kKnown, tTrue), item(kRights, ast.ArrayTerm()))
	tNotChecked  = ast.ObjectTerm(item(kKnown, tFalse), item(kRights, ast.ArrayTerm()))
	tNoMembers   = ast.ObjectTerm(item(kKnown, tFalse), item(kList, ast.ArrayTerm()))
	tNoShares    = ast.ArrayTerm()
	commonValues = map[string]*ast.Term{}
)

func init() {
	for _, s := range []string{"owner", "guest", "systemuser", "team", "account", "contact",
		"opportunity", "incident", "lead"} {
		commonValues[s] = ast.StringTerm(s)
	}
}

func item(k, v *ast.Term) [2]*ast.Term { return [2]*ast.Term{k, v} }

func boolTerm(b bool) *ast.Term {
	if b {
		return tTrue
	}
	return tFalse
}

// strTerm is a string term; the empty string and common values are shared.
func strTerm(s string) *ast.Term {
	if s == "" {
		return ast.InternedEmptyString
	}
	if t, ok := commonValues[s]; ok {
		return t
	}
	return ast.StringTerm(s)
}

// anyTerm converts a column value of unknown shape; strings, the common case, go direct.
func anyTerm(v any) *ast.Term {
	if s, ok := v.(string); ok {
		return strTerm(s)
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		// Column values come from decoded JSON, which always converts.
		return ast.NullTerm()
	}
	return ast.NewTerm(val)
}

// userTerms are the fields of a Dynamics user as the input shows them, built once.
type userTerms struct {
	systemUserID, name, domainName, aadObjectID, applicationID *ast.Term
	disabled                                                   *ast.Term // nil when absent
}

func newUserTerms(u *SystemUser) *userTerms {
	ut := &userTerms{
		systemUserID:  strTerm(u.SystemUserID),
		name:          strTerm(u.FullName),
		domainName:    strTerm(u.DomainName),
		aadObjectID:   strTerm(u.AADObjectID),
		applicationID: strTerm(u.ApplicationID),
	}
	if u.IsDisabled != nil {
		ut.disabled = boolTerm(*u.IsDisabled)
	}
	return ut
}

// add appends the user's fields; name replaces any name given before.
func (ut *userTerms) add(pairs [][2]*ast.Term) [][2]*ast.Term {
	for i := range pairs {
		if pairs[i][0] == kName {
			pairs = append(pairs[:i], pairs[i+1:]...)
			break
		}
	}
	pairs = append(pairs, item(kName, ut.name), item(kDomainName, ut.domainName),
		item(kAADObjectID, ut.aadObjectID), item(kApplicationID, ut.applicationID))
	if ut.disabled != nil {
		pairs = append(pairs, item(kDisabled, ut.disabled))
	}
	return pairs
}

func licenceTerm(l *Licence) *ast.Term {
	pairs := []([2]*ast.Term){item(kKnown, boolTerm(l.Error == "")),
		item(kTeamsEnabled, boolTerm(l.TeamsEnabled)), item(kError, strTerm(l.Error))}
	if l.AccountEnabled != nil {
		pairs = append(pairs, item(kAccountEnab, boolTerm(*l.AccountEnabled)))
	}
	return ast.ObjectTerm(pairs...)
}

// rightsTerm is a known access check with the rights named in s.
func rightsTerm(s string) *ast.Term {
	names := ParseAccessRights(s)
	rights := make([]*ast.Term, len(names))
	for i, r := range names {
		rights[i] = ast.StringTerm(r.(string))
	}
	return ast.ObjectTerm(item(kKnown, tTrue), item(kRights, ast.ArrayTerm(rights...)))
}

// rowTerms holds what the row builders share, built once per scan by newRowTerms.
type rowTerms struct {
	users    map[*SystemUser]*userTerms
	licences map[*Licence]*ast.Term
	rights   map[string]*ast.Term // access objects by the AccessRights string
	tenants  map[string]*ast.Term // member tenant ids, lower-cased
	columns  sync.Map             // column name to key term, filled as names are met
}

func (ix *index) newRowTerms() *rowTerms {
	s := ix.snap
	rt := &rowTerms{
		users:    make(map[*SystemUser]*userTerms, len(s.Users)),
		licences: make(map[*Licence]*ast.Term, len(s.Licences)),
		rights:   map[string]*ast.Term{},
		tenants:  map[string]*ast.Term{},
	}
	for i := range s.Users {
		rt.users[&s.Users[i]] = newUserTerms(&s.Users[i])
	}
	for i := range s.Licences {
		rt.licences[&s.Licences[i]] = licenceTerm(&s.Licences[i])
	}
	for i := range s.Access {
		if a := &s.Access[i]; a.Error == "" && rt.rights[a.AccessRights] == nil {
			rt.rights[a.AccessRights] = rightsTerm(a.AccessRights)
		}
	}
	for i := range s.Members {
		for j := range s.Members[i].Members {
			t := key(s.Members[i].Members[j].TenantID)
			if rt.tenants[t] == nil {
				rt.tenants[t] = strTerm(t)
			}
		}
	}
	return rt
}

func (ix *index) chatLinkTerm(l *ChatLink) *ast.Term {
	active := intIs(l.StateCode, 0) && intIs(l.RecordState, 0)
	pairs := make([][2]*ast.Term, 0, 16)
	pairs = append(pairs, item(kKind, tChat), item(kTable, tChatTable),
		item(kConvColumn, tChatColumn),
		item(kName, textTerm(l.Name, l.Extra, "msdyn_teamschatassociationname")))
	convTerm, convID := withheldText(l.ChatID, l.Extra, "msdyn_teamschatid")
	pairs = ix.linkPairs(pairs, l.ID, convTerm, convID, l.RegardingID, l.RegardingTable,
		l.CreatedOn, l.CreatedBy, active)
	pairs = append(pairs, item(kColumns, ix.terms.columnsTerm(l.fields(), l.Extra)))
	return ast.ObjectTerm(pairs...)
}

func (ix *index) channelLinkTerm(l *ChannelLink) *ast.Term {
	pairs := make([][2]*ast.Term, 0, 16)
	pairs = append(pairs, item(kKind, tChannel), item(kTable, tChanTable),
		item(kConvColumn, tChanColumn),
		item(kName, textTerm(l.ChannelName, l.Extra, "msdyn_channelname")),
		item(kTeamID, strTerm(l.TeamID)), item(kGroupID, strTerm(l.GroupID)),
		item(kTeamName, textTerm(l.TeamName, l.Extra, "msdyn_teamname")))
	convTerm, convID := withheldText(l.ChannelID, l.Extra, "msdyn_channelid")
	pairs = ix.linkPairs(pairs, l.ID, convTerm, convID, l.RegardingID, l.RegardingTable,
		l.CreatedOn, l.CreatedBy, intIs(l.StateCode, 0))
	pairs = append(pairs, item(kColumns, ix.terms.columnsTerm(l.fields(), l.Extra)))
	return ast.ObjectTerm(pairs...)
}

// linkPairs adds the fields links share. convTerm is the conversation ID as the
// policies see it (a text digest when the snapshot withheld it), convID the ID that
// members are looked up by.
func (ix *index) linkPairs(pairs [][2]*ast.Term, id string, convTerm *ast.Term, convID,
	recordID, recordTable, createdOn, createdBy string, active bool) [][2]*ast.Term {
	record := ast.ObjectTerm(item(kID, strTerm(recordID)), item(kTable, strTerm(recordTable)))
	return append(pairs,
		item(kID, strTerm(id)),
		item(kConvID, convTerm),
		item(kRecord, record),
		item(kActive, boolTerm(active)),
		item(kCreatedOn, strTerm(createdOn)),
		item(kCreator, ix.creatorTerm(createdBy, recordID)),
		item(kMembers, ix.membersTerm(convID, recordID)),
		item(kShares, ix.sharesTerm(recordID, "", false)),
	)
}

func (ix *index) creatorTerm(systemUserID, recordID string) *ast.Term {
	pairs := make([][2]*ast.Term, 0, 10)
	pairs = append(pairs, item(kSystemUserID, strTerm(systemUserID)))
	u := ix.usersByID[key(systemUserID)]
	if u == nil {
		pairs = append(pairs, item(kKnown, tFalse),
			item(kAccess, ix.accessTerm(systemUserID, recordID)), item(kLicence, tUnknown))
		return ast.ObjectTerm(pairs...)
	}
	pairs = append(pairs, item(kKnown, tTrue))
	pairs = ix.terms.users[u].add(pairs)
	pairs = append(pairs, item(kAccess, ix.accessTerm(u.SystemUserID, recordID)),
		item(kLicence, ix.licenceTerm(u.AADObjectID)))
	return ast.ObjectTerm(pairs...)
}

func (ix *index) licenceTerm(aadID string) *ast.Term {
	l := ix.licences[key(aadID)]
	if aadID == "" || l == nil {
		return tUnknown
	}
	return ix.terms.licences[l]
}

// accessTerm is a user's access check on a record: known false when no check was made
// or it failed, so that a rule can tell "cannot read" from "not checked".
func (ix *index) accessTerm(systemUserID, recordID string) *ast.Term {
	a := ix.access[[2]string{key(systemUserID), key(recordID)}]
	if a == nil {
		return tNotChecked
	}
	if a.Error != "" {
		return ast.ObjectTerm(item(kKnown, tFalse), item(kError, strTerm(a.Error)),
			item(kRights, ast.ArrayTerm()))
	}
	return ix.terms.rights[a.AccessRights]
}

func (ix *index) membersTerm(convID, recordID string) *ast.Term {
	conv := ix.members[convID]
	if conv == nil {
		return tNoMembers
	}
	if conv.Error != "" {
		return ast.ObjectTerm(item(kKnown, tFalse), item(kError, strTerm(conv.Error)),
			item(kList, ast.ArrayTerm()))
	}
	list := make([]*ast.Term, len(conv.Members))
	for i := range conv.Members {
		list[i] = ix.memberTerm(&conv.Members[i], recordID)
	}
	return ast.ObjectTerm(item(kKnown, tTrue), item(kList, ast.ArrayTerm(list...)))
}

func (ix *index) memberTerm(m *Member, recordID string) *ast.Term {
	roles := make([]*ast.Term, len(m.Roles))
	for i, r := range m.Roles {
		roles[i] = strTerm(strings.ToLower(r))
	}
	pairs := make([][2]*ast.Term, 0, 16)
	pairs = append(pairs, item(kID, strTerm(m.ID)), item(kUserID, strTerm(m.UserID)),
		item(kName, strTerm(m.DisplayName)), item(kEmail, strTerm(m.Email)),
		item(kRoles, ast.ArrayTerm(roles...)), item(kTenantID, ix.tenantTerm(m.TenantID)))
	u := ix.usersByAAD[key(m.UserID)]
	if u == nil {
		pairs = append(pairs, item(kDynamicsUser, tFalse), item(kAccess, tNoRights),
			item(kShares, tNoShares))
		return ast.ObjectTerm(pairs...)
	}
	ut := ix.terms.users[u]
	pairs = append(pairs, item(kDynamicsUser, tTrue), item(kSystemUserID, ut.systemUserID))
	pairs = ut.add(pairs)
	pairs = append(pairs, item(kAccess, ix.accessTerm(u.SystemUserID, recordID)),
		item(kShares, ix.sharesTerm(recordID, u.SystemUserID, true)))
	return ast.ObjectTerm(pairs...)
}

func (ix *index) tenantTerm(tenantID string) *ast.Term {
	if t := ix.terms.tenants[key(tenantID)]; t != nil {
		return t
	}
	return strTerm(key(tenantID))
}

// sharesTerm lists the shares on a record; with byPrincipal, only those of one principal.
func (ix *index) sharesTerm(recordID, principalID string, byPrincipal bool) *ast.Term {
	rows := ix.shares[key(recordID)]
	if len(rows) == 0 {
		return ast.ArrayTerm()
	}
	out := make([]*ast.Term, 0, len(rows))
	for _, sh := range rows {
		if !byPrincipal || key(sh.PrincipalID) == key(principalID) {
			out = append(out, shareTerm(sh))
		}
	}
	return ast.ArrayTerm(out...)
}

func shareTerm(sh *Share) *ast.Term {
	return ast.ObjectTerm(
		item(kID, strTerm(sh.ID)),
		item(kPrincipalID, strTerm(sh.PrincipalID)),
		item(kPrincipalType, strTerm(sh.PrincipalTypeCode)),
		item(kAccessMask, anyTerm(sh.AccessRightsMask)),
		item(kInherited, anyTerm(sh.InheritedAccessRightsMask)),
		item(kChangedOn, strTerm(sh.ChangedOn)),
		item(kObjectType, strTerm(sh.ObjectTypeCode)),
	)
}

// columnKey is the shared key term of a column name.
func (rt *rowTerms) columnKey(name string) *ast.Term {
	if t, ok := rt.columns.Load(name); ok {
		return t.(*ast.Term)
	}
	t, _ := rt.columns.LoadOrStore(name, ast.StringTerm(name))
	return t.(*ast.Term)
}

// textTerm is a typed text column as the policies see it: its value, or, when a
// snapshot withheld the value, the digest that stands in the extra columns instead.
func textTerm(typed string, extra []Column, column string) *ast.Term {
	t, _ := withheldText(typed, extra, column)
	return t
}

// withheldText is textTerm with the key the value is looked up by elsewhere in the
// snapshot: the value itself, or the withheld ID a digest stands for (WithheldID).
func withheldText(typed string, extra []Column, column string) (*ast.Term, string) {
	if typed == "" {
		for _, c := range extra {
			if c.Name == column && IsTextDigest(c.Value) {
				return anyTerm(c.Value), digestID(c.Value)
			}
		}
	}
	return strTerm(typed), typed
}

// columnsTerm is every column of a row by name, as Columns() gives them.
func (rt *rowTerms) columnsTerm(fields []field, extra []Column) *ast.Term {
	pairs := make([][2]*ast.Term, 0, len(fields)+len(extra))
	for _, f := range fields {
		if f.s != nil && *f.s != "" {
			pairs = append(pairs, item(rt.columnKey(f.name), strTerm(*f.s)))
		} else if f.n != nil && *f.n != nil {
			pairs = append(pairs, item(rt.columnKey(f.name), anyTerm(**f.n)))
		}
	}
	typed := len(pairs)
	for _, c := range extra {
		p := item(rt.columnKey(c.Name), anyTerm(c.Value))
		if i := indexOfKey(pairs[:typed], c.Name); i >= 0 {
			pairs[i] = p // an extra column of the same name wins, as in Columns()
			continue
		}
		pairs = append(pairs, p)
	}
	return ast.ObjectTerm(pairs...)
}

func indexOfKey(pairs [][2]*ast.Term, name string) int {
	for i, p := range pairs {
		if string(p[0].Value.(ast.String)) == name {
			return i
		}
	}
	return -1
}

func (ix *index) chatSyncTerm(a *ChatActivity) *ast.Term {
	return ast.ObjectTerm(
		item(kID, strTerm(a.ID)),
		item(kSubject, strTerm(a.Subject)),
		item(kTeamsChatID, strTerm(a.TeamsChatID)),
		item(kColumns, ix.terms.columnsTerm(a.fields(), a.Extra)),
	)
}
