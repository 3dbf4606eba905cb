package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Cloud names a national cloud; it picks the sign-in authority and Graph's root.
type Cloud string

const (
	CloudPublic Cloud = "public"
	CloudUSGov  Cloud = "usgov"
	CloudChina  Cloud = "china"
)

type cloudEndpoints struct {
	authority cloud.Configuration
	graph     string
}

func (c Cloud) endpoints() (cloudEndpoints, error) {
	switch c {
	case CloudPublic, "":
		return cloudEndpoints{cloud.AzurePublic, "https://graph.microsoft.com/v1.0"}, nil
	case CloudUSGov:
		return cloudEndpoints{cloud.AzureGovernment, "https://graph.microsoft.us/v1.0"}, nil
	case CloudChina:
		return cloudEndpoints{cloud.AzureChina, "https://microsoftgraph.chinacloudapi.cn/v1.0"}, nil
	}
	return cloudEndpoints{}, fmt.Errorf("--cloud %q is not one of public, usgov, china", string(c))
}

// AuthKinds lists the values of --auth.
var AuthKinds = []string{
	"default", "client-secret", "client-certificate", "managed-identity",
	"workload-identity", "azure-cli", "device-code", "none",
}

// NewCredential builds the credential --auth names, reading the standard AZURE_*
// variables. "none" yields a nil credential, which Collect accepts only when every
// endpoint is on loopback (the fake tenant). prompt receives device-code instructions.
func NewCredential(kind string, c Cloud, tenantID string, prompt io.Writer) (azcore.TokenCredential, error) {
	ep, err := c.endpoints()
	if err != nil {
		return nil, err
	}
	if tenantID == "" {
		tenantID = os.Getenv("AZURE_TENANT_ID")
	}
	clientID := os.Getenv("AZURE_CLIENT_ID")
	co := azcore.ClientOptions{Cloud: ep.authority}

	switch kind {
	case "none":
		return nil, nil
	case "default", "":
		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: co, TenantID: tenantID,
		})
	case "client-secret":
		if err := requireEnv(tenantID, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"); err != nil {
			return nil, err
		}
		return azidentity.NewClientSecretCredential(tenantID, clientID,
			os.Getenv("AZURE_CLIENT_SECRET"), &azidentity.ClientSecretCredentialOptions{ClientOptions: co})
	case "client-certificate":
		return certificateCredential(tenantID, clientID, co)
	case "managed-identity":
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if clientID != "" {
			o.ID = azidentity.ClientID(clientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	case "workload-identity":
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: co, TenantID: tenantID, ClientID: clientID,
			TokenFilePath: os.Getenv("AZURE_FEDERATED_TOKEN_FILE"),
		})
	case "azure-cli":
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenantID})
	case "device-code":
		return azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, TenantID: tenantID, ClientID: clientID,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
	}
	return nil, fmt.Errorf("--auth %q is not one of %s", kind, strings.Join(AuthKinds, ", "))
}

func certificateCredential(tenantID, clientID string, co policy.ClientOptions) (azcore.TokenCredential, error) {
	if err := requireEnv(tenantID, "AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH"); err != nil {
		return nil, err
	}
	path := os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read AZURE_CLIENT_CERTIFICATE_PATH: %w", err)
	}
	var password []byte
	if p := os.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"); p != "" {
		password = []byte(p)
	}
	certs, key, err := azidentity.ParseCertificates(data, password)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %s: %w", path, err)
	}
	return azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: co})
}

// requireEnv names every missing setting at once, so a user fixes them in one go.
func requireEnv(tenantID string, vars ...string) error {
	var missing []string
	if tenantID == "" {
		missing = append(missing, "AZURE_TENANT_ID (or --tenant-id)")
	}
	for _, v := range vars {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return errors.New("credential: set " + strings.Join(missing, ", "))
	}
	return nil
}

// Check reports whether c names a known cloud.
func (c Cloud) Check() error {
	_, err := c.endpoints()
	return err
}
