package ivr

import (
	"context"
	"fmt"
	"log/slog"

	"permitline/domain"
)

// RecordingPath is where Twilio reports a message's recording (the <Record>'s
// recordingStatusCallback).
const RecordingPath = "/twilio/voice/recording"

// Recording answers POST /twilio/voice/recording, Twilio's recording status callback for a
// message left out of hours (R25): it fills in the call's message, which waits for an agent
// once the recording is completed, whether the <Record> action came first or not. A
// repeated callback changes nothing more. The answer is empty: Twilio reads none.
func (h *Handler) Recording(ctx context.Context, log *slog.Logger, f RecordingForm) (string, error) {
	log = log.With("recording_sid", f.RecordingSid, "recording_status", f.RecordingStatus)
	in := domain.VoicemailIn{CallSid: f.CallSid, RecordingSid: f.RecordingSid, RecordingURL: f.RecordingURL,
		Duration: f.RecordingDuration, Available: f.RecordingStatus == "completed"}
	if !in.Available {
		// An absent or failed recording is no message; the URL of one is nothing to hear.
		in.RecordingURL = ""
		log.Warn("a message's recording is not available", "error_code", f.ErrorCode)
	}
	var v domain.Voicemail
	if err := h.svc.Update(ctx, func(op *domain.Op) (err error) { v, err = op.RecordVoicemail(in); return err }); err != nil {
		return "", fmt.Errorf("recording a message's recording: %w", err)
	}
	log.Info("a message's recording reported", "voicemail_id", v.ID, "voicemail_status", v.Status)
	return "", nil
}
