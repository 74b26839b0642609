package twiliosim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SendSMS posts an incoming text to {BaseURL}/twilio/sms and returns the <Message> bodies of the reply.
func SendSMS(ctx context.Context, cfg Config, body string) (reply []string, status int, err error) {
	return ResendSMS(ctx, cfg, sid("SM"), body)
}

// ResendSMS texts body with the given MessageSid, as Twilio does when it retries a webhook.
func ResendSMS(ctx context.Context, cfg Config, messageSid, body string) (reply []string, status int, err error) {
	cfg, err = cfg.normalized()
	if err != nil {
		return nil, 0, err
	}
	v := url.Values{
		"MessageSid":    {messageSid},
		"SmsSid":        {messageSid},
		"SmsMessageSid": {messageSid},
		"AccountSid":    {cfg.AccountSid},
		"From":          {cfg.From},
		"To":            {cfg.To},
		"Body":          {body},
		"NumMedia":      {"0"},
		"NumSegments":   {"1"},
		"SmsStatus":     {"received"},
		"ApiVersion":    {apiVersion},
	}
	geo(v, "From", cfg.From)
	geo(v, "To", cfg.To)
	u := cfg.PublicURL + smsPath
	resp, data, err := cfg.send(ctx, http.MethodPost, u, v)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return nil, resp.StatusCode, nil
	case resp.StatusCode != http.StatusOK:
		return nil, resp.StatusCode, fmt.Errorf("twiliosim: Twilio error 11200, POST %s answered %s: %s", u, resp.Status, excerpt(data))
	case len(data) > maxTwiML:
		return nil, resp.StatusCode, fmt.Errorf("twiliosim: Twilio error 11750, POST %s answered more than 64 kB", u)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, resp.StatusCode, nil
	}
	root, err := parseTwiML(data)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("%w, from POST %s: %s", err, u, excerpt(data))
	}
	for _, m := range root.kids {
		if m.name == "Message" {
			reply = append(reply, messageBody(m))
		}
	}
	return reply, resp.StatusCode, nil
}

// messageBody returns the text of a <Message>: its <Body>, or its own text without any
// <Media>, trimmed at both ends but with its line breaks kept.
func messageBody(m *node) string {
	for _, k := range m.kids {
		if k.name == "Body" {
			return strings.TrimSpace(k.text)
		}
	}
	return strings.TrimSpace(m.own)
}
