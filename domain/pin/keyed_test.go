package pin

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestKeyedHashVerify(t *testing.T) {
	k := TestKeyed()
	hash, err := k.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "hmac1$"+k.Current.ID+"$") || strings.Contains(hash, "2580") {
		t.Errorf("hash %q: want hmac1$%s$... without the PIN", hash, k.Current.ID)
	}
	again, _ := k.Hash("2580")
	if again == hash {
		t.Error("two hashes of one PIN are equal: no salt")
	}
	for _, tt := range []struct {
		hash, pin string
		ok        bool
	}{
		{hash, "2580", true}, {hash, "2581", false}, {hash, "25800", false}, {hash, "", false},
		{"", "2580", false}, {"hmac1$x", "2580", false}, {hash[:len(hash)-2], "2580", false},
		{strings.Replace(hash, "$", "$$", 1), "2580", false},
	} {
		ok, stale, err := k.Verify(tt.hash, tt.pin)
		if ok != tt.ok || stale || (err != nil && tt.hash == hash) {
			t.Errorf("Verify(%q, %q) = %v, %v, %v; want %v", tt.hash, tt.pin, ok, stale, err, tt.ok)
		}
	}
}

func TestKeyedRotation(t *testing.T) {
	oldKey, _, _ := NewRandomKey()
	newKey, _, _ := NewRandomKey()
	old := NewKeyed(oldKey)
	hash, err := old.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	rotated := NewKeyed(newKey, oldKey)
	if ok, stale, err := rotated.Verify(hash, "2580"); !ok || !stale || err != nil {
		t.Errorf("old key's hash under rotation = %v, %v, %v; want ok and stale", ok, stale, err)
	}
	if ok, stale, err := rotated.Verify(hash, "2581"); ok || stale || err != nil {
		t.Errorf("wrong PIN under rotation = %v, %v, %v", ok, stale, err)
	}
	// A hash under a key the line no longer holds says so, rather than "wrong PIN".
	if _, _, err := NewKeyed(newKey).Verify(hash, "2580"); err == nil || strings.Contains(err.Error(), "2580") {
		t.Errorf("unknown key: err %v", err)
	}
}

func TestKeyedLegacyBcrypt(t *testing.T) {
	legacy, err := Hasher{Cost: bcrypt.MinCost}.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	k := TestKeyed()
	if ok, stale, err := k.Verify(legacy, "2580"); !ok || !stale || err != nil {
		t.Errorf("bcrypt hash = %v, %v, %v; want ok and stale", ok, stale, err)
	}
	if ok, stale, _ := k.Verify(legacy, "1357"); ok || stale {
		t.Error("bcrypt hash accepted a wrong PIN")
	}
}

func TestKeyedNoKey(t *testing.T) {
	var k Keyed
	if _, err := k.Hash("2580"); !errors.Is(err, ErrNoKey) {
		t.Errorf("Hash without a key: %v", err)
	}
	if _, _, err := k.Verify("hmac1$a$b$c", "2580"); !errors.Is(err, ErrNoKey) {
		t.Errorf("Verify without a key: %v", err)
	}
	for _, v := range []string{"PERMITLINE_PIN_KEY", "PERMITLINE_PIN_KEY_FILE"} {
		if !strings.Contains(ErrNoKey.Error(), v) {
			t.Errorf("ErrNoKey does not name %s", v)
		}
	}
	if k.Tag("x", []byte("2580")) != nil {
		t.Error("Tag without a key")
	}
}

func TestParseKey(t *testing.T) {
	if _, err := ParseKey(" " + TestKey + "\n"); err != nil {
		t.Errorf("ParseKey: %v", err)
	}
	for _, bad := range []string{"", "abc", TestKey[:62], TestKey + "00", strings.Repeat("zz", 32)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("ParseKey error quotes the key: %v", err)
		}
	}
	if MustKey(TestKey).ID != MustKey(TestKey).ID || len(MustKey(TestKey).ID) != 8 {
		t.Error("key id not 8 hex digits")
	}
}

func TestTagKeyedAndLabelled(t *testing.T) {
	k := TestKeyed()
	other, _, _ := NewRandomKey()
	a, b, c := k.Tag("step", []byte("2580")), k.Tag("other", []byte("2580")), NewKeyed(other).Tag("step", []byte("2580"))
	if string(a) == string(b) || string(a) == string(c) {
		t.Error("tags do not depend on label and key")
	}
}
