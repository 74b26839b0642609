package fakeapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Call is an outgoing call the fake accepted (POST .../Calls.json): nothing is dialled; a
// test plays Twilio's part by driving the Url and StatusCallback webhooks itself.
type Call struct {
	AccountSid           string
	Sid                  string // "CA" and 32 hex digits, as the answer gave it
	To, From             string
	URL, Method          string
	StatusCallback       string
	StatusCallbackMethod string
	StatusCallbackEvent  []string
	At                   time.Time
}

// Calls returns the calls created so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.created...)
}

// createCall records an outgoing call and answers as Twilio does: 201 and the Call
// resource, queued.
// https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
func (s *Server) createCall(w http.ResponseWriter, account string, f url.Values) {
	c := Call{AccountSid: account, Sid: "CA" + randomHex(16), To: f.Get("To"), From: f.Get("From"),
		URL: f.Get("Url"), Method: f.Get("Method"), StatusCallback: f.Get("StatusCallback"),
		StatusCallbackMethod: f.Get("StatusCallbackMethod"), StatusCallbackEvent: f["StatusCallbackEvent"], At: s.now()}
	switch {
	case c.To == "":
		writeError(w, http.StatusBadRequest, 21201, "No 'To' number is specified")
		return
	case c.From == "":
		writeError(w, http.StatusBadRequest, 21213, "No 'From' number is specified")
		return
	case c.URL == "" && f.Get("Twiml") == "" && f.Get("ApplicationSid") == "":
		writeError(w, http.StatusBadRequest, 21205, "Url parameter is required.")
		return
	}
	record(&s.mu, &s.created, &s.OnCall, c)
	created := c.At.UTC().Format(time.RFC1123Z)
	writeJSON(w, http.StatusCreated, map[string]any{"sid": c.Sid, "account_sid": c.AccountSid, "to": c.To,
		"from": c.From, "status": "queued", "direction": "outbound-api", "api_version": apiVersion,
		"date_created": created, "date_updated": created,
		"uri": "/" + apiVersion + "/Accounts/" + c.AccountSid + "/Calls/" + c.Sid + ".json"})
}

// RecordingAudio is what the fake serves as every recording: the start of an MP3 file (an
// ID3 header), enough for a test to tell it arrived whole.
var RecordingAudio = []byte("ID3\x04\x00\x00\x00\x00\x00\x00fake recording")

// serveRecording answers GET .../Recordings/{RecordingSid}.mp3 as Twilio does for an
// account's own recording: with basic auth, the audio; without, 401.
// https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file
func (s *Server) serveRecording(w http.ResponseWriter, r *http.Request, sid string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user == "" || pass == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if !strings.HasPrefix(sid, "RE") {
		writeError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(RecordingAudio)
}
