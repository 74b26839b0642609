// Package outbound sends the texts the domain queues in its outbox (confirmations of
// visits activated or cancelled by phone or by an agent, and the morning reminder of a
// visit booked ahead) through Twilio's REST API, and records what became of them.
//
// # How a text goes out
//
// Flush makes one pass. In one write transaction it claims the texts that are due: for
// each it asks the Renderer for the words (a text no longer wanted, such as the reminder
// of a visit since cancelled, and a text to a number that has opted out, are marked
// skipped), and marks the rest "sending" with their words. Then, outside any transaction,
// it asks Twilio to send each one, and records the answer in a transaction of its own:
// "sent" with Twilio's message SID, or, on an error from the API or the network, back to
// "pending" with a later next try (5 s, 10 s, 20 s ... doubling to at most 10 minutes),
// until MaxAttempts failures make it "failed". Errors Twilio gives for a request that can
// never succeed (an invalid or non-mobile number, a body too long) fail the text at once;
// error 21610 (the recipient replied STOP to the line) skips it and records the opt-out,
// as does a status callback carrying ErrorCode 21610.
//
// # At least once, and the trade-off
//
// A text left "sending" (the process stopped between claiming it and recording Twilio's
// answer) is due again StaleAfter (2 minutes) after it was claimed, and is sent again. So
// that this does not send twice a text Twilio did accept, every message carries a status
// callback URL naming its outbox row (?outbox=ID): Twilio's first delivery report marks
// the row "sent" with its SID even though the sender never recorded the answer, and a row
// marked sent is never sent again. A text is therefore sent twice only when Twilio
// accepted it, its answer was lost, and its status callback was lost or came more than
// two minutes late as well. The same holds for a request that timed out after Twilio
// accepted it: it is retried after its backoff unless a callback has marked it sent.
// Losing a text altogether is not possible while the database survives: a text is only
// ever marked sent on Twilio's word.
//
// CreateMessage in twilio-go takes no context, so an HTTP request cannot be cancelled;
// the HTTP client's timeout (twilioapi's 10 s by default) bounds it. A pass that runs for longer than
// half of StaleAfter hands back the texts it has not yet sent, so another sender cannot
// take them as stale while this one still holds them.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/sms"
)

// Messages is the part of Twilio's REST API the sender uses: twilio-go's Api service
// (twilio.RestClient.Api), built by the wiring with the account's credentials and the
// HTTP client its requests go through (Twilio, or in tests and the demo a local fake).
type Messages interface {
	CreateMessage(params *openapi.CreateMessageParams) (*openapi.ApiV2010Message, error)
}

// Renderer chooses the words of a text at the moment it is sent, reading what it needs
// through r (the transaction that claims the text). send false means the text is no
// longer wanted (the reminder of a visit since cancelled): it is marked skipped. An error
// counts as a failed attempt, retried like a failure to reach Twilio. It runs inside the
// claiming write transaction: it must be quick and must not start a transaction itself.
type Renderer func(r domain.Reader, m domain.Outgoing, now time.Time) (body string, send bool, err error)

// Config is what a Sender is built from.
type Config struct {
	// API sends the texts: twilio-go's REST client for the account. Its HTTP client's
	// timeout bounds a request, as CreateMessage takes no context.
	API Messages
	// From is the line's number or short code in E.164 form; a Messaging Service SID
	// ("MG...") is sent as MessagingServiceSid instead.
	From string
	// StatusCallback is the absolute URL of the delivery status callback, e.g.
	// https://host/twilio/sms/status; each message adds ?outbox=ID to it. Empty: none.
	StatusCallback string
	// Batch is how many texts one pass claims; 0 means DefaultBatch.
	Batch int
	// MaxAttempts is how many failed attempts make a text failed; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// SendErrored, when set, is called once for each request to send a text that failed
	// (an error from the API or the network), for the line's metrics.
	SendErrored func()
}

// Defaults.
const (
	DefaultBatch       = 20
	DefaultMaxAttempts = 8
	DefaultEvery       = 5 * time.Second
)

// StaleAfter is how long a text may stay "sending" before it is taken to have been
// abandoned by a sender that stopped, and is sent again.
const StaleAfter = 2 * time.Minute

// Backoff bounds: the first retry waits FirstRetry, each further one twice as long, up to MaxRetry.
const (
	FirstRetry = 5 * time.Second
	MaxRetry   = 10 * time.Minute
)

// CallbackParam is the query parameter of the status callback URL that names the outbox row.
const CallbackParam = sms.OutboxParam

// Twilio error codes the sender treats specially.
const (
	codeUnsubscribed = 21610 // the recipient replied STOP to the sender
)

// permanent are Twilio error codes for a request that can never succeed as it stands.
var permanent = map[int]bool{
	21211: true, // invalid 'To' number
	21602: true, // body required
	21604: true, // 'To' required
	21612: true, // cannot route to this number
	21614: true, // 'To' is not a mobile number
	21617: true, // body exceeds the maximum length
}

// Sender sends the outbox's texts. Its methods are safe for concurrent use.
type Sender struct {
	cfg      Config
	svc      *domain.Service
	render   Renderer
	log      *slog.Logger
	api      Messages
	callback *url.URL // nil: no status callback
}

// New returns a Sender sending through cfg.API. log nil means slog.Default().
func New(cfg Config, svc *domain.Service, render Renderer, log *slog.Logger) *Sender {
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Sender{cfg: cfg, svc: svc, render: render, log: log, api: cfg.API}
	if cfg.StatusCallback != "" {
		u, err := url.Parse(cfg.StatusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			log.Error("sms status callback URL is not an absolute http(s) URL; texts are sent without one",
				"url", cfg.StatusCallback)
		} else {
			s.callback = u
		}
	}
	return s
}

// Flush makes one pass over the outbox: it claims the texts due now, sends them, and
// records the answers. It returns how many Twilio accepted. A failure to send one text is
// recorded on it and logged, not returned; the error is the store's, or ctx's when it
// was cancelled (texts claimed but not yet sent are handed back).
func (s *Sender) Flush(ctx context.Context) (sent int, err error) {
	sent, _, err = s.flush(ctx)
	return sent, err
}

func (s *Sender) flush(ctx context.Context) (sent, taken int, err error) {
	claimed, taken, err := s.claim(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("claiming texts to send: %w", err)
	}
	var errs []error
	for i, m := range claimed {
		if err := ctx.Err(); err != nil || s.svc.Now().Sub(m.UpdatedAt) > StaleAfter/2 {
			if rerr := s.release(context.WithoutCancel(ctx), claimed[i:]); rerr != nil {
				errs = append(errs, rerr)
			}
			if err != nil {
				errs = append(errs, err)
			} else {
				s.log.Warn("sms pass too slow: handing back the texts not yet sent", "texts", len(claimed)-i)
			}
			break
		}
		ok, err := s.send(context.WithoutCancel(ctx), m)
		if ok {
			sent++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return sent, taken, errors.Join(errs...)
}

// claim marks the texts due now "sending" with their words, skipping those no longer to
// be sent, in one transaction, and returns the claimed ones and how many due texts it
// took (claimed, skipped or failed).
func (s *Sender) claim(ctx context.Context) ([]domain.Outgoing, int, error) {
	var claimed []domain.Outgoing
	var taken int
	err := s.svc.Update(ctx, func(op *domain.Op) error {
		claimed = claimed[:0]
		tx, now := op.Tx(), op.Now()
		due, err := tx.DueOutgoing(now, now.Add(-StaleAfter), s.cfg.Batch)
		if err != nil {
			return err
		}
		taken = len(due)
		for _, m := range due {
			take, err := s.prepare(tx, &m, now)
			if err != nil {
				return err
			}
			if err := tx.UpdateOutgoing(m); err != nil {
				return fmt.Errorf("updating text %d: %w", m.ID, err)
			}
			if take {
				claimed = append(claimed, m)
			}
		}
		return nil
	})
	return claimed, taken, err
}

// prepare decides what becomes of a due text in the claiming transaction, changing m; it
// reports whether m is to be sent now. An error is the store's.
func (s *Sender) prepare(tx domain.Tx, m *domain.Outgoing, now time.Time) (bool, error) {
	m.UpdatedAt = now
	if m.Status == domain.OutboxSending {
		// Its sender stopped before recording Twilio's answer, and no status callback has
		// said Twilio has it: count the attempt, and send it again.
		m.Attempts++
		m.LastError = "the sender stopped before recording the provider's answer"
		if m.Attempts >= s.cfg.MaxAttempts {
			m.Status = domain.OutboxFailed
			s.log.Error("sms text left sending too often; giving up", s.attrs(*m)...)
			return false, nil
		}
		s.log.Warn("sms text left sending by a stopped sender; sending it again", s.attrs(*m)...)
	}
	out, err := tx.OptedOut(m.To)
	if err != nil {
		return false, fmt.Errorf("checking the opt-out of text %d: %w", m.ID, err)
	}
	if out {
		m.Status, m.LastError = domain.OutboxSkipped, "opted out"
		s.log.Info("sms text skipped: the number opted out", s.attrs(*m)...)
		return false, nil
	}
	body, send, err := s.render(tx, *m, now)
	switch {
	case err != nil:
		s.failed(m, now, "rendering: "+err.Error(), false)
		return false, nil
	case !send:
		m.Status, m.LastError = domain.OutboxSkipped, "no longer to be sent"
		s.log.Info("sms text skipped: no longer to be sent", s.attrs(*m)...)
		return false, nil
	case strings.TrimSpace(body) == "":
		s.failed(m, now, "rendering: the text has no words", false)
		return false, nil
	}
	m.Status, m.Body = domain.OutboxSending, body
	return true, nil
}

// failed records a failed attempt on m: back to pending with a later next try, or failed
// for good when the attempts are used up or final is set. It reports whether m failed for good.
func (s *Sender) failed(m *domain.Outgoing, now time.Time, why string, final bool) bool {
	m.Attempts++
	m.LastError = why
	m.UpdatedAt = now
	if final || m.Attempts >= s.cfg.MaxAttempts {
		m.Status = domain.OutboxFailed
		s.log.Error("sms text failed; giving up", append(s.attrs(*m), "err", why)...)
		return true
	}
	m.Status, m.NextTry = domain.OutboxPending, now.Add(Backoff(m.Attempts))
	s.log.Warn("sms text not sent; will retry", append(s.attrs(*m), "err", why, "next_try", m.NextTry)...)
	return false
}

// Backoff is the wait before the next try after the n-th failed attempt: FirstRetry,
// doubling with each attempt, at most MaxRetry.
func Backoff(n int) time.Duration {
	d := FirstRetry
	for i := 1; i < n && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

// send asks Twilio to send a claimed text and records the answer. It reports whether
// Twilio accepted it; the error is the store's.
func (s *Sender) send(ctx context.Context, m domain.Outgoing) (bool, error) {
	p := &openapi.CreateMessageParams{}
	p.SetTo(m.To).SetBody(m.Body)
	if strings.HasPrefix(s.cfg.From, "MG") {
		p.SetMessagingServiceSid(s.cfg.From)
	} else {
		p.SetFrom(s.cfg.From)
	}
	if cb := s.callbackURL(m.ID); cb != "" {
		p.SetStatusCallback(cb)
	}
	msg, err := s.api.CreateMessage(p)
	if err == nil && (msg == nil || msg.Sid == nil || *msg.Sid == "") {
		err = errors.New("the provider's answer has no message SID")
	}
	if err != nil {
		if s.cfg.SendErrored != nil {
			s.cfg.SendErrored()
		}
		return false, s.recordFailure(ctx, m, err)
	}
	status := ""
	if msg.Status != nil {
		status = *msg.Status
	}
	return true, s.recordSent(ctx, m, *msg.Sid, status)
}

func (s *Sender) callbackURL(id int64) string {
	if s.callback == nil {
		return ""
	}
	u := *s.callback
	q := u.Query()
	q.Set(CallbackParam, strconv.FormatInt(id, 10))
	u.RawQuery = q.Encode()
	return u.String()
}

// ours reports whether cur is still the text this sender claimed as m: still sending,
// and claimed at the same instant. The store may keep instants less precisely than the
// clock gives them (SQLite: microseconds), hence the tolerance; two claims of one text
// are at least StaleAfter apart.
func ours(cur, m domain.Outgoing) bool {
	d := cur.UpdatedAt.Sub(m.UpdatedAt)
	return cur.Status == domain.OutboxSending && d > -claimTolerance && d < claimTolerance
}

const claimTolerance = time.Second

func (s *Sender) recordSent(ctx context.Context, m domain.Outgoing, sid, status string) error {
	err := s.svc.Update(ctx, func(op *domain.Op) error {
		cur, err := op.Tx().OutgoingByID(m.ID)
		if err != nil {
			return err
		}
		if cur.Status == domain.OutboxSent && cur.ProviderSid != "" && cur.ProviderSid != sid {
			s.log.Warn("sms text sent twice: the provider already had it", append(s.attrs(cur),
				"sid", sid, "first_sid", cur.ProviderSid)...)
			return nil
		}
		if !ours(cur, m) && cur.Status != domain.OutboxSent {
			s.log.Warn("sms text changed while it was being sent; recording it as sent", append(s.attrs(cur),
				"status", cur.Status)...)
		}
		cur.Status, cur.ProviderSid, cur.UpdatedAt = domain.OutboxSent, sid, op.Now()
		if cur.Body == "" {
			cur.Body = m.Body
		}
		if rank(status) > rank(cur.DeliveryStatus) {
			cur.DeliveryStatus = status
		}
		return op.Tx().UpdateOutgoing(cur)
	})
	if err != nil {
		// Twilio has it; the row stays "sending" and its status callback will mark it sent.
		return fmt.Errorf("recording text %d as sent (provider sid %s): %w", m.ID, sid, err)
	}
	s.log.Info("sms text sent", append(s.attrs(m), "sid", sid, "attempt", m.Attempts+1)...)
	return nil
}

func (s *Sender) recordFailure(ctx context.Context, m domain.Outgoing, sendErr error) error {
	why, final, optedOut := s.classify(sendErr, m.To)
	err := s.svc.Update(ctx, func(op *domain.Op) error {
		cur, err := op.Tx().OutgoingByID(m.ID)
		if err != nil {
			return err
		}
		if !ours(cur, m) {
			// A status callback has marked it sent, or another sender has taken it.
			s.log.Warn("sms text changed while it was being sent; leaving it", append(s.attrs(cur),
				"status", cur.Status, "err", why)...)
			return nil
		}
		if optedOut {
			cur.Status, cur.LastError, cur.UpdatedAt = domain.OutboxSkipped, why, op.Now()
			s.log.Info("sms text skipped: the provider says the number opted out", s.attrs(cur)...)
			if err := op.Tx().UpdateOutgoing(cur); err != nil {
				return err
			}
			return op.SetOptOut(cur.To, true)
		}
		s.failed(&cur, op.Now(), why, final)
		return op.Tx().UpdateOutgoing(cur)
	})
	if err != nil {
		return fmt.Errorf("recording the failure of text %d: %w", m.ID, err)
	}
	return nil
}

// classify describes a failure to send (with the recipient's number masked), and says
// whether it can never succeed and whether the provider says the number opted out.
func (s *Sender) classify(err error, to string) (why string, final, optedOut bool) {
	why = strings.ReplaceAll(err.Error(), to, phone.Mask(to))
	var te *twclient.TwilioRestError
	if errors.As(err, &te) {
		why = fmt.Sprintf("HTTP %d, Twilio error %d: %s", te.Status, te.Code, strings.ReplaceAll(te.Message, to, phone.Mask(to)))
		return why, permanent[te.Code], te.Code == codeUnsubscribed
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		why = "timed out: " + why
	}
	return why, false, false
}

// release hands claimed texts back as pending, due at once, without counting an attempt.
func (s *Sender) release(ctx context.Context, ms []domain.Outgoing) error {
	return s.svc.Update(ctx, func(op *domain.Op) error {
		for _, m := range ms {
			cur, err := op.Tx().OutgoingByID(m.ID)
			if err != nil {
				return err
			}
			if !ours(cur, m) {
				continue
			}
			cur.Status, cur.NextTry, cur.UpdatedAt = domain.OutboxPending, op.Now(), op.Now()
			if err := op.Tx().UpdateOutgoing(cur); err != nil {
				return err
			}
		}
		return nil
	})
}

// Run makes a pass every interval (DefaultEvery if every is not positive), at once again
// after a pass that claimed a full batch, until ctx is done.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultEvery
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sent, taken, err := s.flush(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("sms outbox pass failed", "err", err, "sent", sent)
		}
		wait := every
		if err == nil && taken >= s.cfg.Batch {
			wait = 0
		}
		t.Reset(wait)
	}
}

// RecordStatus records Twilio's delivery status callback for a text the sender sent (the
// form of a request already checked as Twilio's): MessageStatus (queued, sending, sent,
// delivered, undelivered, failed; a later report never overwritten by an earlier one
// arriving late) and ErrorCode on the outbox row with that MessageSid, or, when the sender
// never recorded Twilio's answer, on the row the ?outbox= parameter names, which it then
// marks sent. ErrorCode 21610 (the recipient has opted out) records the opt-out of the
// row's number, which drops its queued texts. A message it does not know changes nothing.
func (s *Sender) RecordStatus(ctx context.Context, f sms.StatusForm) error {
	sid, status, code, id := f.MessageSid, f.MessageStatus, f.ErrorCode, f.Outbox
	var found bool
	var optedOut string
	err := s.svc.Update(ctx, func(op *domain.Op) error {
		found, optedOut = false, "" // a store may run fn again: only the last run counts
		tx := op.Tx()
		m, err := tx.OutgoingByProviderSid(sid)
		if errors.Is(err, domain.ErrNotFound) && id > 0 {
			m, err = tx.OutgoingByID(id)
			if err == nil && m.ProviderSid != "" {
				// The row has another message's SID: this one is a second sending of it.
				s.log.Warn("sms status of a second message for one text", append(s.attrs(m),
					"sid", sid, "first_sid", m.ProviderSid, "status", status)...)
				if code == strconv.Itoa(codeUnsubscribed) {
					optedOut = m.To
					return op.SetOptOut(m.To, true)
				}
				return nil
			}
		}
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if m.ProviderSid == "" {
			m.ProviderSid = sid
		}
		if m.Status != domain.OutboxSent {
			// Twilio has the message whatever the row says: it must not be sent again.
			s.log.Info("sms text marked sent by its status callback", append(s.attrs(m), "was", m.Status, "sid", sid)...)
			m.Status = domain.OutboxSent
		}
		if rank(status) >= rank(m.DeliveryStatus) {
			m.DeliveryStatus = status
		}
		if code != "" && code != "0" {
			m.LastError = "delivery: " + status + ", Twilio error " + code
		}
		m.UpdatedAt = op.Now()
		if err := tx.UpdateOutgoing(m); err != nil {
			return err
		}
		if code == strconv.Itoa(codeUnsubscribed) {
			// A Messaging Service reports the opt-out in the callback rather than in the
			// answer to the request: the number is sent nothing more, as after a STOP.
			optedOut = m.To
			return op.SetOptOut(m.To, true)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording the status %s of sms %s: %w", status, sid, err)
	}
	if optedOut != "" {
		s.log.Info("sms opt-out recorded: the provider says the number opted out", "sid", sid, "to", phone.Mask(optedOut))
	}
	if !found {
		s.log.Info("sms status callback for an unknown message", "sid", sid, "status", status)
	} else if status == "undelivered" || status == "failed" {
		s.log.Warn("sms text not delivered", "sid", sid, "status", status, "error_code", code)
	}
	return nil
}

// rank orders Twilio's message statuses, so a report arriving late does not overwrite a later one.
func rank(status string) int {
	switch status {
	case "":
		return 0
	case "accepted", "scheduled", "queued":
		return 1
	case "sending":
		return 2
	case "sent":
		return 3
	case "delivered", "undelivered", "failed", "canceled":
		return 4
	case "read":
		return 5
	}
	return 1
}

func (s *Sender) attrs(m domain.Outgoing) []any {
	return []any{"outbox", m.ID, "kind", string(m.Kind), "to", phone.Mask(m.To), "attempts", m.Attempts}
}
