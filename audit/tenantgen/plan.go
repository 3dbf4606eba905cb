package tenantgen

// A variant is the one violation a link carries, or none. Each link carries at most
// one, so that the findings of one cannot hide or add to those of another.
type variant uint8

const (
	clean variant = iota
	malformedChatID
	channelIDInChat
	messageColumn
	messageInName
	memberShared
	memberNotUser
	memberNoRead
	creatorDisabled
	creatorNoRead
	guestMember
	externalMember
	unlicensedCreator
	variantCount
)

// variants says, per variant, which control plants it and whether it lives on a
// channel link rather than a chat link.
var variants = [variantCount]struct {
	control string
	channel bool
}{
	malformedChatID:   {"STORE-01", false},
	channelIDInChat:   {"STORE-01", false},
	messageColumn:     {"STORE-02", false},
	messageInName:     {"STORE-02", false},
	memberShared:      {"ACCESS-01", false},
	memberNotUser:     {"ACCESS-02", false},
	memberNoRead:      {"ACCESS-02", false},
	creatorDisabled:   {"ACCESS-03", false},
	creatorNoRead:     {"ACCESS-03", false},
	guestMember:       {"ACCESS-05", false},
	externalMember:    {"ACCESS-05", false},
	unlicensedCreator: {"ACCESS-04", true},
}

// plan decides which links carry which variant. Each enabled variant gets
// max(1, Rate × links of its kind) links, picked at random among clean ones; the link
// counts grow when the variants would not fit otherwise.
func (g *gen) plan() (chats, channels []variant) {
	total := g.o.Links
	chanN := int(float64(total)*g.o.ChannelFraction + 0.5)
	chatN := total - chanN

	// Counts come from the requested sizes, so that growing a kind below cannot
	// raise them again.
	var count [variantCount]int
	var needChat, needChan int
	for v := variant(1); v < variantCount; v++ {
		switch {
		case !g.on[variants[v].control]:
		case variants[v].channel:
			count[v] = g.perVariant(chanN)
			needChan += count[v]
		default:
			count[v] = g.perVariant(chatN)
			needChat += count[v]
		}
	}
	// Chat sync rows hang off chat links.
	if g.on["STORE-03"] {
		chatN = max(chatN, 1)
	}
	// Room for the planted links and at least one clean link of each kind planted on.
	if needChat > 0 {
		chatN = max(chatN, needChat+1)
	}
	if needChan > 0 {
		chanN = max(chanN, needChan+1)
	}

	chats = make([]variant, chatN)
	channels = make([]variant, chanN)
	for v := variant(1); v < variantCount; v++ {
		dst := chats
		if variants[v].channel {
			dst = channels
		}
		for range count[v] {
			g.assign(dst, v)
		}
	}
	return chats, channels
}

func (g *gen) perVariant(links int) int {
	return max(1, int(g.o.Rate*float64(links)+0.5))
}

// assign gives v to a random clean link of dst, probing forward from a random start;
// plan guarantees that one is free.
func (g *gen) assign(dst []variant, v variant) {
	i := g.r.intn(len(dst))
	for dst[i] != clean {
		i = (i + 1) % len(dst)
	}
	dst[i] = v
}
