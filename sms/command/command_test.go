package command

import (
	"slices"
	"strings"
	"testing"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/vrm"
)

// today is Monday 30 November 2026 (London) throughout.
var today = calendar.Date{Year: 2026, Month: time.November, Day: 30}

func day(m time.Month, d int) calendar.Date { return calendar.Date{Year: 2026, Month: m, Day: d} }

var (
	tomorrow = day(time.December, 1) // Tuesday
	saturday = day(time.December, 5) // also 5/12, 5th December
	friday   = day(time.December, 4) // Friday 4 December
	sunday   = day(time.December, 6) // Sunday 6 December
	newYear  = calendar.Date{Year: 2027, Month: time.January, Day: 1}
	lateNov  = calendar.Date{Year: 2027, Month: time.November, Day: 29} // 29/11 has passed this year
)

func TestToday(t *testing.T) {
	if today.Weekday() != time.Monday {
		t.Fatalf("today %s is a %s, want Monday", today, today.Weekday())
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		body string
		want Command // Text defaults to the body, trimmed
	}{
		// VISITOR <reg> [date] (R12; RULES.md "Decisions recorded": the council's format).
		{"VISITOR AB12CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"visitor ab12 cde", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR: AB12-CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"Visitor AB12CDE please", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"Visitor AB12 CDE thanks x", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12CDE.", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12CDE!", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"  visitor   ab12cde  \n", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR,AB12CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITORAB12CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12 CDE 5/12", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR AB12CDE SAT", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR AB12 CDE 5th December", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"visitor ab12cde on the 5th of december", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR AB12CDE December 5th, 2026", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR AB12CDE 05/12/26", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR AB12CDE Friday please", Command{Kind: Activate, VRM: "AB12CDE", Date: friday}},
		{"VISITOR AB12CDE sun.", Command{Kind: Activate, VRM: "AB12CDE", Date: sunday}},
		{"VISITOR AB12CDE 1/1", Command{Kind: Activate, VRM: "AB12CDE", Date: newYear}},
		{"VISITOR AB12CDE 29/11", Command{Kind: Activate, VRM: "AB12CDE", Date: lateNov}},
		{"VISITOR AB12CDE tmrw", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow}},
		// Today, however it is said, is the zero Date: today, from now (R12).
		{"VISITOR AB12CDE today", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12CDE now please", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12CDE mon", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR AB12CDE 30/11", Command{Kind: Activate, VRM: "AB12CDE"}},
		// PARK is accepted as well.
		{"park ab12cde tomorrow", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow}},
		{"PARK AB12 CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		// Other UK formats, spaced as on the plate.
		{"VISITOR A123 BCD", Command{Kind: Activate, VRM: "A123BCD"}},
		{"VISITOR ABC 123D sat", Command{Kind: Activate, VRM: "ABC123D", Date: saturday}},
		{"VISITOR ABZ 1234", Command{Kind: Activate, VRM: "ABZ1234"}},
		{"VISITOR 1234 AB tomorrow", Command{Kind: Activate, VRM: "1234AB", Date: tomorrow}},
		{"visitor A1 sat", Command{Kind: Activate, VRM: "A1", Date: saturday}},
		// Typographic punctuation and odd spaces from phones.
		{"“VISITOR AB12–CDE”", Command{Kind: Activate, VRM: "AB12CDE", Text: `"VISITOR AB12-CDE"`}},
		{"VISITOR\u00a0AB12\u00a0CDE\u202ftomorrow", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow,
			Text: "VISITOR AB12 CDE tomorrow"}},
		{"VISITOR AB12CDE 5\u20136 Dec", Command{Kind: Activate, VRM: "AB12CDE", DateText: "5-6 Dec",
			Text: "VISITOR AB12CDE 5-6 Dec"}},
		{"VISITOR \u200bAB12CDE\ufeff", Command{Kind: Activate, VRM: "AB12CDE", Text: "VISITOR AB12CDE"}},
		// The date first, labels before the registration.
		{"VISITOR tomorrow AB12 CDE", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow}},
		{"PARK sat: ab12cde", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"VISITOR for AB12CDE on Saturday", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"Visitor reg AB12 CDE please", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"VISITOR please AB12CDE tomorrow", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow}},
		// Dates that cannot be read: DateText, and still an activation.
		{"VISITOR AB12CDE blah", Command{Kind: Activate, VRM: "AB12CDE", DateText: "blah"}},
		{"VISITOR AB12CDE next fri please", Command{Kind: Activate, VRM: "AB12CDE", DateText: "next fri"}},
		{"VISITOR AB12CDE 31/11", Command{Kind: Activate, VRM: "AB12CDE", DateText: "31/11"}},
		{"VISITOR AB12CDE 5 12", Command{Kind: Activate, VRM: "AB12CDE", DateText: "5 12"}},
		{"VISITOR AB12CDE 5/12/2025", Command{Kind: Activate, VRM: "AB12CDE", DateText: "5/12/2025"}},
		{"VISITOR AB12CDE today and tomorrow", Command{Kind: Activate, VRM: "AB12CDE", DateText: "today and tomorrow"}},
		{"VISITOR AB12CDE sat 6 dec", Command{Kind: Activate, VRM: "AB12CDE", DateText: "sat 6 dec"}},
		// Registrations vrm.Parse refuses are kept for the domain to explain.
		{"VISITOR AB00 CDE", Command{Kind: Activate, VRM: "AB00CDE"}},
		{"VISITOR AB12 CDI tomorrow", Command{Kind: Activate, VRM: "AB12CDI", Date: tomorrow}},
		{"VISITOR ABCDEFGH", Command{Kind: Activate, VRM: "ABCDEFGH"}},
		{"VISITOR hello", Command{Kind: Activate, VRM: "HELLO"}},
		{"VISITOR AB12/CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		// VISITOR without a registration: the conversation asks for it.
		{"VISITOR", Command{Kind: Activate}},
		{"Visitor?", Command{Kind: Activate}},
		{"VISITOR please", Command{Kind: Activate}},
		{"VISITOR tomorrow", Command{Kind: Activate, Date: tomorrow}},
		{"VISITOR 5 Dec", Command{Kind: Activate, Date: saturday}},
		// A bare registration, only when vrm.Parse accepts it.
		{"AB12CDE", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"ab12 cde", Command{Kind: Activate, VRM: "AB12CDE"}},
		{"ab12 cde tomorrow", Command{Kind: Activate, VRM: "AB12CDE", Date: tomorrow}},
		{"AB12-CDE 5th December.", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"sat AB12CDE", Command{Kind: Activate, VRM: "AB12CDE", Date: saturday}},
		{"AB12CDF please", Command{Kind: Activate, VRM: "AB12CDF"}},
		{"AB12CDI", Command{Kind: Unknown}},
		{"AB12CDE blah", Command{Kind: Unknown}},
		{"can 5 people park?", Command{Kind: Unknown}},
		{"Dec 5", Command{Kind: Unknown}}, // a date answer, not the dateless mark DEC5
		{"5 dec", Command{Kind: Unknown}},
		{"tomorrow", Command{Kind: Unknown}},
		{"today please", Command{Kind: Unknown}},
		{"hello", Command{Kind: Unknown}},
		{"", Command{Kind: Unknown}},
		{"   ", Command{Kind: Unknown}},
		// CANCEL <ref>, UNDO <ref>; bare CANCEL is the carrier's opt-out word.
		{"CANCEL K7P2QX", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"cancel k7p2qx", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"Cancel ref: K7P 2QX please", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"CANCEL visit #K7P2QX", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"CANCEL K7P-2QX.", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"CANCEL ABC", Command{Kind: Cancel, Ref: "ABC"}},
		{"cancel my visit", Command{Kind: Cancel}},
		{"UNDO K7P2QX", Command{Kind: Cancel, Ref: "K7P2QX"}},
		{"undo", Command{Kind: Cancel}},
		{"Undo.", Command{Kind: Cancel}},
		{"CANCEL", Command{Kind: OptOut}},
		{"cancel.", Command{Kind: OptOut}},
		{" Cancel !!", Command{Kind: OptOut}},
		// The other opt-out words, whole message only.
		{"STOP", Command{Kind: OptOut}},
		{"stop", Command{Kind: OptOut}},
		{"Stop!", Command{Kind: OptOut}},
		{"STOPALL", Command{Kind: OptOut}},
		{"Unsubscribe", Command{Kind: OptOut}},
		{"end", Command{Kind: OptOut}},
		{"QUIT.", Command{Kind: OptOut}},
		{"REVOKE", Command{Kind: OptOut}},
		{"OptOut", Command{Kind: OptOut}},
		{"revoke access", Command{Kind: Unknown}},
		{"STOP PARKING", Command{Kind: Unknown}},
		{"END VISIT", Command{Kind: Unknown}},
		{"stop all", Command{Kind: Unknown}},
		{"START", Command{Kind: OptIn}},
		{"unstop", Command{Kind: OptIn}},
		{"start visit", Command{Kind: Unknown}},
		// Queries.
		{"BALANCE", Command{Kind: Balance}},
		{"bal?", Command{Kind: Balance}},
		{"Balance please", Command{Kind: Balance}},
		{"VISITS", Command{Kind: Visits}},
		{"visits?", Command{Kind: Visits}},
		{"HOURS", Command{Kind: Hours}},
		{"Hours on Sunday?", Command{Kind: Hours}},
		{"HELP", Command{Kind: Help}},
		{"help!", Command{Kind: Help}},
		{"INFO", Command{Kind: Help}},
		{"?", Command{Kind: Help}},
		{" ?? ", Command{Kind: Help}},
		// Answers in a conversation.
		{"YES", Command{Kind: Yes}},
		{"y", Command{Kind: Yes}},
		{"Yep", Command{Kind: Yes}},
		{"yeah thanks", Command{Kind: Yes}},
		{"OK", Command{Kind: Yes}},
		{"Confirm.", Command{Kind: Yes}},
		{"NO", Command{Kind: No}},
		{"n", Command{Kind: No}},
		{"Nope", Command{Kind: No}},
		{"no, it's AB12 CDF", Command{Kind: No}},
		{"Y 123 ABC", Command{Kind: Unknown}}, // neither an answer nor a registration of 1 or 2 words
	}
	if len(tests) < 50 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		want := tt.want
		if want.Text == "" {
			want.Text = strings.TrimSpace(tt.body)
		}
		if got := Parse(tt.body, today); got != want {
			t.Errorf("Parse(%q) =\n  %+v, want\n  %+v", tt.body, got, want)
		}
	}
}

func TestOptOutWords(t *testing.T) {
	want := []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
	got := OptOutWords()
	if !slices.Equal(got, want) {
		t.Fatalf("OptOutWords() = %v, want %v", got, want)
	}
	got[0] = "CHANGED"
	if OptOutWords()[0] != "STOP" {
		t.Fatal("OptOutWords returns its own slice")
	}
	for _, w := range want {
		for _, body := range []string{w, strings.ToLower(w), " " + w + ". ", w + "!", "\u201c" + w + "\u201d"} {
			if !IsOptOutWord(body) {
				t.Errorf("IsOptOutWord(%q) = false", body)
			}
			if got := Parse(body, today).Kind; got != OptOut {
				t.Errorf("Parse(%q).Kind = %s, want %s", body, got, OptOut)
			}
		}
	}
	for _, body := range []string{"", "STOP PARKING", "END VISIT", "cancel K7P2QX", "UNDO", "START", "YES",
		"stops", "S T O P", "stop-all", "please stop", "opt out"} {
		if IsOptOutWord(body) {
			t.Errorf("IsOptOutWord(%q) = true", body)
		}
	}
}

func TestOptInWords(t *testing.T) {
	for _, body := range []string{"START", "start", "Unstop", "YES", "yes", " Yes! ", "\u201cYES\u201d"} {
		if !IsOptInWord(body) {
			t.Errorf("IsOptInWord(%q) = false", body)
		}
	}
	// YES is read as an answer: the channel decides when it is an opt-in.
	if k := Parse("YES", today).Kind; k != Yes {
		t.Errorf("Parse(YES).Kind = %s, want %s", k, Yes)
	}
	for _, body := range []string{"", "Y", "OK", "yes please", "YES AB12CDE", "start visit", "STOP", "confirm"} {
		if IsOptInWord(body) {
			t.Errorf("IsOptInWord(%q) = true", body)
		}
	}
}

// kinds are all the kinds Parse may return.
var kinds = []Kind{Activate, Cancel, Balance, Visits, Hours, Help, Yes, No, OptOut, OptIn, Unknown}

// isAlnum reports whether s is only A-Z and 0-9.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "VISITOR AB12CDE", "visitor ab12 cde tomorrow", "PARK AB12-CDE 5/12",
		"VISITOR AB12 CDE 5th December 2026", "VISITOR sat AB12CDE", "AB12CDE", "ab12 cde 1/1/27",
		"CANCEL", "CANCEL K7P2QX", "UNDO", "STOP", "stop parking", "START", "YES", "n", "?", "HELP",
		"BAL", "VISITS", "HOURS", "\u201cVISITOR AB12\u2013CDE\u201d", "VISITOR\u00a0AB12\u00a0CDE",
		"VISITORAB12CDE", "VISITOR 5/12/2025", "Dec 5", "\xff\xfe", "ＳＴＯＰ", "visitor ſtop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c := Parse(body, today)
		if !slices.Contains(kinds, c.Kind) {
			t.Fatalf("Parse(%q).Kind = %q", body, c.Kind)
		}
		if c.Kind == Activate && c.VRM != "" && (c.VRM != vrm.Normalise(c.VRM) || !isAlnum(c.VRM)) {
			t.Fatalf("Parse(%q).VRM = %q: not normalised A-Z and 0-9", body, c.VRM)
		}
		if !c.Date.IsZero() {
			if n := today.DaysUntil(c.Date); n < 0 || n > maxDateDays ||
				calendar.NewDate(c.Date.Year, c.Date.Month, c.Date.Day) != c.Date {
				t.Fatalf("Parse(%q).Date = %s: not a real date within %d days after %s", body, c.Date, maxDateDays, today)
			}
		}
		if (c.Kind == OptOut) != IsOptOutWord(body) {
			t.Fatalf("Parse(%q).Kind = %s, IsOptOutWord = %v", body, c.Kind, IsOptOutWord(body))
		}
		if c.Ref != "" && (c.Kind != Cancel || !isAlnum(c.Ref)) {
			t.Fatalf("Parse(%q) = %+v: bad Ref", body, c)
		}
		if c.Kind != Activate && (c.VRM != "" || !c.Date.IsZero() || c.DateText != "") {
			t.Fatalf("Parse(%q) = %+v: activation fields on a %s", body, c, c.Kind)
		}
		if c.Text != strings.TrimSpace(c.Text) {
			t.Fatalf("Parse(%q).Text = %q: not trimmed", body, c.Text)
		}
	})
}
