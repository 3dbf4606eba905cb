package collect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// transportFault is a request that got no answer: what happened, whether another
// attempt could change it, and what the user may do about it.
type transportFault struct {
	err error
	// final is set when retrying is pointless: nothing listens, the name is unknown,
	// TLS or HTTP itself failed, or no token could be had. Such a request fails on its
	// first attempt instead of spending the retries.
	final  bool
	advice string
}

// classifyTransport names a transport failure of a request to host. Timeouts, resets
// and dropped connections stay worth retrying.
func classifyTransport(err error, host string, timeout time.Duration) transportFault {
	var (
		tokenErr  *tokenError
		dns       *net.DNSError
		record    tls.RecordHeaderError
		verify    *tls.CertificateVerificationError
		alert     tls.AlertError
		unknownCA x509.UnknownAuthorityError
		badName   x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	final := func(what, advice string) transportFault {
		return transportFault{err: errors.New(what), final: true, advice: advice}
	}
	switch {
	case errors.As(err, &tokenErr):
		return transportFault{err: tokenErr, final: true, advice: tokenAdvice}
	case errors.Is(err, syscall.ECONNREFUSED):
		return final("connection refused", "nothing listens at "+host+": check the URL")
	case errors.As(err, &dns) && dns.IsNotFound:
		return final("no such host", host+" is not a known host name: check the URL")
	case errors.As(err, &record),
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return final("TLS handshake failed: the server does not speak TLS",
			"check the URL: "+host+" answers without TLS")
	case errors.As(err, &verify), errors.As(err, &unknownCA), errors.As(err, &badName),
		errors.As(err, &invalid), errors.As(err, &alert):
		return final("TLS handshake failed: "+oneLine(err), "check the URL, and any "+
			"proxy that inspects TLS, for "+host)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return final("the answer is not HTTP", "check the URL: "+host+" does not speak HTTP")
	}
	advice := "check the network"
	if errors.Is(err, context.DeadlineExceeded) {
		advice = "check the network or raise --timeout"
	}
	return transportFault{err: describeTransport(err, timeout), advice: advice}
}

const tokenAdvice = "check --auth, --tenant-id and the AZURE_* variables"

// tokenError is a credential that could not give a token; no request was sent.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "no token: " + oneLine(e.err) }
func (e *tokenError) Unwrap() error { return e.err }

// markedCredential marks the errors of a credential, so a failed sign-in is told apart
// from a failed connection and is not retried.
type markedCredential struct{ cred azcore.TokenCredential }

func (m markedCredential) GetToken(ctx context.Context,
	o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := m.cred.GetToken(ctx, o)
	if err != nil {
		return tok, &tokenError{err: err}
	}
	return tok, nil
}
