package audit

import "strings"

// Decoded rows repeat many strings: every access check names its user and record's
// table, every member its tenant, every link its creator and lookup columns. Decoding
// allocates each occurrence anew; interning the repeating fields as rows are decoded
// keeps one copy, which at a million links is gigabytes. Fields that are unique per row
// (row ids, names, times) are left alone, as interning them would only grow the table.

type interner map[string]string

func (in interner) str(p *string) {
	if *p == "" {
		return
	}
	if v, ok := in[*p]; ok {
		*p = v
		return
	}
	in[*p] = *p
}

// columns interns the names of extra columns and the values of lookup columns
// (_name_value), which hold the ids of users, teams and business units.
func (in interner) columns(extra []Column) {
	for i := range extra {
		in.str(&extra[i].Name)
		if s, ok := extra[i].Value.(string); ok && strings.HasPrefix(extra[i].Name, "_") {
			in.str(&s)
			extra[i].Value = s
		}
	}
}

// internRow interns the repeating fields of a decoded row; rows of other types are left
// as decoded.
func internRow(in interner, row any) {
	switch r := row.(type) {
	case *ChatLink:
		in.str(&r.RegardingTable)
		in.str(&r.CreatedBy)
		in.columns(r.Extra)
	case *ChannelLink:
		in.str(&r.RegardingTable)
		in.str(&r.TeamID)
		in.str(&r.GroupID)
		in.str(&r.TenantID)
		in.str(&r.CreatedBy)
		in.columns(r.Extra)
	case *ChatActivity:
		in.columns(r.Extra)
	case *Conversation:
		in.str(&r.TeamID)
		for i := range r.Members {
			m := &r.Members[i]
			in.str(&m.UserID)
			in.str(&m.DisplayName)
			in.str(&m.Email)
			in.str(&m.TenantID)
			for j := range m.Roles {
				in.str(&m.Roles[j])
			}
		}
	case *AccessCheck:
		in.str(&r.SystemUserID)
		in.str(&r.RecordTable)
		in.str(&r.RecordID)
		in.str(&r.AccessRights)
	case *Share:
		in.str(&r.ObjectID)
		in.str(&r.ObjectTypeCode)
		in.str(&r.PrincipalID)
		in.str(&r.PrincipalTypeCode)
	}
}
