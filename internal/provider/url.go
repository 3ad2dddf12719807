package provider

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// newRequest is http.NewRequestWithContext(ctx, POST, BaseURL+path, nil)
// without parsing the whole URL again for every request: when the base
// URL was parsed once (parseBase) and path is a plain path, the request's
// URL is a copy of the parsed base with path appended to its path, the
// URL that parsing BaseURL+path gives (TestNewRequestMatchesParse).
func (p *Provider) newRequest(ctx context.Context, path string) (*http.Request, error) {
	if p.base == nil || p.baseFor != p.BaseURL || !plainPath(path) {
		return http.NewRequestWithContext(ctx, http.MethodPost, p.BaseURL+path, nil)
	}
	// Parsing "" allocates the URL the request gets, and nothing else.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "", nil)
	if err != nil {
		return nil, err
	}
	*req.URL = *p.base
	req.URL.Path = p.base.Path + path
	req.Host = p.base.Host
	return req, nil
}

// parseBase parses a base URL for newRequest, or returns nil when it has
// parts (user info, query, fragment, escapes, an empty port) that make
// appending a path to the parsed form differ from parsing the joined
// string.
func parseBase(base string) *url.URL {
	u, err := url.Parse(base)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || u.RawFragment != "" || u.RawPath != "" || strings.HasSuffix(u.Host, ":") ||
		!plainPath(u.Path) || strings.HasSuffix(u.Path, "/") || u.Host == "" {
		return nil
	}
	return u
}

// plainPath reports whether path is empty or starts with "/" and has only
// bytes that a URL path carries unescaped, so that url.Parse keeps it as
// it is: no query, fragment or escapes.
func plainPath(path string) bool {
	if path != "" && path[0] != '/' {
		return false
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@':
		default:
			return false
		}
	}
	return true
}
