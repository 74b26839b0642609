package sms_test

import (
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/ivr/twiliosim"
)

// TestLockedOutOnThePhoneCanStillText: three wrong PINs lock the phone line, not texts:
// the resident texts VISITOR AB12CDE and gets the visit.
func TestLockedOutOnThePhoneCanStillText(t *testing.T) {
	l := servertest.New(t, monday)
	c, err := twiliosim.Dial(l.Ctx, l.Sim(alex, "+443455207007"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	var heard string
	for _, p := range []string{"1111#", "2222#", "3333#"} {
		turn, err := c.Press(l.Ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		heard = strings.Join(turn.Said, " ")
	}
	if !strings.Contains(heard, "locked until") {
		t.Fatalf("after three wrong PINs the caller heard: %s", heard)
	}
	reply := texter{l, alex}.send("VISITOR AB12CDE")
	if !strings.HasPrefix(reply, "Booked: AB12 CDE") {
		t.Fatalf("a text after a phone lockout got: %s", reply)
	}
	found := false
	for _, v := range l.Upcoming("Alex Morgan") {
		found = found || (v.VRM == "AB12CDE" && v.By.Channel == "sms")
	}
	if !found {
		t.Fatal("no visit for AB12CDE booked by text")
	}
}
