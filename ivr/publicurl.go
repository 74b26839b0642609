package ivr

import (
	"fmt"
	"net/url"
	"strings"
)

// NormalisePublicURL checks the base URL Twilio reaches the line at and returns it in the
// one form every absolute URL is built from: http or https, a host, an optional path prefix
// (https://council.example/permits), and no trailing slash, query or fragment. Twilio
// requests exactly the URLs the TwiML gives it, so https://permits.example.gov.uk/ must not
// make https://permits.example.gov.uk//twilio/voice/step.
func NormalisePublicURL(s string) (string, error) {
	raw := strings.TrimSpace(s)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("public URL %q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("public URL %q must start with https:// (or http://), e.g. https://permits.example.gov.uk", s)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("public URL %q has no host, e.g. https://permits.example.gov.uk", s)
	case u.User != nil:
		return "", fmt.Errorf("public URL %q must not carry a user name or password", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return "", fmt.Errorf("public URL %q must not have a query or fragment: give the base URL only", s)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if strings.Contains(path, "//") {
		return "", fmt.Errorf("public URL %q has an empty path segment", s)
	}
	// Twilio signs the URL as configured, so the host keeps its case as given; the scheme
	// is lower case whatever was typed.
	return strings.ToLower(u.Scheme) + "://" + u.Host + path, nil
}

// pathPrefix is the path of a normalised public URL: "" or e.g. "/permits".
func pathPrefix(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.EscapedPath(), "/")
}

// PathPrefix is the path prefix of a normalised public URL ("" or e.g. "/permits"): the
// router serves Twilio's routes under it as well as at the root, for a reverse proxy that
// keeps the prefix and for one that strips it.
func PathPrefix(publicURL string) string { return pathPrefix(publicURL) }
