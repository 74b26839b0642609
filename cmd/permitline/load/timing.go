package load

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// trace is one conversation's (or one floor worker's) record of its requests: the step
// kind the next request belongs to, what each round trip took, and what the transport saw
// in the requests that the conversation itself cannot (the <Pay> confirmation code, which
// the simulated Twilio makes up and sends only to the server).
type trace struct {
	step    string
	payCode string
	samples []sample
}

type sample struct {
	kind string
	d    time.Duration
}

type traceKey struct{}

func withTrace(ctx context.Context, t *trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceOf(ctx context.Context) *trace {
	t, _ := ctx.Value(traceKey{}).(*trace)
	return t
}

// kindOf names the step a request belongs to. The webhooks a conversation makes on
// purpose carry the step it set; those twiliosim makes by itself (the queue's wait URL,
// the queue's action and the status callback when the caller hangs up) are named by path.
func kindOf(path string, t *trace) string {
	switch path {
	case "/twilio/voice/status":
		return "voice.status"
	case "/twilio/voice/queue/wait":
		return "voice.queue_wait"
	case "/twilio/voice/queue/done":
		return "voice.queue_done"
	case "/twilio/voice/resume":
		return "voice.resume"
	case "/twilio/sms/status":
		return "sms.status"
	}
	if t != nil && t.step != "" {
		return t.step
	}
	return "other " + path
}

// timedTransport times every round trip, from sending the request to the end of the
// response body, and files it under its step kind in the request's trace.
type timedTransport struct {
	base     http.RoundTripper
	webhooks *atomic.Int64 // every request sent, for the progress line
	sent     func(n int64) // nil, or told of each request sent with the number so far
}

var _ http.RoundTripper = (*timedTransport)(nil)

func (t *timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr := traceOf(req.Context())
	kind := kindOf(req.URL.Path, tr)
	if tr != nil && kind == "voice.pay" && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(body)
			if form, err := url.ParseQuery(string(b)); err == nil && form.Get("PaymentConfirmationCode") != "" {
				tr.payCode = form.Get("PaymentConfirmationCode")
			}
		}
	}
	if n := t.webhooks.Add(1); t.sent != nil {
		t.sent(n)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if tr != nil {
			tr.add(kind, time.Since(start))
		}
		return nil, err
	}
	if tr != nil {
		resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { tr.add(kind, time.Since(start)) }}
	}
	return resp, nil
}

func (t *trace) add(kind string, d time.Duration) {
	t.samples = append(t.samples, sample{kind, d})
}

// timedBody calls done once, when the body is closed: the response is then all read.
type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// newClient returns the HTTP client every simulated caller and texter shares, over rt:
// Twilio's 15-second webhook timeout (which a retried request's attempts share, as they
// would behind a load balancer holding the request), every round trip timed and counted.
func newClient(rt http.RoundTripper, webhooks *atomic.Int64, sent func(int64)) *http.Client {
	return &http.Client{Transport: &timedTransport{base: rt, webhooks: webhooks, sent: sent}, Timeout: webhookTimeout}
}

// webhookTimeout is how long Twilio waits for a webhook's answer.
const webhookTimeout = 15 * time.Second

// baseTransport keeps alive connections enough for the concurrency.
func baseTransport(concurrency int) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // load traffic goes straight to 127.0.0.1, never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
	}
}

// Latency is the spread of one step kind's round trips.
type Latency struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
	P50   Millis `json:"p50_ms"`
	P95   Millis `json:"p95_ms"`
	P99   Millis `json:"p99_ms"`
	Max   Millis `json:"max_ms"`
}

// latencyOf summarises ds, which it sorts.
func latencyOf(kind string, ds []time.Duration) Latency {
	slices.Sort(ds)
	l := Latency{Kind: kind, Count: len(ds)}
	if len(ds) == 0 {
		return l
	}
	l.P50, l.P95, l.P99, l.Max = quantile(ds, 0.50), quantile(ds, 0.95), quantile(ds, 0.99), Millis(ds[len(ds)-1])
	return l
}

// quantile returns the nearest-rank q-quantile of sorted ds.
func quantile(ds []time.Duration, q float64) Millis {
	i := int(float64(len(ds))*q+0.999999) - 1
	return Millis(ds[max(0, min(i, len(ds)-1))])
}
