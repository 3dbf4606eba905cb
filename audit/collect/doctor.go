package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// CheckState is the outcome of one preflight check.
type CheckState string

const (
	CheckOK   CheckState = "ok"
	CheckFail CheckState = "fail"
	// CheckSkip is a check that had nothing to try on (no chat link, say).
	CheckSkip CheckState = "skip"
)

// Check is one preflight check: what was tried and, when it failed, what to grant.
type Check struct {
	Name   string
	State  CheckState
	Detail string
}

// Doctor checks, with one cheap request per need, that a scan could be complete: the
// credential works, both services answer, and the auditor may read everything the
// collector reads. Like Collect, it errors only on options it cannot start with.
func Doctor(ctx context.Context, opts Options, cred azcore.TokenCredential) ([]Check, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := o.checkCredential(cred); err != nil {
		return nil, err
	}
	// A short budget: a preflight reports throttling rather than sitting it out.
	b := newBudget(min(o.RetryBudget, time.Minute))
	g, err := newGraphClient(o, cred, b)
	if err != nil {
		return nil, err
	}
	d := newDataverse(o, cred, b)
	ctx = withRun(ctx, &run{})
	var checks []Check
	add := func(name string, state CheckState, detail string) {
		checks = append(checks, Check{name, state, detail})
	}
	check := func(name string, short *shortfall, ok string) {
		if short != nil && !short.notFound {
			add(name, CheckFail, short.reason)
			return
		}
		add(name, CheckOK, ok)
	}

	for _, scope := range []string{origin(o.GraphURL) + "/.default", o.DataverseURL + "/.default"} {
		if cred == nil {
			add("token for "+scope, CheckSkip, "--auth none (loopback endpoints)")
			continue
		}
		if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
			add("token for "+scope, CheckFail, "the credential could not get a token: "+
				"check --auth, --tenant-id and the AZURE_* variables ("+oneLine(err)+")")
			continue
		}
		add("token for "+scope, CheckOK, "")
	}

	app, matchedBy, short := g.findIntegration(ctx, o.AppID)
	switch {
	case short != nil:
		add("Graph: read service principals", CheckFail, short.reason)
	case app == nil:
		add("Graph: read service principals", CheckOK, "the integration app is not in "+
			"this tenant; its controls will be not_applicable")
	default:
		add("Graph: read service principals", CheckOK, "integration found by "+matchedBy)
		_, short = g.delegatedGrants(ctx, app.ID)
		check("Graph: read the integration's delegated grants", short, "")
	}

	chats := firstRows[audit.ChatLink](ctx, d, "msdyn_teamschatassociations", needChatLinks, add)
	channels := firstRows[audit.ChannelLink](ctx, d, "msdyn_teamscollaborations",
		needChannelLinks, add)
	firstRows[audit.ChatActivity](ctx, d, "chats?$filter="+odataQuery("teamschatid ne null"),
		needChatSync, add)
	users := firstRows[audit.SystemUser](ctx, d, "systemusers?$select="+systemUserSelect,
		needSystemUsers, add)
	sets, short := d.entitySets(ctx)
	check("Dataverse: read table definitions", short, "")

	doctorGraphMembers(ctx, g, chats, channels, add, check)
	doctorUsers(ctx, g, users, add, check)
	doctorRecords(ctx, d, chats, channels, sets, add, check)
	return checks, nil
}

type addFunc func(name string, state CheckState, detail string)
type checkFunc func(name string, short *shortfall, ok string)

// firstRows reads the first page of a table, which is all a preflight needs.
func firstRows[T any](ctx context.Context, d *dataverse, path string, n need, add addFunc) []T {
	name := "Dataverse: read " + n.what
	var page struct {
		Value []T `json:"value"`
	}
	if f := d.get(ctx, path, &page); f != nil {
		add(name, CheckFail, f.reason(n, d.budget))
		return nil
	}
	add(name, CheckOK, fmt.Sprintf("%d rows on the first page", len(page.Value)))
	return page.Value
}

func doctorGraphMembers(ctx context.Context, g *graphClient, chats []audit.ChatLink,
	channels []audit.ChannelLink, add addFunc, check checkFunc) {
	const chatCheck = "Graph: read chat members (ChatMember.Read.All)"
	const channelCheck = "Graph: read channel members (ChannelMember.Read.All)"
	tried := false
	for _, l := range chats {
		if l.ChatID != "" {
			_, short := g.chatMembers(ctx, l.ChatID)
			check(chatCheck, short, "")
			tried = true
			break
		}
	}
	if !tried {
		add(chatCheck, CheckSkip, "no chat link to try it on")
	}
	tried = false
	for _, l := range channels {
		if l.ChannelID != "" && l.TeamID != "" {
			_, short := g.channelMembers(ctx, l.TeamID, l.ChannelID)
			check(channelCheck, short, "")
			tried = true
			break
		}
	}
	if !tried {
		add(channelCheck, CheckSkip, "no channel link to try it on")
	}
}

func doctorUsers(ctx context.Context, g *graphClient, users []audit.SystemUser,
	add addFunc, check checkFunc) {
	const name = "Graph: read users' licences (User.Read.All)"
	for _, u := range users {
		if u.AADObjectID != "" {
			_, _, short := g.user(ctx, u.AADObjectID)
			check(name, short, "")
			return
		}
	}
	add(name, CheckSkip, "no Dynamics user with an Entra identity to try it on")
}

func doctorRecords(ctx context.Context, d *dataverse, chats []audit.ChatLink,
	channels []audit.ChannelLink, sets map[string]string, add addFunc, check checkFunc) {
	const accessCheck = "Dataverse: check access (RetrievePrincipalAccess)"
	const sharesCheck = "Dataverse: read shares (principalobjectaccess)"
	var recs []pair
	for _, l := range chats {
		recs = append(recs, pair{l.CreatedBy, record{l.RegardingTable, l.RegardingID}})
	}
	for _, l := range channels {
		recs = append(recs, pair{l.CreatedBy, record{l.RegardingTable, l.RegardingID}})
	}
	for _, p := range recs {
		set, ok := sets[key(p.rec.table)]
		if !ok || !isGUID(key(p.user)) || !isGUID(key(p.rec.id)) {
			continue
		}
		_, short := d.shares(ctx, []string{key(p.rec.id)})
		check(sharesCheck, short, "")
		_, f := d.access(ctx, key(p.user), set, key(p.rec.id))
		if f != nil {
			add(accessCheck, CheckFail, f.reason(needAccess, d.budget))
		} else {
			add(accessCheck, CheckOK, "")
		}
		return
	}
	add(sharesCheck, CheckSkip, "no linked record to try it on")
	add(accessCheck, CheckSkip, "no linked record to try it on")
}
