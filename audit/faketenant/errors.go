package faketenant

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes the two APIs send, as the collector sees them.
const (
	graphDenied        = "Authorization_RequestDenied"
	graphNotFound      = "Request_ResourceNotFound"
	graphBadRequest    = "BadRequest"
	graphThrottled     = "TooManyRequests"
	dvPrivilege        = "0x80040220" // principal lacks a privilege
	dvNotFound         = "0x80040217" // record does not exist
	dvBadRequest       = "0x80060888" // malformed or unsupported query
	dvSegmentNotFound  = "0x8006088a" // unknown entity set or function
	dvRequestsExceeded = "0x80072322" // number of requests exceeded
	dvConcurrency      = "0x80072326" // concurrent requests exceeded
	dvUnexpected       = "0x80040216" // unexpected server error
)

// apiError is an error answer in either API's shape.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter string
}

// writeError writes e in the body shape of the request's API. Graph adds its
// innerError; Dataverse sends only code and message.
func writeError(w http.ResponseWriter, a api, e apiError) {
	body := map[string]any{"code": e.code, "message": e.message}
	if a == apiGraph {
		body["innerError"] = map[string]any{
			"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id": w.Header().Get("request-id"),
		}
	}
	if e.retryAfter != "" {
		w.Header().Set("Retry-After", e.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

func notFound(a api, what string) apiError {
	if a == apiGraph {
		return apiError{status: http.StatusNotFound, code: graphNotFound, message: "Resource '" +
			what + "' does not exist or one of its queried reference-property objects are not present."}
	}
	return apiError{status: http.StatusNotFound, code: dvNotFound,
		message: "Entity with Id = " + what + " Does Not Exist"}
}

func badRequest(a api, message string) apiError {
	if a == apiGraph {
		return apiError{status: http.StatusBadRequest, code: graphBadRequest, message: message}
	}
	return apiError{status: http.StatusBadRequest, code: dvBadRequest, message: message}
}

func unknownSegment(a api, segment string) apiError {
	msg := "Resource not found for the segment '" + segment + "'."
	if a == apiGraph {
		return apiError{status: http.StatusBadRequest, code: graphBadRequest, message: msg}
	}
	return apiError{status: http.StatusNotFound, code: dvSegmentNotFound, message: msg}
}

func denied(a api) apiError {
	if a == apiGraph {
		return apiError{status: http.StatusForbidden, code: graphDenied,
			message: "Insufficient privileges to complete the operation."}
	}
	return apiError{status: http.StatusForbidden, code: dvPrivilege,
		message: "Principal user is missing prvReadPrincipalObjectAccess privilege."}
}

// evidenceError turns the Error text a snapshot recorded for a conversation, user or
// access check into the answer that would have caused it: not found when the text says
// so, access denied otherwise.
func evidenceError(a api, text, what string) apiError {
	t := strings.ToLower(text)
	for _, hint := range []string{"404", "not found", "notfound", "does not exist", "deleted"} {
		if strings.Contains(t, hint) {
			return notFound(a, what)
		}
	}
	return denied(a)
}

func statusError(a api, status int, code string) apiError {
	if code == "" {
		code = strconv.Itoa(status)
		switch {
		case a == apiDataverse && status == http.StatusTooManyRequests:
			code = dvRequestsExceeded
		case a == apiDataverse:
			code = dvUnexpected
		case status == http.StatusTooManyRequests:
			code = graphThrottled
		case status == http.StatusServiceUnavailable:
			code = "serviceNotAvailable"
		case status == http.StatusGatewayTimeout:
			code = "gatewayTimeout"
		default:
			code = "badGateway"
		}
	}
	return apiError{status: status, code: code, message: http.StatusText(status)}
}
