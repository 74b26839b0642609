package twiliosim

import (
	"context"
	"testing"
)

func TestRecordSendsTheActionAndTheRecordingStatus(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		voicePath:    `<Response><Say>Leave a message.</Say><Record action="/vm" recordingStatusCallback="/vm/status" finishOnKey="#"/></Response>`,
		"/vm":        `<Response><Say>Thank you.</Say><Hangup/></Response>`,
		"/vm/status": "",
	})
	ctx := context.Background()
	call, err := Dial(ctx, f.config())
	if err != nil {
		t.Fatal(err)
	}
	turn, err := call.Next(ctx)
	if err != nil || turn.Wait.Kind != "record" {
		t.Fatalf("at the Record: %+v %v", turn, err)
	}
	turn, err = call.Record(ctx, "please call me back about my permit")
	if err != nil || !turn.Ended || len(turn.Said) != 1 || turn.Said[0] != "Thank you." {
		t.Fatalf("after the message: %+v %v", turn, err)
	}
	status, action := f.last("/vm/status").form, f.last("/vm").form
	if status.Get("RecordingStatus") != "completed" || status.Get("RecordingSid") == "" ||
		status.Get("RecordingSid") != action.Get("RecordingSid") || status.Get("RecordingUrl") != action.Get("RecordingUrl") {
		t.Fatalf("the recording status callback %v, the action %v", status, action)
	}
	if action.Get("RecordingDuration") != "3" || action.Get("Digits") != "#" || action.Get("CallSid") != call.Sid() {
		t.Fatalf("the Record's action: %v", action)
	}
}

func TestAnEmptyRecordingGoesOnWithoutTheAction(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		voicePath: `<Response><Record action="/vm"/><Say>No message.</Say></Response>`,
	})
	ctx := context.Background()
	call, _ := Dial(ctx, f.config())
	if _, err := call.Next(ctx); err != nil {
		t.Fatal(err)
	}
	turn, err := call.Record(ctx, "  ")
	if err != nil || !turn.Ended || len(turn.Said) != 1 || turn.Said[0] != "No message." {
		t.Fatalf("after an empty recording: %+v %v", turn, err)
	}
}

func TestGatherInAWaitURL(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		voicePath: `<Response><Enqueue waitUrl="/wait" action="/left">helpdesk</Enqueue></Response>`,
		"/wait":   `<Response><Gather numDigits="1" action="/keep"><Say>Press 1 to be called back.</Say></Gather></Response>`,
		"/keep":   `<Response><Say>We will call you back.</Say><Leave/></Response>`,
		"/left":   `<Response><Hangup/></Response>`,
	})
	ctx := context.Background()
	call, _ := Dial(ctx, f.config())
	turn, err := call.Next(ctx)
	// Still waiting in the queue, and able to press a key.
	if err != nil || turn.Wait.Kind != "queue" || turn.Wait.NumDigits != 1 {
		t.Fatalf("in the queue's wait music: %+v %v", turn, err)
	}
	turn, err = call.Press(ctx, "1")
	if err != nil || !turn.Ended || len(turn.Said) != 1 {
		t.Fatalf("after pressing 1: %+v %v", turn, err)
	}
	if got := f.last("/left").form.Get("QueueResult"); got != "leave" {
		t.Fatalf("QueueResult %q, want leave", got)
	}
}

func TestDialActionHearsTheDuration(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		voicePath: `<Response><Dial action="/dialed"><Number>+447700900501</Number></Dial></Response>`,
		"/dialed": `<Response><Hangup/></Response>`,
	})
	ctx := context.Background()
	call, _ := Dial(ctx, f.config())
	if _, err := call.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := call.EndDial(ctx, "completed"); err != nil {
		t.Fatal(err)
	}
	p := f.last("/dialed").form
	if p.Get("DialCallStatus") != "completed" || p.Get("DialCallDuration") != "0" || p.Get("DialBridged") != "true" {
		t.Fatalf("the Dial's action: %v", p)
	}
}

func TestAVerbNotFollowedIsPassedOver(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		voicePath: `<Response><Start><Stream url="wss://example.org"/></Start><Say>Hello.</Say></Response>`,
	})
	ctx := context.Background()
	call, _ := Dial(ctx, f.config())
	turn, err := call.Next(ctx)
	if err != nil || len(turn.Skipped) != 1 || turn.Skipped[0] != "Start" || len(turn.Said) != 1 {
		t.Fatalf("%+v %v", turn, err)
	}
}
