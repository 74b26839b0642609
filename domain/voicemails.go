package domain

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Voicemails (R25): a caller may leave a message while the helpdesk is closed. The
// <Record> action and Twilio's recording status callback each report what they know, in
// either order, and fill in one row per call; agents listen to it on the desk and mark it
// done.

// VoicemailStatus is where a message stands.
type VoicemailStatus string

// The states of a message.
const (
	VoicemailRecording VoicemailStatus = "recording" // recorded; the recording not yet reported available
	VoicemailWaiting   VoicemailStatus = "waiting"   // ready to be listened to
	VoicemailDone      VoicemailStatus = "done"
)

// Voicemail is a message a caller left, with the context of their call.
type Voicemail struct {
	ID           int64
	CallSid      string // one message per call
	From         string
	ResidentID   int64 // 0: the caller was not identified
	Caller       Actor
	Reason       string
	Context      []byte
	RecordingSid string
	RecordingURL string // Twilio's URL of the recording, without an extension
	Duration     int    // seconds
	Status       VoicemailStatus
	AgentID      int64
	Note         string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// VoicemailIn is what one report of a message says: the call's context (from the
// <Record> action) and what Twilio said of the recording.
type VoicemailIn struct {
	CallSid, From string
	Caller        *Caller
	Reason        string
	Context       []byte
	RecordingSid  string
	RecordingURL  string
	Duration      int
	// Available says Twilio's recording status callback reported the recording completed.
	Available bool
}

// RecordVoicemail records what a report of a message says, in the call's one row: each
// report fills in what it knows and never blanks what another filled. The message waits
// for an agent once the recording is available and has a URL.
func (o *Op) RecordVoicemail(in VoicemailIn) (Voicemail, error) {
	v, err := o.tx.VoicemailByCall(in.CallSid)
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		v = Voicemail{CallSid: in.CallSid, Status: VoicemailRecording, Context: []byte(`{"history":[]}`), CreatedAt: o.now}
	default:
		return Voicemail{}, err
	}
	fill := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	fill(&v.From, in.From)
	fill(&v.Reason, in.Reason)
	fill(&v.RecordingSid, in.RecordingSid)
	fill(&v.RecordingURL, in.RecordingURL)
	if in.Caller != nil && v.ResidentID == 0 {
		v.ResidentID, v.Caller = in.Caller.ResidentID, in.Caller.Actor(ChannelVoice)
	}
	if len(in.Context) > 0 {
		v.Context = in.Context
	}
	if in.Duration > 0 {
		v.Duration = in.Duration
	}
	if v.Status == VoicemailRecording && in.Available && v.RecordingURL != "" {
		v.Status = VoicemailWaiting
	}
	v.UpdatedAt = o.now
	return o.tx.UpsertVoicemail(v)
}

// Voicemails lists the messages waiting for an agent, oldest first.
func (s *Service) Voicemails(ctx context.Context) ([]Voicemail, error) {
	var out []Voicemail
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.VoicemailsWithStatus(VoicemailWaiting, 500); return err })
	return out, err
}

// Voicemail returns one message.
func (s *Service) Voicemail(ctx context.Context, id int64) (Voicemail, error) {
	var v Voicemail
	err := s.View(ctx, func(r Reader) (err error) { v, err = r.VoicemailByID(id); return err })
	return v, err
}

// VoicemailDone records that an agent dealt with a message, with a note; ErrTaken if it was
// not waiting.
func (s *Service) VoicemailDone(ctx context.Context, a Agent, id int64, note string) (Voicemail, error) {
	if err := CheckNote(note); err != nil {
		return Voicemail{}, err
	}
	var v Voicemail
	err := s.Update(ctx, func(o *Op) (err error) {
		if v, err = o.tx.VoicemailByID(id); err != nil {
			return err
		}
		if v.Status != VoicemailWaiting {
			return ErrTaken
		}
		v.Status, v.AgentID, v.UpdatedAt = VoicemailDone, a.ID, o.now
		if n := strings.TrimSpace(note); n != "" {
			v.Note = n
		}
		if _, err := o.tx.UpsertVoicemail(v); err != nil {
			return err
		}
		return o.audit(v.ResidentID, a.Actor(), "voicemail.done", "%s", v.Note)
	})
	return v, err
}
