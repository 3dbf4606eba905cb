package notify

import (
	"fmt"
	"strings"
	"time"
)

// maxCardControls bounds the per-control lines of a card; the rest are counted.
const maxCardControls = 8

// teamsMessage wraps an Adaptive Card in the message envelope that Teams incoming
// webhooks and Power Automate "post to a channel when a webhook request is received"
// flows accept.
func teamsMessage(s *Summary) map[string]any {
	return map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card(s),
		}},
	}
}

func card(s *Summary) map[string]any {
	title := "teamschat-audit: " + s.Tenant
	var headline string
	switch s.Event {
	case EventError:
		headline = "The scan could not run."
	case EventIncomplete:
		headline = "The scan could not check everything (exit 2)."
	default:
		headline = fmt.Sprintf("%d new failing finding(s) since the previous scan.", s.NewFailing)
	}
	facts := []any{fact("Tenant", s.Tenant), fact("Exit code", fmt.Sprint(s.ExitCode))}
	if s.Verdict != "" {
		facts = append(facts, fact("Verdict", s.Verdict))
	}
	if !s.ScannedAt.IsZero() {
		facts = append(facts, fact("Scanned", s.ScannedAt.UTC().Format(time.RFC3339)))
	}
	if len(s.FailingControls) > 0 {
		facts = append(facts, fact("Failing controls", strings.Join(s.FailingControls, ", ")))
	}
	if len(s.Incomplete) > 0 {
		facts = append(facts, fact("Incomplete evidence", strings.Join(s.Incomplete, ", ")))
	}
	if s.Error != "" {
		facts = append(facts, fact("Error", s.Error))
	}
	body := []any{
		map[string]any{"type": "TextBlock", "text": title, "weight": "Bolder",
			"size": "Medium", "wrap": true},
		map[string]any{"type": "TextBlock", "text": headline, "wrap": true},
		map[string]any{"type": "FactSet", "facts": facts},
	}
	for i, cc := range s.NewByControl {
		if i == maxCardControls {
			body = append(body, textBlock(fmt.Sprintf("and %d more control(s)",
				len(s.NewByControl)-maxCardControls)))
			break
		}
		body = append(body, textBlock(fmt.Sprintf("- %s (%s): %d new", cc.Control,
			cc.Severity, cc.Count)))
	}
	return map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body":    body,
	}
}

func fact(title, value string) map[string]any {
	return map[string]any{"title": title, "value": value}
}

func textBlock(s string) map[string]any {
	return map[string]any{"type": "TextBlock", "text": s, "wrap": true, "spacing": "None"}
}
