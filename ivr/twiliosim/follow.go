package twiliosim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// followPrefix is the stand-in REST API's route for following a call (fakeapi.FollowPrefix).
const followPrefix = "/sim/calls/"

// Update is an update of the live call through the REST API: inline TwiML, or a URL to fetch
// it from with its method.
type Update struct {
	Twiml  string
	URL    string
	Method string
	// Party is who the TwiML puts the caller through to, when the stand-in knows ("" = it does not).
	Party string
}

// Update runs the REST API's update of the live call, as Twilio does: whatever the call is
// doing is cut short (a queue hears QueueResult=redirected; a Dial's other leg is dropped
// without its action), and the call runs the new TwiML.
// https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource
func (c *Call) Update(ctx context.Context, u Update) (Turn, error) {
	if u.Twiml != "" {
		return c.UpdateTwiML(ctx, u.Twiml)
	}
	return c.UpdateURL(ctx, u.Method, u.URL)
}

// UpdateURL is the account updating the live call to fetch its TwiML from u (method "" = POST).
func (c *Call) UpdateURL(ctx context.Context, method, u string) (Turn, error) {
	if err := c.interrupt(ctx); err != nil {
		return c.fail(ctx, err)
	}
	if method == "" {
		method = http.MethodPost
	}
	if err := c.load(ctx, method, u, c.params()); err != nil {
		return c.fail(ctx, err)
	}
	return c.run(ctx)
}

// interrupt stops what the call is doing for an update: out of its queue (the action told
// QueueResult=redirected, its answer ignored), and off any verb it waited on.
func (c *Call) interrupt(ctx context.Context) error {
	if c.ended {
		return errors.New("twiliosim: the call has ended")
	}
	c.waiting, c.doc, c.verbs, c.loads = nil, "", nil, 0
	q := c.queue
	if q == nil {
		return nil
	}
	c.queue = nil
	if q.action == "" {
		return nil
	}
	return c.notify(ctx, q.method, q.action, c.queueParamsOf(q, "redirected"))
}

// Follower follows one call's updates on the stand-in REST API, as the simulated phone's
// way of learning what Twilio learns inside itself; and carries what the caller says to
// whoever the call is put through to.
type Follower struct {
	base   string // the stand-in's base URL
	sid    string
	from   string
	client *http.Client
	seen   int
}

// NewFollower follows the call on the stand-in REST API at base (e.g. http://127.0.0.1:8081).
func NewFollower(base string, c *Call) *Follower {
	return &Follower{base: strings.TrimRight(base, "/"), sid: c.sid, from: c.cfg.From,
		client: &http.Client{Timeout: 30 * time.Second}}
}

// Next waits (the stand-in answers within about 20 seconds) for the call's next updates.
func (f *Follower) Next(ctx context.Context) ([]Update, error) {
	u := f.base + followPrefix + url.PathEscape(f.sid) + "/updates?" +
		url.Values{"after": {strconv.Itoa(f.seen)}, "from": {f.from}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("twiliosim: following call %s: %w", f.sid, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("twiliosim: following call %s: %s", f.sid, resp.Status)
	}
	var got []struct {
		N                         int
		Twiml, URL, Method, Party string
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		return nil, fmt.Errorf("twiliosim: following call %s: %w", f.sid, err)
	}
	ups := make([]Update, 0, len(got))
	for _, g := range got {
		f.seen = max(f.seen, g.N)
		ups = append(ups, Update{Twiml: g.Twiml, URL: g.URL, Method: g.Method, Party: g.Party})
	}
	return ups, nil
}

// Run sends the call's updates on the channel it returns, until ctx ends; it retries after
// a second when the stand-in cannot be reached.
func (f *Follower) Run(ctx context.Context) <-chan Update {
	ch := make(chan Update)
	go func() {
		defer close(ch)
		for ctx.Err() == nil {
			ups, err := f.Next(ctx)
			if err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			for _, u := range ups {
				select {
				case ch <- u:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch
}

// Say carries what the caller says to whoever the call is put through to.
func (f *Follower) Say(ctx context.Context, text string) error {
	u := f.base + followPrefix + url.PathEscape(f.sid) + "/said"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(url.Values{"text": {text}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("twiliosim: speaking on call %s: %w", f.sid, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("twiliosim: speaking on call %s: %s", f.sid, resp.Status)
	}
	return nil
}
