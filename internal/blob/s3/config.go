package s3

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// defaultEndpoint is used when the URL names no endpoint.
const defaultEndpoint = "https://s3.amazonaws.com"

// parameters are the query parameters a store URL may have.
var parameters = []string{"endpoint", "region", "path_style", "create_bucket", "access_key", "secret_key"}

// config is a parsed store URL.
type config struct {
	bucket       string
	prefix       string // "" or a valid key followed by '/'
	endpoint     string // host[:port]
	secure       bool   // https
	region       string // "" lets the client discover it
	pathStyle    bool   // force path-style requests
	createBucket bool
	accessKey    string
	secretKey    string
	sessionToken string
}

// parseURL parses a store URL (see New), taking credentials from the URL or
// else from getenv. Its errors never quote the URL, which may hold a
// secret.
func parseURL(raw string, getenv func(string) string) (*config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("malformed URL")
	}
	switch {
	case u.Scheme != "s3":
		return nil, errors.New(`scheme must be "s3"`)
	case u.Opaque != "":
		return nil, errors.New(`URL must start with "s3://"`)
	case u.User != nil:
		return nil, errors.New("credentials go in the environment (or the access_key and secret_key parameters), not before the bucket")
	case u.Fragment != "" || u.RawFragment != "":
		return nil, errors.New("URL must not have a fragment")
	}
	c := &config{bucket: u.Host}
	if err := s3utils.CheckValidBucketNameStrict(c.bucket); err != nil {
		return nil, fmt.Errorf("bucket: %w", err)
	}
	if prefix := strings.TrimPrefix(u.Path, "/"); prefix != "" {
		if err := blob.ValidateKey(prefix); err != nil {
			return nil, fmt.Errorf("prefix: %w", err)
		}
		c.prefix = prefix + "/"
	}
	if err := c.parseQuery(u.RawQuery); err != nil {
		return nil, err
	}
	if c.accessKey == "" {
		c.accessKey = getenv("AWS_ACCESS_KEY_ID")
		c.secretKey = getenv("AWS_SECRET_ACCESS_KEY")
		c.sessionToken = getenv("AWS_SESSION_TOKEN")
		if c.accessKey == "" || c.secretKey == "" {
			return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
	}
	return c, nil
}

// parseQuery sets c's fields from the URL's query parameters.
func (c *config) parseQuery(rawQuery string) error {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return errors.New("malformed query")
	}
	endpoint := defaultEndpoint
	for name, values := range q {
		// An unknown name is not quoted: it could be a mistyped secret.
		if !slices.Contains(parameters, name) {
			return fmt.Errorf("unknown parameter (want one of %s)", strings.Join(parameters, ", "))
		}
		if len(values) != 1 {
			return fmt.Errorf("parameter %s given more than once", name)
		}
		v := values[0]
		switch name {
		case "endpoint":
			endpoint = v
		case "region":
			c.region = v
		case "path_style":
			c.pathStyle, err = strconv.ParseBool(v)
		case "create_bucket":
			c.createBucket, err = strconv.ParseBool(v)
		case "access_key":
			c.accessKey = v
		case "secret_key":
			c.secretKey = v
		}
		if err != nil {
			return fmt.Errorf("parameter %s is not a boolean", name)
		}
	}
	if (c.accessKey == "") != (c.secretKey == "") {
		return errors.New("access_key and secret_key must be given together")
	}
	return c.parseEndpoint(endpoint)
}

// parseEndpoint sets c.endpoint and c.secure from an http(s) base URL.
func (c *config) parseEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("endpoint: malformed URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New(`endpoint: scheme must be "http" or "https"`)
	case u.Host == "":
		return errors.New("endpoint: no host")
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return errors.New("endpoint: must be only scheme://host[:port]")
	}
	c.endpoint = u.Host
	c.secure = u.Scheme == "https"
	return nil
}
