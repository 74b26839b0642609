package fakeapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FollowPrefix is where the fake serves what a simulated phone needs to follow its call,
// which Twilio itself keeps inside: GET {FollowPrefix}{CallSid}/updates?after=N&from=NUMBER waits (up to
// 20 seconds) for the call's updates after the Nth and answers them as JSON, and POST
// {FollowPrefix}{CallSid}/said with text=... is the caller speaking to whoever the call is
// put through to. These routes are the demo's and the tests', never the line's.
const FollowPrefix = "/sim/calls/"

// longPoll is how long an updates request waits for an update before answering none.
const longPoll = 20 * time.Second

// FollowedUpdate is one update of a call, as the updates route answers it.
type FollowedUpdate struct {
	N      int    `json:"n"`     // its number among the call's updates, from 1
	Twiml  string `json:"twiml"` // inline TwiML, or
	URL    string `json:"url"`   // the URL to fetch it from, with
	Method string `json:"method"`
	// Party is who the TwiML puts the caller through to, as OnParty names them ("" = no one).
	Party string `json:"party,omitempty"`
}

// follower is the state of the follow routes.
type follower struct {
	changed chan struct{}     // closed, and replaced, at each call update
	callers map[string]string // the From of each call a phone follows, by CallSid
}

// Caller returns the number calling on the call a simulated phone follows ("" = none known).
func (s *Server) Caller(callSid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.follow.callers[callSid]
}

// wake tells waiting updates requests that a call was updated. Call with s.mu held.
func (s *Server) wake() {
	if s.follow.changed != nil {
		close(s.follow.changed)
	}
	s.follow.changed = make(chan struct{})
}

// serveFollow answers the follow routes.
func (s *Server) serveFollow(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, FollowPrefix)
	callSid, what, ok := strings.Cut(rest, "/")
	if !ok || callSid == "" {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	switch {
	case what == "updates" && r.Method == http.MethodGet:
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		if from := r.URL.Query().Get("from"); from != "" {
			s.mu.Lock()
			if s.follow.callers == nil {
				s.follow.callers = map[string]string{}
			}
			s.follow.callers[callSid] = from
			s.mu.Unlock()
		}
		writeJSON(w, http.StatusOK, s.updatesAfter(r, callSid, after))
	case what == "said" && r.Method == http.MethodPost:
		if h := s.OnCallerSaid; h != nil {
			h(callSid, r.PostFormValue("text"))
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	}
}

// updatesAfter returns the call's updates after the first n, waiting for one while there
// are none, until longPoll passes or the request is gone.
func (s *Server) updatesAfter(r *http.Request, callSid string, n int) []FollowedUpdate {
	timeout := time.NewTimer(longPoll)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		var found []FollowedUpdate
		i := 0
		for _, c := range s.calls {
			if c.CallSid != callSid {
				continue
			}
			if i++; i > n {
				found = append(found, FollowedUpdate{N: i, Twiml: c.Twiml, URL: c.URL, Method: c.Method})
			}
		}
		if s.follow.changed == nil {
			s.follow.changed = make(chan struct{})
		}
		changed := s.follow.changed
		party := s.OnParty
		s.mu.Unlock()
		if len(found) > 0 {
			for i := range found {
				if party != nil && found[i].Twiml != "" {
					found[i].Party = party(callSid, found[i].Twiml)
				}
			}
			return found
		}
		select {
		case <-changed:
		case <-timeout.C:
			return []FollowedUpdate{}
		case <-r.Context().Done():
			return []FollowedUpdate{}
		}
	}
}
