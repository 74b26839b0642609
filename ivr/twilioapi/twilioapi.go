// Package twilioapi builds twilio-go's REST client with the account's credentials and the
// HTTP client its requests go through: Twilio itself, or in tests and the demo a local
// fake of its API. Both channels use it: texts to send, calls to put through to an agent.
package twilioapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
)

// DefaultTimeout bounds a request that has no other bound: twilio-go's calls take no context.
const DefaultTimeout = 10 * time.Second

// New returns a REST client for the account. httpClient nil means twilio-go's own client;
// one without a timeout is given DefaultTimeout (on a copy).
func New(accountSid, authToken string, httpClient *http.Client) *twilio.RestClient {
	api := twilio.NewRestClientWithParams(twilio.ClientParams{Username: accountSid, Password: authToken,
		AccountSid: accountSid})
	if httpClient != nil {
		hc := *httpClient
		if hc.Timeout <= 0 {
			hc.Timeout = DefaultTimeout
		}
		c, ok := api.Client.(*twclient.Client)
		if !ok {
			panic(fmt.Sprintf("twilioapi: twilio-go's REST client is a %T, not a *client.Client", api.Client))
		}
		c.HTTPClient = &hc
	}
	return api
}
