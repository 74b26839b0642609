package desk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"permitline/domain"
)

// Recordings fetches a voicemail's audio from Twilio with the account's credentials;
// *ivr.CallControl is one.
type Recordings interface {
	Recording(ctx context.Context, recordingURL string) (body io.ReadCloser, contentType string, err error)
}

// voicemailView is a voicemail as the desk lists it.
type voicemailView struct {
	ID                                 int64
	Number, Account, Why, Left, Length string
}

type voicemailsView struct {
	page
	Rows []voicemailView
}

// voicemailsPage is GET /desk/voicemails: the messages left while the helpdesk was
// closed, waiting to be listened to, oldest first.
func (d *desk) voicemailsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	d.showVoicemails(w, r, rq, http.StatusOK, nil)
}

func (d *desk) showVoicemails(w http.ResponseWriter, r *http.Request, rq *request, status int, f *flash) {
	vms, err := d.svc.Voicemails(r.Context())
	if err != nil {
		d.internal(w, r, rq, "loading the voicemails", err)
		return
	}
	p := &voicemailsView{page: d.page(r, rq, "Voicemails")}
	p.Nav, p.Helpdesk = "voicemails", d.helpdesk()
	p.Flash = f
	if p.Flash == nil {
		p.Flash = d.takeFlash(w, r)
	}
	now := d.svc.Now()
	for _, vm := range vms {
		v := voicemailView{ID: vm.ID, Number: maskedNumber(vm.From), Account: "not identified",
			Why:  reasonInFull(domain.Transfer{Reason: vm.Reason, Context: vm.Context}),
			Left: dateTime(vm.CreatedAt, now), Length: strconv.Itoa(vm.Duration) + "s"}
		if vm.ResidentID != 0 {
			var res domain.Resident
			if err := d.svc.View(r.Context(), func(rd domain.Reader) (err error) { res, err = rd.ResidentByID(vm.ResidentID); return err }); err == nil {
				v.Account = res.Account + " (" + res.Name + ")"
			}
		}
		p.Rows = append(p.Rows, v)
	}
	d.render(w, status, "voicemails.html", p)
}

// voicemailAudio is GET /desk/voicemails/{id}/audio: the recording, fetched from Twilio
// with the account's credentials and passed on, so the browser never sees them.
func (d *desk) voicemailAudio(w http.ResponseWriter, r *http.Request, rq *request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		http.NotFound(w, r)
		return
	}
	vm, err := d.svc.Voicemail(r.Context(), id)
	if domain.IsNotFound(err) || (err == nil && vm.RecordingURL == "") {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		d.internal(w, r, rq, "loading the voicemail", err)
		return
	}
	rec, ok := d.calls.(Recordings)
	if !ok || d.calls == nil {
		http.Error(w, "The desk cannot reach Twilio for the recording.", http.StatusServiceUnavailable)
		return
	}
	body, ctype, err := rec.Recording(r.Context(), vm.RecordingURL)
	if err != nil {
		d.log.Error("fetching a voicemail's recording", "voicemail", vm.ID, "error", err)
		http.Error(w, "The recording could not be fetched from Twilio.", http.StatusBadGateway)
		return
	}
	defer body.Close()
	if !strings.HasPrefix(ctype, "audio/") {
		ctype = "audio/mpeg"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, body); err != nil && !errors.Is(err, context.Canceled) {
		d.log.Warn("passing on a voicemail's recording", "voicemail", vm.ID, "error", err)
	}
}

// voicemailDone is POST /desk/voicemails/{id}/done: the agent dealt with the message, with a note.
func (d *desk) voicemailDone(w http.ResponseWriter, r *http.Request, rq *request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such voicemail.")
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if note == "" {
		d.showVoicemails(w, r, rq, http.StatusUnprocessableEntity, &flash{Kind: "error", Text: "Write a note of what was done first."})
		return
	}
	if _, err := d.svc.VoicemailDone(r.Context(), rq.agent, id, note); err != nil {
		if domain.IsNotFound(err) || errors.Is(err, domain.ErrTaken) {
			d.showVoicemails(w, r, rq, http.StatusConflict, &flash{Kind: "error", Text: "This voicemail is no longer waiting."})
			return
		}
		d.internal(w, r, rq, "marking the voicemail done", err)
		return
	}
	d.setFlash(w, "ok", "Voicemail marked done.")
	http.Redirect(w, r, "/desk/voicemails", http.StatusSeeOther)
}
