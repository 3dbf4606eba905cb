// Package config reads the configuration file of scheduled scans: the tenants to scan,
// where reports and history go, the fail-on threshold, the waivers file and who to
// notify. Flags override the file; secrets never come from it, only from the
// environment, because configuration files end up in repositories and ConfigMaps.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit/config/yamlfile"
)

// DefaultFile is read from the working directory when --config is not given.
const DefaultFile = "teamschat-audit.yaml"

// MaxParallel bounds how many tenants a scan --all runs at once.
const MaxParallel = 16

// AuthKinds are the sign-in methods a tenant may name (the collector's --auth values).
var AuthKinds = []string{
	"default", "client-secret", "client-certificate", "managed-identity",
	"workload-identity", "azure-cli", "device-code", "none",
}

// Clouds are the national clouds a tenant may name.
var Clouds = []string{"public", "usgov", "china"}

// Config is a loaded, checked configuration file. Relative paths in it are resolved
// against the file's directory, so a scheduler may start the tool anywhere.
type Config struct {
	Tenants []Tenant `yaml:"tenants"`
	Outputs Outputs  `yaml:"outputs"`
	// FailOn is the least severity that fails a scan (see ApplyFailOn); empty: all.
	FailOn   string `yaml:"failOn"`
	Waivers  string `yaml:"waivers"`
	StateDir string `yaml:"stateDir"`
	// Parallel bounds the tenants scanned at once by scan --all; 0 means 2.
	Parallel int    `yaml:"parallel"`
	Notify   Notify `yaml:"notify"`

	doc *yamlfile.Doc
}

// Tenant is one tenant to scan.
type Tenant struct {
	// Name keys the tenant's history and output directory.
	Name         string `yaml:"name"`
	TenantID     string `yaml:"tenantId"`
	DataverseURL string `yaml:"dataverseUrl"`
	GraphURL     string `yaml:"graphUrl"`
	// AppID is the integration's appId to look for; empty means the default.
	AppID string `yaml:"appId"`
	// ClientID is the app registration the tool signs in as, when --auth needs one.
	ClientID string `yaml:"clientId"`
	Auth     string `yaml:"auth"`
	Cloud    string `yaml:"cloud"`
	// Snapshot scans a saved evidence file instead of collecting live (air-gapped
	// reviews, tests).
	Snapshot string `yaml:"snapshot"`
	// Waivers overrides the file-wide waivers file for this tenant.
	Waivers string `yaml:"waivers"`
}

// Outputs says which reports to write and where.
type Outputs struct {
	Formats []string `yaml:"formats"`
	Dir     string   `yaml:"dir"`
	Redact  bool     `yaml:"redact"`
}

// Notify says where to post a summary when a scan finds new failures or cannot finish.
type Notify struct {
	Webhook string `yaml:"webhook"`
	// Format is teams or json; empty guesses from the URL.
	Format string `yaml:"format"`
}

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$`)
)

// Find names the file to read: explicit when set (it must exist), else DefaultFile in
// the working directory when present, else "" (no configuration).
func Find(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("config %s: %w", DefaultFile, err)
	}
	return "", nil
}

// Load reads and checks a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config %s: no such file", path)
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	return c, nil
}

// Parse checks the content of a configuration file named name; paths stay as written.
func Parse(name string, data []byte) (*Config, error) {
	var c Config
	doc, err := yamlfile.Decode(name, data, &c, rejectSecret)
	if err != nil {
		return nil, err
	}
	c.doc = doc
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Errorf makes an error about a key of the file, naming its line; flags checked later
// against file values (formats) use it so the message still points into the file.
func (c *Config) Errorf(path, format string, args ...any) error {
	if c.doc == nil {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	return c.doc.Errorf(path, format, args...)
}

// Has reports whether the file sets the key at path.
func (c *Config) Has(path string) bool { return c.doc != nil && c.doc.Has(path) }

// Tenant finds a tenant by name.
func (c *Config) Tenant(name string) (*Tenant, bool) {
	for i := range c.Tenants {
		if c.Tenants[i].Name == name {
			return &c.Tenants[i], true
		}
	}
	return nil, false
}

// secretWords are parts of key names that hold secrets.
var secretWords = []string{"secret", "password", "passwd", "token", "apikey", "privatekey"}

func rejectSecret(_, key string) error {
	k := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(key))
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return errors.New("looks like a secret, and secrets never go in the " +
				"configuration file: set AZURE_CLIENT_SECRET (or the variable your auth " +
				"method reads) in the environment")
		}
	}
	return nil
}

func (c *Config) check() error {
	if err := CheckSeverity(c.FailOn); err != nil {
		return c.Errorf("failOn", "%v", err)
	}
	if c.Parallel < 0 || c.Parallel > MaxParallel {
		return c.Errorf("parallel", "%d is out of range 0-%d", c.Parallel, MaxParallel)
	}
	if c.Notify.Webhook != "" {
		if err := CheckURL(c.Notify.Webhook); err != nil {
			return c.Errorf("notify.webhook", "%v", err)
		}
	}
	switch c.Notify.Format {
	case "", "teams", "json":
	default:
		return c.Errorf("notify.format", "%q: use teams or json", c.Notify.Format)
	}
	seen := map[string]int{}
	for i := range c.Tenants {
		if err := c.checkTenant(i, seen); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) checkTenant(i int, seen map[string]int) error {
	t := &c.Tenants[i]
	at := fmt.Sprintf("tenants[%d]", i)
	switch {
	case t.Name == "":
		return c.Errorf(at+".name", "missing: every tenant needs a name (letters, digits, . _ -)")
	case !namePattern.MatchString(t.Name):
		return c.Errorf(at+".name", "%q: use letters, digits, '.', '_' and '-' (at most 64)",
			t.Name)
	}
	if j, dup := seen[t.Name]; dup {
		return c.Errorf(at+".name", "%q is also the name of tenants[%d]", t.Name, j)
	}
	seen[t.Name] = i
	for _, g := range []struct{ key, val string }{
		{"tenantId", t.TenantID}, {"appId", t.AppID}, {"clientId", t.ClientID},
	} {
		if g.val != "" && !guidPattern.MatchString(g.val) {
			return c.Errorf(at+"."+g.key, "%q is not a GUID", g.val)
		}
	}
	for _, u := range []struct{ key, val string }{
		{"dataverseUrl", t.DataverseURL}, {"graphUrl", t.GraphURL},
	} {
		if u.val == "" {
			continue
		}
		if err := CheckURL(u.val); err != nil {
			return c.Errorf(at+"."+u.key, "%v", err)
		}
	}
	if t.Auth != "" && !slices.Contains(AuthKinds, t.Auth) {
		return c.Errorf(at+".auth", "%q: use one of %s", t.Auth, strings.Join(AuthKinds, ", "))
	}
	if t.Cloud != "" && !slices.Contains(Clouds, t.Cloud) {
		return c.Errorf(at+".cloud", "%q: use one of %s", t.Cloud, strings.Join(Clouds, ", "))
	}
	if t.Snapshot == "" && t.DataverseURL == "" {
		return c.Errorf(at, "tenant %s needs dataverseUrl (live collection) or snapshot",
			t.Name)
	}
	return nil
}

// CheckURL accepts an absolute https URL without credentials, or http on loopback.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("not an absolute http(s) URL")
	}
	if u.User != nil {
		return errors.New("must not carry credentials")
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return errors.New("must use https (plain http only on loopback)")
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolvePaths makes relative paths relative to dir, the configuration's directory.
func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.Waivers)
	abs(&c.StateDir)
	abs(&c.Outputs.Dir)
	for i := range c.Tenants {
		abs(&c.Tenants[i].Snapshot)
		abs(&c.Tenants[i].Waivers)
	}
}

// TenantNames lists the configured tenants' names in file order.
func (c *Config) TenantNames() []string {
	names := make([]string, 0, len(c.Tenants))
	for _, t := range c.Tenants {
		names = append(names, t.Name)
	}
	return names
}
