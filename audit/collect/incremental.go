package collect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// An incremental scan reads everything that is cheap or tenant-wide again: the
// integration, its grants and resources, every link row, the system users, the shares
// of every linked record and the members of every conversation (20 to a batch). What
// it may take from the previous complete scan are the two expensive per-item sources:
//
//   - an access check of (user, record), when every link on the record is unchanged
//     (same row version, conversation, record and creator), the membership of every
//     conversation linked to the record is unchanged, the record's share rows are
//     unchanged and the user's systemuser row is unchanged;
//   - a creator's Teams licence, when none of the creator's links changed and the
//     creator's systemuser row is unchanged.
//
// Anything else, and any item the previous scan could not read, is read again. Changes
// that leave no trace in those rows (a security role or team change, a licence removed
// from a creator whose links did not change) are seen only by a full scan.

// reuse is the previous scan's evidence, indexed for the questions above.
type reuse struct {
	ref      audit.ScanRef
	access   map[string]audit.AccessCheck // by user|record
	licences map[string]audit.Licence     // by Entra object id
	links    map[string]linkState         // by link id
	members  map[string]string            // membership signature by conversation id
	shares   map[string]string            // share rows signature by record id
	users    map[string]string            // systemuser signature by systemuser id

	// Filled as the scan goes: records whose access checks may be reused, and
	// creators (systemuser ids) with a changed link.
	stable  map[string]bool
	changed map[string]bool
}

// linkState is what of a link row must be equal for its evidence to be reused.
type linkState struct {
	version, conversation, record, creator string
}

// usablePrevious says why prev cannot be the base of an incremental scan, or "".
func usablePrevious(prev *audit.Snapshot, o Options) string {
	switch {
	case prev == nil:
		return "no previous scan"
	case !strings.EqualFold(prev.Tenant.DataverseURL, o.DataverseURL) ||
		!strings.EqualFold(prev.Tenant.TenantID, o.TenantID):
		return "the previous scan is of another tenant or environment"
	}
	for _, name := range audit.AllSources {
		if src := prev.Sources[name]; src == nil || src.Status != audit.StatusComplete {
			return fmt.Sprintf("the previous scan's %s source is not complete", name)
		}
	}
	return ""
}

func newReuse(prev *audit.Snapshot, ref audit.ScanRef) *reuse {
	r := &reuse{ref: ref, access: map[string]audit.AccessCheck{},
		licences: map[string]audit.Licence{}, links: map[string]linkState{},
		members: map[string]string{}, shares: sharesByRecord(prev.Shares),
		users: map[string]string{}}
	for _, a := range prev.Access {
		if a.Error == "" {
			r.access[key(a.SystemUserID)+"|"+key(a.RecordID)] = a
		}
	}
	for _, l := range prev.Licences {
		if l.Error == "" {
			r.licences[key(l.UserID)] = l
		}
	}
	for _, l := range prev.ChatLinks {
		r.links[key(l.ID)] = chatLinkState(l)
	}
	for _, l := range prev.ChannelLinks {
		r.links[key(l.ID)] = channelLinkState(l)
	}
	for _, cv := range prev.Members {
		if cv.Error == "" {
			r.members[cv.ConversationID] = membership(cv.Members)
		}
	}
	for _, u := range prev.Users {
		r.users[key(u.SystemUserID)] = userState(u)
	}
	return r
}

func chatLinkState(l audit.ChatLink) linkState {
	return linkState{version: rowVersion(l.Extra, l.RecordState, l.StateCode),
		conversation: l.ChatID, record: recordKey(l.RegardingTable, l.RegardingID),
		creator: key(l.CreatedBy)}
}

func channelLinkState(l audit.ChannelLink) linkState {
	return linkState{version: rowVersion(l.Extra, nil, l.StateCode),
		conversation: l.TeamID + "/" + l.ChannelID,
		record:       recordKey(l.RegardingTable, l.RegardingID), creator: key(l.CreatedBy)}
}

// rowVersion is the row's modifiedon and versionnumber with its states; "" when the
// row carries neither column, so it can never be judged unchanged.
func rowVersion(extra []audit.Column, states ...*int) string {
	var modified, version any
	for _, c := range extra {
		switch c.Name {
		case "modifiedon":
			modified = c.Value
		case "versionnumber":
			version = c.Value
		}
	}
	if modified == nil && version == nil {
		return ""
	}
	s := fmt.Sprintf("%v|%v", modified, version)
	for _, st := range states {
		if st != nil {
			s += fmt.Sprintf("|%d", *st)
		} else {
			s += "|-"
		}
	}
	return s
}

func recordKey(table, id string) string { return strings.ToLower(table) + "|" + key(id) }

// membership is a conversation's member list as a comparable string.
func membership(ms []audit.Member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		roles := slices.Clone(m.Roles)
		slices.Sort(roles)
		parts[i] = key(m.UserID) + "|" + key(m.TenantID) + "|" + strings.Join(roles, ",")
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

func sharesByRecord(shares []audit.Share) map[string]string {
	rows := map[string][]string{}
	for _, s := range shares {
		rows[key(s.ObjectID)] = append(rows[key(s.ObjectID)], fmt.Sprintf("%s|%s|%d|%d|%s",
			key(s.ID), key(s.PrincipalID), s.AccessRightsMask, s.InheritedAccessRightsMask,
			s.ChangedOn))
	}
	out := make(map[string]string, len(rows))
	for id, r := range rows {
		slices.Sort(r)
		out[id] = strings.Join(r, ";")
	}
	return out
}

func userState(u audit.SystemUser) string {
	disabled := u.IsDisabled != nil && *u.IsDisabled
	return fmt.Sprintf("%s|%s|%t", key(u.AADObjectID), key(u.ApplicationID), disabled)
}

// markLinks finds, once the link rows are read, the creators with a changed link.
func (r *reuse) markLinks(s *audit.Snapshot) {
	r.changed = map[string]bool{}
	mark := func(id, creator string, now linkState) {
		if was, ok := r.links[key(id)]; !ok || now.version == "" || was != now {
			r.changed[key(creator)] = true
		}
	}
	for _, l := range s.ChatLinks {
		mark(l.ID, l.CreatedBy, chatLinkState(l))
	}
	for _, l := range s.ChannelLinks {
		mark(l.ID, l.CreatedBy, channelLinkState(l))
	}
}

// markRecords finds, once members and shares are read, the records whose access
// checks may be reused: every link on them and every conversation they are linked to
// unchanged, and their shares unchanged.
func (r *reuse) markRecords(s *audit.Snapshot) {
	now := map[string]string{}
	for _, cv := range s.Members {
		if cv.Error == "" {
			now[cv.ConversationID] = membership(cv.Members)
		}
	}
	memberSame := func(id string) bool {
		was, ok := r.members[id]
		cur, ok2 := now[id]
		return ok && ok2 && was == cur
	}
	shares := sharesByRecord(s.Shares)
	r.stable = map[string]bool{}
	unstable := map[string]bool{}
	visit := func(id, conversation string, st linkState, rec string) {
		was, ok := r.links[key(id)]
		if !ok || st.version == "" || was != st || !memberSame(conversation) ||
			shares[recordID(rec)] != r.shares[recordID(rec)] {
			unstable[rec] = true
			return
		}
		r.stable[rec] = true
	}
	for _, l := range s.ChatLinks {
		st := chatLinkState(l)
		visit(l.ID, l.ChatID, st, st.record)
	}
	for _, l := range s.ChannelLinks {
		st := channelLinkState(l)
		visit(l.ID, l.ChannelID, st, st.record)
	}
	for rec := range unstable {
		delete(r.stable, rec)
	}
}

func recordID(rec string) string {
	_, id, _ := strings.Cut(rec, "|")
	return id
}

// userSame reports whether a systemuser row is as it was.
func (r *reuse) userSame(u audit.SystemUser) bool {
	was, ok := r.users[key(u.SystemUserID)]
	return ok && was == userState(u)
}

// accessCheck returns the previous check of the pair when it may be reused.
func (r *reuse) accessCheck(p pair, users map[string]audit.SystemUser) (audit.AccessCheck, bool) {
	if r == nil || !r.stable[recordKey(p.rec.table, p.rec.id)] {
		return audit.AccessCheck{}, false
	}
	u, ok := users[key(p.user)]
	if !ok || !r.userSame(u) {
		return audit.AccessCheck{}, false
	}
	a, ok := r.access[key(p.user)+"|"+key(p.rec.id)]
	if !ok || !strings.EqualFold(a.RecordTable, p.rec.table) {
		return audit.AccessCheck{}, false
	}
	return a, true
}

// licence returns the previous licence of a creator when it may be reused.
func (r *reuse) licence(u audit.SystemUser) (audit.Licence, bool) {
	if r == nil || r.changed[key(u.SystemUserID)] || !r.userSame(u) {
		return audit.Licence{}, false
	}
	l, ok := r.licences[key(u.AADObjectID)]
	return l, ok
}
