package collect

import (
	"context"

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
	short := pageGraph(ctx, c, n, first, next, func(m models.ConversationMemberable) {
		if m != nil {
			out = append(out, member(m))
		}
	})
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
