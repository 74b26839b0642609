package load

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// nodesTransport spreads webhooks over the nodes of a line, as a load balancer in front
// of two or more nodes does: each request goes to the next node in turn, so the steps of
// one call land on any of them. A request that fails at the connection level (the node
// is down: refused, reset, closed before an answer) is sent at once to the next node, as
// Twilio sends a webhook whose primary URL fails to the number's fallback URL
// (https://www.twilio.com/docs/usage/webhooks/availability-reliability). Every node
// signs against the same public URL, so a request is the same whichever node it reaches.
type nodesTransport struct {
	base  http.RoundTripper
	nodes []*url.URL
	next  atomic.Uint64

	failedOver atomic.Int64 // requests sent to another node after their first failed
}

var _ http.RoundTripper = (*nodesTransport)(nil)

func (t *nodesTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	first := int(t.next.Add(1) % uint64(len(t.nodes)))
	resp, err := t.base.RoundTrip(t.to(req, first))
	for i := 1; i < len(t.nodes) && err != nil && retryable(resp, err); i++ {
		again, rerr := rewound(req)
		if rerr != nil {
			return resp, err
		}
		t.failedOver.Add(1)
		resp, err = t.base.RoundTrip(t.to(again, (first+i)%len(t.nodes)))
	}
	return resp, err
}

// to returns req sent to node i: the same path, query and headers on that node's host.
func (t *nodesTransport) to(req *http.Request, i int) *http.Request {
	n := t.nodes[i]
	if req.URL.Scheme == n.Scheme && req.URL.Host == n.Host {
		return req
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = n.Scheme, n.Host, ""
	return out
}

// parseNodes reads --url: one URL, or several separated by commas (the nodes of one line),
// each an http URL on this machine.
func parseNodes(s string) ([]*url.URL, error) {
	var out []*url.URL
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("--url %q is not an http URL", part)
		}
		if !loopback(u.Hostname()) {
			return nil, fmt.Errorf("--url %q: load is only sent to this machine (127.0.0.1, ::1 or localhost)", part)
		}
		out = append(out, u)
	}
	return out, nil
}
