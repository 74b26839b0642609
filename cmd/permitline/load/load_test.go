package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/domain/sqlite"
	"permitline/domain/sqlite/sqlitetest"
	"permitline/domain/vrm"
	"permitline/flows/entry"
	"permitline/ivr/speak"
)

// smallRun is one small in-process run, shared by the tests: a copy of its database for
// each test that corrupts one.
type smallRun struct {
	rep  Report
	path string
}

var (
	small    *smallRun
	smallDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDir != "" {
		os.RemoveAll(smallDir)
	}
	os.Exit(code)
}

func runSmall(t *testing.T) *smallRun {
	t.Helper()
	if small != nil {
		return small
	}
	var err error
	if smallDir, err = os.MkdirTemp("", "permitline-load-test-"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(smallDir, "line.db")
	rep, err := Run(context.Background(), Options{Calls: 60, Concurrency: 12, Residents: 80, Floors: false, Seed: 7,
		DBPath: path})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	small = &smallRun{rep: rep, path: path}
	return small
}

func TestSmallRunPassesItsOwnCheck(t *testing.T) {
	s := runSmall(t)
	rep := s.rep
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if !rep.OK() || rep.Failed != 0 || len(rep.Errors) != 0 || len(rep.ServerErrors) != 0 {
		t.Fatalf("want a clean run:\n%s", out.String())
	}
	if rep.Conversations != 60 || rep.Completed+refusedTotal(rep.Refused) != 60 {
		t.Fatalf("conversations %d, completed %d, refused %v", rep.Conversations, rep.Completed, rep.Refused)
	}
	for _, k := range Kinds {
		if rep.ByKind[k] == 0 {
			t.Errorf("no %s conversation in the mix: %v", k, rep.ByKind)
		}
	}
	steps := map[string]Latency{}
	for _, l := range rep.Steps {
		steps[l.Kind] = l
	}
	for _, k := range []string{"voice.incoming", "voice.pin", "voice.menu", "voice.vrm", "voice.date", "voice.confirm",
		"voice.cancel_confirm", "voice.pay", "voice.queue_wait", "voice.status", "sms.activate", "sms.cancel"} {
		if steps[k].Count == 0 || steps[k].P50 <= 0 || steps[k].Max < steps[k].P99 {
			t.Errorf("step %s: %+v", k, steps[k])
		}
	}
	if rep.Overall.Count != rep.Webhooks || rep.WebhooksPerSec <= 0 {
		t.Errorf("overall %+v, webhooks %d at %.0f/s", rep.Overall, rep.Webhooks, rep.WebhooksPerSec)
	}
	if _, ok := processCPU(); ok && rep.CPUPerWebhook <= 0 {
		t.Errorf("CPU time a webhook %s, want it measured in-process", rep.CPUPerWebhook)
	}
	cancelled, payments := 0, len(rep.Expect.Payments)
	for _, v := range rep.Expect.Visits {
		if v.Cancelled {
			cancelled++
		}
	}
	if cancelled == 0 || payments == 0 || rep.Check.Visits == 0 {
		t.Errorf("want visits heard cancelled (%d) and payments heard (%d)", cancelled, payments)
	}
	// The check run again on the untouched store finds nothing.
	res, err := Check(context.Background(), s.path, rep.Expect)
	if err != nil || !res.OK() {
		t.Fatalf("check again: %v %v", err, res.Mismatches)
	}
	var js bytes.Buffer
	if err := rep.PrintJSON(&js); err != nil || !strings.Contains(js.String(), `"webhooks_per_second"`) {
		t.Fatalf("JSON report: %v\n%s", err, js.String())
	}
}

// corrupted copies the small run's database, corrupts the copy with raw SQL and returns
// what the check then says.
func corrupted(t *testing.T, corrupt ...string) []string {
	t.Helper()
	s := runSmall(t)
	path := filepath.Join(t.TempDir(), "copy.db")
	copyFile(t, s.path, path)
	sqlitetest.Exec(t, path, corrupt...)
	res, err := Check(context.Background(), path, s.rep.Expect)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() {
		t.Fatalf("the check found nothing wrong after %q", corrupt)
	}
	t.Logf("mismatches: %q", res.Mismatches)
	return res.Mismatches
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		src, err := os.Open(from + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(to + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

func mustContain(t *testing.T, got []string, want ...string) {
	t.Helper()
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("want a mismatch containing %q; got:\n%s", w, all)
		}
	}
}

// heardActive returns a visit the small run heard and left active.
func heardActive(t *testing.T) ExpectedVisit {
	for _, v := range runSmall(t).rep.Expect.Visits {
		if !v.Cancelled {
			return v
		}
	}
	t.Fatal("no active visit heard")
	return ExpectedVisit{}
}

const visitCopy = `INSERT INTO visits (ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, status,
	created_at, cancelled_at, actor_kind, actor_id, actor_name, channel)
	SELECT 'XXXXXX', resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, '%s', created_at, '', actor_kind,
	actor_id, actor_name, channel FROM visits WHERE ref = '%s'`

func TestCheckCatchesADoubledVisit(t *testing.T) {
	v := heardActive(t)
	// A second visit for the same resident, registration and day, as a retried webhook
	// acted on twice would leave it (cancelled, as the schema forbids two active ones).
	got := corrupted(t, fmt.Sprintf(visitCopy, "cancelled", v.Ref))
	mustContain(t, got, "has 2 visits for "+v.VRM+" on "+v.Date, "visit XXXXXX ("+v.VRM+" on "+v.Date+
		") was stored during the run, but no conversation heard it")
}

func TestCheckCatchesAPermitWithSixVisits(t *testing.T) {
	v := heardActive(t)
	var qs []string
	// Five more active visits on the permit the heard visit used, on other days: six in all.
	for i := range 5 {
		qs = append(qs, `INSERT INTO visits (ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at,
			status, created_at, cancelled_at, actor_kind, actor_id, actor_name, channel)
			SELECT 'ZZZZZ`+string(rune('3'+i))+`', resident_id, permit_id, scheme_id, vrm, '2020-01-0`+string(rune('1'+i))+`',
			starts_at, ends_at, 'active', created_at, '', actor_kind, actor_id, actor_name, 'admin'
			FROM visits WHERE ref = '`+v.Ref+`'`)
	}
	got := corrupted(t, qs...)
	mustContain(t, got, "has 6 active visits; a permit carries 5", "has visits_used 1 but 6 active visits")
}

func TestCheckCatchesAPaymentWithoutPermits(t *testing.T) {
	got := corrupted(t, `INSERT INTO payments (resident_id, amount_pence, quantity, provider_ref, idempotency_key,
		channel, created_at) SELECT id, 1800, 1, 'ch_lost', 'lost-key', 'voice', created_at FROM residents LIMIT 1`)
	mustContain(t, got, "(ch_lost) is for 1 permits but 0 are stored",
		"(ch_lost) was stored during the run, but no call heard it taken")
}

func TestCheckCatchesAPaymentHeardButMissingAndAVisitNotCancelled(t *testing.T) {
	s := runSmall(t)
	var cancelled ExpectedVisit
	for _, v := range s.rep.Expect.Visits {
		if v.Cancelled {
			cancelled = v
		}
	}
	p := s.rep.Expect.Payments[0]
	got := corrupted(t,
		`UPDATE visits SET status = 'active', cancelled_at = '' WHERE ref = '`+cancelled.Ref+`'`,
		`UPDATE payments SET provider_ref = 'ch_other' WHERE provider_ref = '`+p.Code+`'`)
	mustContain(t, got, "visit "+cancelled.Ref+" is active; the "+string(cancelled.Kind)+" conversation heard it cancelled",
		"payment "+p.Code+" was heard taken; 0 payments carry its confirmation code")
}

func TestHistoryIsInsertedInTheDomainsShape(t *testing.T) {
	if testing.Short() {
		t.Skip("a second run")
	}
	path := filepath.Join(t.TempDir(), "line.db")
	rep, err := Run(context.Background(), Options{Calls: 12, Concurrency: 4, Residents: 10, History: 1203,
		Mix: Mix{Activate: 1, SMSActivate: 1}, DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var out bytes.Buffer
		_ = rep.Print(&out)
		t.Fatalf("run with history:\n%s", out.String())
	}
	// Every history payment is of one permit, stored; its visits are the active ones on
	// that permit, counted by visits_used, and are all the visits before the run.
	var payments, permits, active, used int
	err = sqlite.ReadLedger(context.Background(), path, func(l *sqlite.Ledger) error {
		history := map[int64]bool{}
		if err := l.EachPayment(func(p domain.Payment, n int) error {
			if strings.HasPrefix(p.ProviderRef, "HISTORY-") && p.Channel == domain.ChannelAdmin && p.Quantity == 1 {
				history[p.ID] = true
				payments++
				permits += n
			}
			return nil
		}); err != nil {
			return err
		}
		byPermit, err := l.ActiveVisitsByPermit()
		if err != nil {
			return err
		}
		return l.EachPermit(func(p domain.Permit) error {
			if history[p.PaymentID] {
				active += byPermit[p.ID]
				used += p.VisitsUsed
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if payments != 241 || permits != 241 || active != 1203 || used != 1203 || rep.Expect.VisitsBefore != 1203 {
		t.Fatalf("history: %d payments, %d permits, %d active visits, %d visits used, %d visits before the run; "+
			"want 241, 241, 1203, 1203, 1203", payments, permits, active, used, rep.Expect.VisitsBefore)
	}
}

func TestGeneratedNumbersAndRegistrationsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{0, 1, 96, 97, 12345, vrmHistory, vrmHistory + 999_999, vrmRun, vrmRun + 1_000_000*97 + 5000} {
		s := vrmFor(n)
		m, err := vrm.Parse(s)
		if err != nil || m.Format != vrm.Current || seen[s] {
			t.Errorf("vrmFor(%d) = %s: %v (format %s)", n, s, err, m.Format)
		}
		seen[s] = true
		if got, err := entry.DecodeKeypad(entry.EncodeKeypad(s)); err != nil || got != s {
			t.Errorf("%s keyed back as %s, %v", s, got, err)
		}
	}
	for _, i := range []int{0, 1, 1999, 999_999} {
		if e, err := phone.Parse(residentPhone(i)); err != nil || !phone.IsMobile(e) {
			t.Errorf("resident %d's phone %s: %v", i, residentPhone(i), err)
		}
	}
	refs := map[string]bool{}
	for g := range 100_000 {
		r := historyRef(g)
		if refs[r] {
			t.Fatalf("historyRef(%d) = %s again", g, r)
		}
		refs[r] = true
	}
}

func TestSpokenReferencesAreReadBack(t *testing.T) {
	heard := "Done. A, B, one, two. C, D, E has a visit tomorrow, Tuesday the first of December. Your reference is " +
		"K for Kilo, seven, P for Papa. nine, Q for Quebec, D for Delta. You have eight visits left."
	if ref, ok := spokenRef(heard); !ok || ref != "K7P9QD" {
		t.Fatalf("spokenRef = %q, %v", ref, ok)
	}
	// Every shape of reference, as the line speaks it: all digits, all letters, mixed.
	for _, want := range []string{"936794", "KAPQDE", "K7P9QD", "3AC944", "777AAA"} {
		said := "Done. Your reference is " + speak.Digits(want) + ". You have eight visits left."
		if ref, ok := spokenRef(said); !ok || ref != want {
			t.Errorf("spokenRef(%q) = %q, %v; want %s", said, ref, ok, want)
		}
	}
	menu := "Which visit would you like to cancel? For A, B, one, two. C, D, E tomorrow, Tuesday the first of December, " +
		"press 1. For K, X, six, five. A, B, C on Friday the fourth of December, press 2. To go back to the main menu, press 9."
	if k, ok := optionKey(menu, "For "+speak.Plate("KX65ABC")+" "); !ok || k != "2" {
		t.Fatalf("optionKey = %q, %v", k, ok)
	}
}

func TestMixIsParsedAndAssignedInProportion(t *testing.T) {
	m, err := ParseMix("activate=50,cancel=10,buy=10,agent=5,sms-activate=20,sms-cancel=5")
	if err != nil {
		t.Fatal(err)
	}
	count := map[Kind]int{}
	for _, k := range m.assign(2000, 1) {
		count[k]++
	}
	want := map[Kind]int{Activate: 1000, Cancel: 200, Buy: 200, Agent: 100, SMSActivate: 400, SMSCancel: 100}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d, want %d", k, count[k], n)
		}
	}
	if small := m.assign(7, 1); len(small) != 7 {
		t.Errorf("assign(7) gave %d", len(small))
	}
	for _, bad := range []string{"activate", "fly=3", "activate=-1", "activate=0"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, o := range []Options{
		{Concurrency: 10, Residents: 5},
		{URL: "http://127.0.0.1:8080"},                          // no database
		{URL: "http://example.com:8080", DBPath: "x.db"},        // not this machine
		{URL: "http://127.0.0.1:8080", DBPath: "x", History: 5}, // history needs in-process
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("Run(%+v) accepted", o)
		}
	}
}

func TestThinkTimePacesTheRun(t *testing.T) {
	const think = 20 * time.Millisecond
	o := Options{Calls: 4, Concurrency: 2, Residents: 4, Seed: 9, Think: think, Mix: Mix{Activate: 1, SMSActivate: 1}}
	rep, err := Run(context.Background(), o)
	var out bytes.Buffer
	if perr := rep.Print(&out); perr != nil {
		t.Fatal(perr)
	}
	t.Log("\n" + out.String())
	if err != nil || !rep.OK() || rep.Completed != o.Calls {
		t.Fatalf("want a clean run of %d conversations: %v", o.Calls, err)
	}
	// These conversations pause before every request but their first: the hold music of
	// a queue, fetched without a pause, is not in this mix.
	pauses := time.Duration(rep.Webhooks - rep.Conversations)
	if thought := time.Duration(rep.Thought); thought < pauses*think/2 || thought > pauses*think*3/2 {
		t.Errorf("%d pauses took %s in all; want %s give or take half each", pauses, thought, think)
	}
	// Each conversation at a time waits through its own pauses: the run takes at least
	// the pauses shared out among them.
	if least := time.Duration(rep.Thought) / time.Duration(o.Concurrency); time.Duration(rep.Elapsed) < least {
		t.Errorf("the run took %s; its pauses alone take %s", rep.Elapsed, Millis(least))
	}
	if !strings.Contains(out.String(), "think time 20.0ms") {
		t.Errorf("the report does not give the think time")
	}
}

func TestThinkTimesAreDrawnFromTheSeed(t *testing.T) {
	draws := func(seed uint64, i int) []time.Duration {
		c := &conv{think: 100 * time.Millisecond, pace: paceOf(seed, i)}
		var ds []time.Duration
		for range 20 {
			ds = append(ds, c.thinkTime())
		}
		return ds
	}
	a, again, other := draws(1, 3), draws(1, 3), draws(1, 4)
	if !slices.Equal(a, again) || slices.Equal(a, other) {
		t.Fatalf("the same seed and conversation must draw the same pauses, another conversation others:\n%v\n%v\n%v",
			a, again, other)
	}
	for _, d := range a {
		if d < 50*time.Millisecond || d >= 150*time.Millisecond {
			t.Errorf("a pause of %s for a think time of 100ms", d)
		}
	}
}
