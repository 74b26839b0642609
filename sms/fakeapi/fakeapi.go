// Package fakeapi is a local stand-in for the part of Twilio's REST API the line uses to
// send texts: POST /2010-04-01/Accounts/{AccountSid}/Messages.json. It answers as Twilio
// does (201 and the Message resource as JSON, or Twilio's error JSON), records what it was
// asked to send, and can be told to fail or to be slow, so the sender can be tested, and
// demonstrated, through the real twilio-go client without reaching Twilio.
//
// Serve it with httptest.NewServer(fakeapi.New()) and point the client's HTTP client at it
// with Transport, which also refuses any request that would leave the machine.
package fakeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// apiVersion is the only version of the REST API the fake serves.
const apiVersion = "2010-04-01"

// Message is a text the fake accepted.
type Message struct {
	AccountSid          string // from the path
	To                  string
	From                string // empty when sent through a messaging service
	MessagingServiceSid string
	Body                string
	StatusCallback      string
	Sid                 string // "SM" and 32 hex digits, as the answer gave it
	At                  time.Time
}

// CallUpdate is an update of a live call the fake accepted: new TwiML, or a URL to fetch it from.
type CallUpdate struct {
	AccountSid string
	CallSid    string
	Twiml      string
	URL        string
	Method     string
	At         time.Time
}

// Server is the fake API, an http.Handler. The zero value is not ready: use New.
type Server struct {
	// OnMessage, when set, is called (outside the server's lock) with each message accepted.
	// Set it before serving.
	OnMessage func(Message)
	// Now tells the fake the time for date_created and Message.At; nil means time.Now.
	// Set it before serving.
	Now func() time.Time

	// OnCallUpdate, when set, is called (outside the server's lock) with each call update
	// accepted. Set it before serving.
	OnCallUpdate func(CallUpdate)
	// OnCallerSaid, when set, is called with what a simulated caller says on a call put
	// through to someone (the follow routes, FollowPrefix). Set it before serving.
	OnCallerSaid func(callSid, text string)
	// OnParty, when set, names who a call update's TwiML puts the caller through to, for
	// the follow routes ("" = no one). Set it before serving.
	OnParty func(callSid, twiml string) string

	// OnCall, when set, is called (outside the server's lock) with each call created.
	// Set it before serving.
	OnCall func(Call)

	mu          sync.Mutex
	messages    []Message
	calls       []CallUpdate
	created     []Call
	requests    int // requests to the Messages and Calls resources, answered or failed
	failN       int
	failStatus  int
	failCode    int
	failMessage string
	delay       time.Duration
	follow      follower
}

// New returns a fake that accepts every well-formed, authenticated message.
func New() *Server { return &Server{} }

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests returns how many requests reached the Messages resource, including those the
// fake failed on purpose or refused, but not those dropped because the client gave up
// during a Delay.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailNext makes the next n requests to the Messages resource fail with the HTTP status
// (500 if status is not an error status) and Twilio's error JSON, e.g.
// {"code":20500,"message":"Internal Server Error","more_info":"...","status":500}.
func (s *Server) FailNext(n int, status int) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	s.FailNextWith(n, status, 20000+status, http.StatusText(status))
}

// FailNextWith is FailNext with Twilio's error code and message, e.g. 400, 21211,
// "The 'To' number is not a valid phone number." or 400, 21610, "Attempt to send to
// unsubscribed recipient".
func (s *Server) FailNextWith(n, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failCode, s.failMessage = n, status, code, message
}

// Delay makes the fake wait d before answering each request (0 stops it). A request whose
// client gives up during the wait (a timeout) is dropped unrecorded, as if it never
// reached Twilio.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// ServeHTTP answers a request as Twilio's REST API would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the request first: the server notices a client that gives up only once the
	// body has been read.
	formErr := r.ParseForm()
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	if strings.HasPrefix(r.URL.Path, FollowPrefix) {
		s.serveFollow(w, r)
		return
	}
	account, kind, callSid, ok := resourcePath(r.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if kind == "Recordings" {
		s.serveRecording(w, r, callSid)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}

	s.mu.Lock()
	s.requests++
	fail := s.failN > 0
	status, code, message := s.failStatus, s.failCode, s.failMessage
	if fail {
		s.failN--
	}
	s.mu.Unlock()

	if user, pass, ok := r.BasicAuth(); !ok || user == "" || pass == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if fail {
		writeError(w, status, code, message)
		return
	}
	if formErr != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not read the request: "+formErr.Error())
		return
	}
	f := r.PostForm
	if kind == "Calls" && callSid == "" {
		s.createCall(w, account, f)
		return
	}
	if callSid != "" {
		s.updateCall(w, CallUpdate{AccountSid: account, CallSid: callSid, Twiml: f.Get("Twiml"), URL: f.Get("Url"),
			Method: f.Get("Method"), At: s.now()})
		return
	}
	m := Message{AccountSid: account, To: f.Get("To"), From: f.Get("From"),
		MessagingServiceSid: f.Get("MessagingServiceSid"), Body: f.Get("Body"),
		StatusCallback: f.Get("StatusCallback"), Sid: "SM" + randomHex(16), At: s.now()}
	switch {
	case m.To == "":
		writeError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case m.From == "" && m.MessagingServiceSid == "":
		writeError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case m.Body == "" && f.Get("MediaUrl") == "" && f.Get("ContentSid") == "":
		writeError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}

	record(&s.mu, &s.messages, &s.OnMessage, m)
	writeJSON(w, http.StatusCreated, resource(m))
}

// record appends v to what the server keeps, under its lock mu, then calls hook, when
// set, outside the lock.
func record[T any](mu *sync.Mutex, kept *[]T, hook *func(T), v T) {
	mu.Lock()
	*kept = append(*kept, v)
	h := *hook
	mu.Unlock()
	if h != nil {
		h(v)
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// resourcePath reads /2010-04-01/Accounts/{AccountSid}/Messages.json,
// /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3 (callSid the recording's sid),
// /2010-04-01/Accounts/{AccountSid}/Calls.json (callSid empty) or
// /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json.
func resourcePath(p string) (account, kind, callSid string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) < 4 || parts[0] != apiVersion || parts[1] != "Accounts" || parts[2] == "" {
		return "", "", "", false
	}
	switch {
	case len(parts) == 4 && parts[3] == "Messages.json":
		return parts[2], "Messages", "", true
	case len(parts) == 4 && parts[3] == "Calls.json":
		return parts[2], "Calls", "", true
	case len(parts) == 5 && parts[3] == "Recordings" && strings.HasSuffix(parts[4], ".mp3") && len(parts[4]) > len(".mp3"):
		return parts[2], "Recordings", strings.TrimSuffix(parts[4], ".mp3"), true
	case len(parts) == 5 && parts[3] == "Calls" && strings.HasSuffix(parts[4], ".json") && len(parts[4]) > len(".json"):
		return parts[2], "Calls", strings.TrimSuffix(parts[4], ".json"), true
	}
	return "", "", "", false
}

// updateCall records a call update and answers with the Call resource.
func (s *Server) updateCall(w http.ResponseWriter, c CallUpdate) {
	if (c.Twiml == "") == (c.URL == "") {
		writeError(w, http.StatusBadRequest, 21205, "Either Url or Twiml is required, not both.")
		return
	}
	record(&s.mu, &s.calls, &s.OnCallUpdate, c)
	s.mu.Lock()
	s.wake()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"sid": c.CallSid, "account_sid": c.AccountSid, "status": "in-progress",
		"api_version": apiVersion, "date_updated": c.At.UTC().Format(time.RFC1123Z),
		"uri": "/" + apiVersion + "/Accounts/" + c.AccountSid + "/Calls/" + c.CallSid + ".json"})
}

// CallUpdates returns the call updates accepted so far, oldest first.
func (s *Server) CallUpdates() []CallUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallUpdate(nil), s.calls...)
}

// resource is the Message resource as Twilio answers a create: JSON with snake_case keys.
func resource(m Message) map[string]any {
	created := m.At.UTC().Format(time.RFC1123Z)
	var from, service any
	if m.From != "" {
		from = m.From
	}
	if m.MessagingServiceSid != "" {
		service = m.MessagingServiceSid
	}
	uri := "/" + apiVersion + "/Accounts/" + m.AccountSid + "/Messages/" + m.Sid
	return map[string]any{
		"account_sid":           m.AccountSid,
		"api_version":           apiVersion,
		"body":                  m.Body,
		"date_created":          created,
		"date_sent":             nil,
		"date_updated":          created,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  from,
		"messaging_service_sid": service,
		"num_media":             "0",
		"num_segments":          "1",
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.Sid,
		"status":                "queued",
		"subresource_uris":      map[string]any{"media": uri + "/Media.json"},
		"to":                    m.To,
		"uri":                   uri + ".json",
	}
}

// writeError answers with Twilio's error JSON.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code":      code,
		"message":   message,
		"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code),
		"status":    status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
