package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// hidden replaces a credential in Effective.
const hidden = "***"

// parseURL parses raw like url.Parse, but with an error that cannot repeat
// a credential: the input is never quoted, and url.Parse's own reason is
// only kept when raw has no user information.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err == nil {
		return u, nil
	}
	var uerr *url.Error
	if strings.Contains(raw, "@") || !errors.As(err, &uerr) {
		return nil, errors.New("not a valid URL (percent-encode special characters in user names and passwords)")
	}
	return nil, fmt.Errorf("not a valid URL: %v", uerr.Err)
}

// parseDatabaseURL returns the database kind and, for SQLite, the file path
// a database_url names; the path is "" for the empty URL, which means the
// default file in the data directory. Its errors never contain credentials.
func parseDatabaseURL(raw string) (kind, path string, err error) {
	if raw == "" {
		return DatabaseSQLite, "", nil
	}
	u, err := parseURL(raw)
	if err != nil {
		return "", "", err
	}
	switch u.Scheme {
	case "sqlite":
		path, err := localPath(u, "sqlite:///abs/path.db or sqlite:relative.db")
		return DatabaseSQLite, path, err
	case "postgres", "postgresql":
		if u.Opaque != "" {
			return "", "", errors.New("a PostgreSQL URL starts with postgres://")
		}
		return DatabasePostgres, "", nil
	case "":
		return "", "", errors.New("missing URL scheme: use sqlite:PATH or postgres://USER@HOST/DB (key=value connection strings are not supported)")
	default:
		return "", "", fmt.Errorf("unsupported scheme %q (use sqlite or postgres)", u.Scheme)
	}
}

// parseBlobURL returns the blob store kind and, for a local directory, its
// path that a blob_url names; the path is "" for the empty URL, which means
// the default directory in the data directory. Its errors never contain
// credentials.
func parseBlobURL(raw string) (kind, dir string, err error) {
	if raw == "" {
		return BlobFS, "", nil
	}
	u, err := parseURL(raw)
	if err != nil {
		return "", "", err
	}
	switch u.Scheme {
	case "file":
		dir, err := localPath(u, "file:///abs/dir or file:relative/dir")
		return BlobFS, dir, err
	case "s3":
		return BlobS3, "", checkS3URL(u)
	case "":
		return "", "", errors.New("missing URL scheme: use file:///DIR or s3://BUCKET")
	default:
		return "", "", fmt.Errorf("unsupported scheme %q (use file or s3)", u.Scheme)
	}
}

// localPath returns the file system path of a sqlite: or file: URL, which
// names no host and has no query. forms shows the accepted spellings.
func localPath(u *url.URL, forms string) (string, error) {
	if u.User != nil || (u.Host != "" && u.Host != "localhost") {
		return "", fmt.Errorf("a %s URL names no host; use %s", u.Scheme, forms)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("a %s URL takes no query or fragment", u.Scheme)
	}
	p := u.Path
	if u.Opaque != "" {
		var err error
		if p, err = url.PathUnescape(u.Opaque); err != nil {
			return "", fmt.Errorf("a %s URL has an invalid escape in its path", u.Scheme)
		}
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("a %s URL needs a path; use %s", u.Scheme, forms)
	}
	return filepath.FromSlash(p), nil
}

// pathURL returns a URL with the given scheme that names path, the inverse
// of localPath.
func pathURL(scheme, path string) string {
	p := filepath.ToSlash(path)
	if strings.HasPrefix(p, "/") {
		return (&url.URL{Scheme: scheme, Path: p}).String()
	}
	return scheme + ":" + (&url.URL{Path: p}).EscapedPath()
}

// bucketName matches S3 bucket names: 3 to 63 lower-case letters, digits,
// dots and hyphens, starting and ending with a letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// checkS3URL checks the parts of an s3:// URL that Confide relies on: the
// bucket, and an endpoint query parameter, if any, that is an http(s) URL.
// Further parameters are left to the S3 blob store.
func checkS3URL(u *url.URL) error {
	if u.Opaque != "" {
		return errors.New("an S3 URL starts with s3://BUCKET")
	}
	if !bucketName.MatchString(u.Host) {
		return fmt.Errorf("invalid S3 bucket name %q: use 3 to 63 lower-case letters, digits, dots and hyphens", u.Hostname())
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return errors.New("the S3 URL's query is not valid; percent-encode special characters")
	}
	if eps, ok := q["endpoint"]; ok {
		ep, err := url.Parse(eps[len(eps)-1])
		if err != nil || (ep.Scheme != "http" && ep.Scheme != "https") || ep.Host == "" {
			return errors.New("the endpoint parameter must be an http:// or https:// URL, e.g. endpoint=http://127.0.0.1:9000")
		}
	}
	return nil
}

// sensitiveParams are substrings of query parameter names whose values
// redactURL hides, such as password, secret_key, access_key or X-Amz-Signature.
var sensitiveParams = []string{"pass", "pwd", "secret", "token", "key", "signature", "credential", "session", "auth"}

// redactURL returns raw with credentials replaced by "***": the password of
// the user information, the values of query parameters whose names look
// like credentials, values holding user information of their own, and any
// fragment. An unparsable raw is hidden whole.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return hidden
	}
	r := *u
	r.User, r.RawQuery, r.Fragment, r.RawFragment = nil, "", "", ""
	s := r.String()
	if u.User != nil {
		info := url.User(u.User.Username()).String()
		if _, ok := u.User.Password(); ok {
			info += ":" + hidden
		}
		s = strings.Replace(s, "//", "//"+info+"@", 1)
	}
	if u.RawQuery != "" {
		s += "?" + redactQuery(u.RawQuery)
	}
	if u.Fragment != "" {
		s += "#" + hidden
	}
	return s
}

// redactQuery formats a query with its parameters sorted by name and the
// values of credential-like parameters hidden.
func redactQuery(rawQuery string) string {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return hidden
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[name] {
			if isSensitiveParam(name) || strings.Contains(v, "@") {
				v = hidden
			} else {
				v = queryEscape(v)
			}
			parts = append(parts, queryEscape(name)+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

// queryEscape escapes s for a query like url.QueryEscape, but leaves the
// ':' and '/' that a query may hold as they are, so that an endpoint URL
// stays readable.
func queryEscape(s string) string {
	return queryUnescaper.Replace(url.QueryEscape(s))
}

var queryUnescaper = strings.NewReplacer("%3A", ":", "%2F", "/")

func isSensitiveParam(name string) bool {
	n := strings.ToLower(name)
	return slices.ContainsFunc(sensitiveParams, func(s string) bool { return strings.Contains(n, s) })
}
