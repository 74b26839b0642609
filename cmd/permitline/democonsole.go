package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

// demoConsole tells the demo's console, in words, what the desk does to calls through the
// stand-in for Twilio's REST API, and what a caller put through says to the agent.
type demoConsole struct {
	e    *env
	fake *fakeapi.Server

	mu     sync.Mutex
	agents map[string]string // the name of the agent each call was put through to, by CallSid
}

// dialed is what the console reads of the TwiML that puts a call through.
type dialed struct {
	Dial *struct {
		Number []string `xml:"Number"`
		Client []string `xml:"Client"`
	} `xml:"Dial"`
}

// taken returns the desk's record of the call: its caller and the agent who took it.
func (c *demoConsole) taken(callSid string) (from, agent string) {
	_ = c.e.store.View(context.Background(), func(r domain.Reader) error {
		t, err := r.TransferByCall(callSid)
		if err != nil {
			return err
		}
		from = t.From
		if a, err := r.AgentByID(t.AgentID); err == nil && t.AgentID != 0 {
			agent = a.Name
		}
		return nil
	})
	return from, agent
}

// caller names the caller of the call, by the end of their number.
func (c *demoConsole) caller(callSid string) string {
	from, _ := c.taken(callSid)
	if from == "" {
		from = c.fake.Caller(callSid)
	}
	if len(from) < 4 {
		return "call " + callSid
	}
	return "..." + from[len(from)-4:]
}

// party names who the TwiML puts the call through to: the agent who took it, or the number.
func (c *demoConsole) party(callSid, twiml string) string {
	var d dialed
	if err := xml.Unmarshal([]byte(twiml), &d); err != nil || d.Dial == nil {
		return ""
	}
	if _, agent := c.taken(callSid); agent != "" {
		c.mu.Lock()
		c.agents[callSid] = agent
		c.mu.Unlock()
		return agent + " (agent)"
	}
	if len(d.Dial.Number) > 0 {
		return phone.National(strings.TrimSpace(d.Dial.Number[0]))
	}
	if len(d.Dial.Client) > 0 {
		return strings.TrimSpace(d.Dial.Client[0])
	}
	return ""
}

// agent returns the name of the agent the call was put through to, or "the agent".
func (c *demoConsole) agent(callSid string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := c.agents[callSid]; a != "" {
		return a
	}
	return "the agent"
}

// update prints a call update in words.
func (c *demoConsole) update(u fakeapi.CallUpdate) {
	w := c.e.stdout
	who := c.caller(u.CallSid)
	if u.URL != "" {
		to := ""
		if q, err := url.Parse(u.URL); err == nil {
			to = q.Query().Get("to")
		}
		agent := c.agent(u.CallSid)
		switch ivr.Back(to) {
		case ivr.BackToPay:
			fmt.Fprintf(w, "  %s sends the caller on %s to pay by card: the line takes the card, not the agent\n", agent, who)
		case ivr.BackToMenu:
			fmt.Fprintf(w, "  %s hands the caller on %s back to the line's menu\n", agent, who)
		default:
			fmt.Fprintf(w, "  the caller on %s is moved back to the line\n", who)
		}
		return
	}
	if party := c.party(u.CallSid, u.Twiml); party != "" {
		agent := strings.TrimSuffix(party, " (agent)")
		if agent != party {
			fmt.Fprintf(w, "  %s takes the call from %s\n", agent, who)
			fmt.Fprintf(w, "  the line puts the caller through to %s's phone\n", agent)
			return
		}
		fmt.Fprintf(w, "  the line puts the caller on %s through to %s\n", who, party)
		return
	}
	fmt.Fprintf(w, "  the line gives the caller on %s new instructions\n", who)
}

// said prints what the caller says to the agent, as the agent hears it.
func (c *demoConsole) said(callSid, text string) {
	fmt.Fprintf(c.e.stdout, "  caller: %s\n", text)
}
