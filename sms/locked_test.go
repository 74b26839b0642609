package sms_test

import (
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
)

// TestLockedOutOnThePhoneCanStillText: three wrong PINs lock the phone line, not texts:
// the resident texts VISITOR AB12CDE and gets the visit.
func TestLockedOutOnThePhoneCanStillText(t *testing.T) {
	l := servertest.New(t, monday)
	heard := strings.Join(alexCalls(t, l, "1111#", "2222#", "3333#").Said, " ")
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
