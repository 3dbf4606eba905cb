package collect

import (
	"context"
	"fmt"

	jsonser "github.com/microsoft/kiota-serialization-json-go"

	"github.com/microsoftgraph/msgraph-sdk-go/chats"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

var userSelect = []string{"id", "userPrincipalName", "accountEnabled", "assignedPlans"}

// chatMembers lists the members of one chat. Members endpoints take no query options.
func (c *graphClient) chatMembers(ctx context.Context, chatID string) ([]audit.Member, *shortfall) {
	b := chats.NewChatsRequestBuilderInternal(c.params(), c.adapter).ByChatId(chatID).Members()
	return c.members(ctx, needChatMembers,
		func(ctx context.Context) (models.ConversationMemberCollectionResponseable, error) {
			return b.Get(ctx, nil)
		},
		func(ctx context.Context, link string) (models.ConversationMemberCollectionResponseable, error) {
			return b.WithUrl(link).Get(ctx, nil)
		})
}

// channelMembers lists the members of one channel of a team.
func (c *graphClient) channelMembers(ctx context.Context, teamID, channelID string) (
	[]audit.Member, *shortfall) {
	b := teams.NewTeamsRequestBuilderInternal(c.params(), c.adapter).ByTeamId(teamID).
		Channels().ByChannelId(channelID).Members()
	return c.members(ctx, needChannelMembers,
		func(ctx context.Context) (models.ConversationMemberCollectionResponseable, error) {
			return b.Get(ctx, nil)
		},
		func(ctx context.Context, link string) (models.ConversationMemberCollectionResponseable, error) {
			return b.WithUrl(link).Get(ctx, nil)
		})
}

func (c *graphClient) members(ctx context.Context, n need,
	first func(context.Context) (models.ConversationMemberCollectionResponseable, error),
	next func(context.Context, string) (models.ConversationMemberCollectionResponseable, error),
) ([]audit.Member, *shortfall) {
	out := []audit.Member{}
	short := pageGraph(ctx, c, n, first, next, func(m models.ConversationMemberable) bool {
		if m != nil {
			out = append(out, member(m))
		}
		return len(out) <= audit.MaxMembers
	})
	if len(out) > audit.MaxMembers {
		return nil, &shortfall{status: audit.StatusIncomplete, reason: audit.TooManyMembers}
	}
	return out, short
}

// user reads one user's Teams licence; notFound is true for a deleted user.
func (c *graphClient) user(ctx context.Context, id string) (audit.Licence, bool, *shortfall) {
	b := users.NewUsersRequestBuilderInternal(c.params(), c.adapter).ByUserId(id)
	cfg := &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: userSelect},
	}
	m, notFound, short := graphGet(ctx, c, needUsers,
		func(ctx context.Context) (models.Userable, error) { return b.Get(ctx, cfg) })
	if short != nil {
		return audit.Licence{UserID: id}, notFound, short
	}
	return licence(id, m), false, nil
}

// memberPath is the members request of one conversation, relative to the Graph root.
func (cv conversation) memberPath() string {
	if cv.channel {
		return "/teams/" + pathSegment(cv.teamID) + "/channels/" + pathSegment(cv.id) + "/members"
	}
	return "/chats/" + pathSegment(cv.id) + "/members"
}

// batchMembers reads the members of up to batchMax conversations in one batch. A
// conversation whose first page says there are more pages is read on with single
// requests. A conversation that could not be read carries its shortfall.
func (c *graphClient) batchMembers(ctx context.Context, convs []conversation) (
	[][]audit.Member, []*shortfall) {
	paths := make([]string, len(convs))
	for i, cv := range convs {
		paths[i] = cv.memberPath()
	}
	answers := c.batch(ctx, paths)
	lists := make([][]audit.Member, len(convs))
	shorts := make([]*shortfall, len(convs))
	for i, a := range answers {
		cv, n := convs[i], needChatMembers
		if cv.channel {
			n = needChannelMembers
		}
		if !a.ok() {
			shorts[i] = failed(0, a.itemFailure(), n, c.budget)
			continue
		}
		page, err := memberPage(a.Body)
		first := func(context.Context) (models.ConversationMemberCollectionResponseable, error) {
			return page, err
		}
		next := func(ctx context.Context, link string) (
			models.ConversationMemberCollectionResponseable, error) {
			if cv.channel {
				return teams.NewItemChannelsItemMembersRequestBuilder(link, c.adapter).Get(ctx, nil)
			}
			return chats.NewItemMembersRequestBuilder(link, c.adapter).Get(ctx, nil)
		}
		lists[i], shorts[i] = c.members(ctx, n, first, next)
	}
	return lists, shorts
}

// memberPage parses the body of one members answer inside a batch.
func memberPage(body []byte) (models.ConversationMemberCollectionResponseable, error) {
	node, err := jsonser.NewJsonParseNode(body)
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	v, err := node.GetObjectValue(models.CreateConversationMemberCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	page, _ := v.(models.ConversationMemberCollectionResponseable)
	return page, nil
}
