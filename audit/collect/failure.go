package collect

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// need names what a request reads and what would let the auditor read it, so a
// failure tells the user what to grant and where.
type need struct {
	service string // "Graph" or "Dataverse"
	what    string
	fix     string
}

func graphNeed(what, permission string) need {
	return need{"Graph", what, "grant " + permission +
		" (application) to the auditor app in Entra ID and give admin consent"}
}

func dataverseNeed(what, table string) need {
	return need{"Dataverse", what, "give the auditor's application user a security role " +
		"with organization-wide Read on " + table + " (Power Platform admin center > " +
		"Environments > Settings > Application users)"}
}

var (
	needServicePrincipals = graphNeed("service principals and grants",
		"Application.Read.All (or Directory.Read.All)")
	needChatMembers    = graphNeed("chat members", "ChatMember.Read.All")
	needChannelMembers = graphNeed("channel members", "ChannelMember.Read.All")
	needUsers          = graphNeed("users", "User.Read.All")
)

// failure is a request that did not give what was asked: an HTTP error status, a
// transport failure or an answer that could not be read.
type failure struct {
	status int
	code   string
	err    error
}

// graphFailure classifies an error of a Kiota request.
func graphFailure(err error) failure {
	f := failure{err: err}
	var api abs.ApiErrorable
	if errors.As(err, &api) {
		f.status = api.GetStatusCode()
	}
	var od *odataerrors.ODataError
	if errors.As(err, &od) {
		if main := od.GetErrorEscaped(); main != nil && main.GetCode() != nil {
			f.code = *main.GetCode()
		}
	}
	return f
}

// notFound reports whether the service said the object does not exist.
func (f failure) notFound() bool { return f.status == http.StatusNotFound }

// reason is one line for the report: what failed, the status, and what would fix it.
func (f failure) reason(n need, budget time.Duration) string {
	var ex *exhaustedError
	var paused *pausedError
	var tokenErr *tokenError
	switch {
	case errors.As(f.err, &tokenErr):
		return fmt.Sprintf("%s was not asked for %s: %v; %s", n.service, n.what, tokenErr,
			tokenAdvice)
	case f.status == http.StatusUnauthorized:
		return fmt.Sprintf("%s answered 401 for %s: the credential was refused; "+
			"check --auth, --tenant-id and the app's secret or certificate", n.service, n.what)
	case f.status == http.StatusForbidden:
		return fmt.Sprintf("%s answered 403%s for %s: %s", n.service, f.codeText(), n.what, n.fix)
	case retryable(f.status):
		return fmt.Sprintf("%s kept answering %d for %s until the retries ran out "+
			"(budget %s): raise --retry-budget or run at a quieter time",
			n.service, f.status, n.what, budget)
	case f.status != 0:
		return fmt.Sprintf("%s answered %d%s for %s", n.service, f.status, f.codeText(), n.what)
	case errors.As(f.err, &paused):
		return fmt.Sprintf("%s throttled the auditor for longer than was left of the retry "+
			"budget (budget %s) before %s could be read: raise --retry-budget or run at a "+
			"quieter time", n.service, budget, n.what)
	case errors.As(f.err, &ex):
		advice := ex.advice
		if advice == "" {
			advice = "check the network"
		}
		return fmt.Sprintf("%s could not be reached for %s: %v; %s", n.service, n.what, ex,
			advice)
	}
	return fmt.Sprintf("%s: the answer for %s could not be read: %s",
		n.service, n.what, oneLine(f.err))
}

func (f failure) codeText() string {
	if f.code == "" {
		return ""
	}
	return " " + f.code
}

// oneLine keeps an error message to one short line.
func oneLine(err error) string {
	if err == nil {
		return "no answer"
	}
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func asError[T error](err error, target *T) bool { return errors.As(err, target) }
