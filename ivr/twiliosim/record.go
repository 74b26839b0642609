package twiliosim

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// unfollowed are Twilio's verbs the simulation does not follow: it passes over them, noting
// each in Turn.Skipped, where Twilio would do something the simulation cannot.
var unfollowed = []string{"Connect", "Refer", "Start", "Stop", "Sms", "Echo"}

// recordWait is what a call waits for at a <Record>: the caller's message.
func recordWait(v *node) Wait {
	return Wait{Kind: "record", FinishOnKey: v.attr("finishOnKey", "1234567890*#")}
}

// Record answers the <Record> with a message, as if spoken, ended by a key: Twilio posts
// RecordingUrl, RecordingDuration, RecordingSid and Digits to the action (by default the
// document) and, when recordingStatusCallback is set, the recording's status to it. An
// empty message records nothing: the action is not requested, and the call goes on to
// the next verb, as Twilio does with an empty recording.
// https://www.twilio.com/docs/voice/twiml/record#attributes-action
// https://www.twilio.com/docs/voice/twiml/record#attributes-recording-status-callback
func (c *Call) Record(ctx context.Context, message string) (Turn, error) {
	r, err := c.expect("Record")
	if err != nil {
		return Turn{}, err
	}
	words := len(strings.Fields(message))
	if words == 0 {
		c.waiting = nil
		return c.run(ctx)
	}
	recSid := sid("RE")
	recURL := "https://api.twilio.com/" + apiVersion + "/Accounts/" + c.cfg.AccountSid + "/Recordings/" + recSid
	duration := strconv.Itoa(max(1, (words*2+4)/5)) // about 150 words a minute
	if cb := r.attr("recordingStatusCallback", ""); cb != "" {
		u, err := resolve(c.waitDoc, cb)
		if err == nil {
			p := c.params()
			p.Set("RecordingSid", recSid)
			p.Set("RecordingUrl", recURL)
			p.Set("RecordingStatus", "completed")
			p.Set("RecordingDuration", duration)
			p.Set("RecordingChannels", "1")
			p.Set("RecordingSource", "RecordVerb")
			p.Set("RecordingStartTime", time.Now().UTC().Format(time.RFC1123Z))
			p.Set("ErrorCode", "0")
			err = c.notify(ctx, r.attr("recordingStatusCallbackMethod", http.MethodPost), u, p)
		}
		if err != nil {
			return c.fail(ctx, err)
		}
	}
	p := c.params()
	p.Set("RecordingUrl", recURL)
	p.Set("RecordingDuration", duration)
	p.Set("RecordingSid", recSid)
	finish := r.attr("finishOnKey", "1234567890*#")
	if finish == "" {
		p.Set("Digits", "hangup")
	} else {
		p.Set("Digits", finish[:1])
	}
	return c.answer(ctx, r, p)
}

// dialParams returns the parameters of a Dial's action: how the other leg ended
// (DialCallStatus), its CallSid, and, once it was answered, how long it lasted.
// https://www.twilio.com/docs/voice/twiml/dial#action
func (c *Call) dialParams(status string) url.Values {
	p := c.params()
	p.Set("DialCallStatus", status)
	p.Set("DialCallSid", sid("CA"))
	bridged := status == "completed" || status == "answered"
	p.Set("DialBridged", strconv.FormatBool(bridged))
	if bridged {
		p.Set("DialCallDuration", strconv.Itoa(int(time.Since(c.dialed).Seconds())))
	}
	return p
}
