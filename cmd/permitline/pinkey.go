package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"permitline/domain/pin"
)

// The PIN key's settings. The key hashes phone PINs (HMAC-SHA256); it is kept outside
// the database, so a copy of the database alone does not give the PINs away.
const (
	envPINKey     = "PERMITLINE_PIN_KEY"      // 64 hex characters
	envPINKeyFile = "PERMITLINE_PIN_KEY_FILE" // a file holding them
	envPINKeyOld  = "PERMITLINE_PIN_KEY_OLD"  // keys being rotated out, comma or space separated
)

// pinKeys reads the PIN key every command that sets or checks a PIN uses. With none set,
// demo makes one in a file beside its database (and reuses it on the next run), and
// every other command gets a hasher without a key, which refuses any PIN with the
// variables' names (pin.ErrNoKey). A malformed key is refused at once.
func (e *env) pinKeys() (pin.Keyed, error) {
	var k pin.Keyed
	value, file := os.Getenv(envPINKey), os.Getenv(envPINKeyFile)
	switch {
	case value != "" && file != "":
		return k, fmt.Errorf("set %s or %s, not both", envPINKey, envPINKeyFile)
	case value != "":
		cur, err := pin.ParseKey(value)
		if err != nil {
			return k, fmt.Errorf("%s: %w", envPINKey, err)
		}
		k.Current = cur
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return k, fmt.Errorf("%s: %w", envPINKeyFile, err)
		}
		cur, err := pin.ParseKey(string(b))
		if err != nil {
			return k, fmt.Errorf("%s %s: %w", envPINKeyFile, file, err)
		}
		k.Current = cur
	case e.command == "demo":
		cur, err := e.demoPINKey()
		if err != nil {
			return k, err
		}
		k.Current = cur
	}
	for _, v := range strings.FieldsFunc(os.Getenv(envPINKeyOld), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t'
	}) {
		old, err := pin.ParseKey(v)
		if err != nil {
			return k, fmt.Errorf("%s: %w", envPINKeyOld, err)
		}
		k.Old = append(k.Old, old)
	}
	if len(k.Old) > 0 && !k.HasKey() {
		return k, fmt.Errorf("%s is set without a current key: %w", envPINKeyOld, pin.ErrNoKey)
	}
	return k, nil
}

// demoPINKeyPath is where demo keeps the PIN key of a database.
func demoPINKeyPath(db string) string { return db + ".pin-key" }

// demoPINKey reads the demo database's PIN key, or makes one (readable by its owner
// only) the first time, and notes where it is, for demo to say.
func (e *env) demoPINKey() (pin.Key, error) {
	path := demoPINKeyPath(e.dbPath)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := pin.ParseKey(string(b))
		if err != nil {
			return pin.Key{}, fmt.Errorf("the demo's PIN key %s: %w (delete it with the database to start again)", path, err)
		}
		e.pinKeyNote = fmt.Sprintf("The PIN key is in %s (%s=%s uses these accounts outside the demo).", path, envPINKeyFile, path)
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return pin.Key{}, fmt.Errorf("the demo's PIN key: %w", err)
	}
	k, text, err := pin.NewRandomKey()
	if err != nil {
		return pin.Key{}, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return pin.Key{}, fmt.Errorf("saving the demo's PIN key: %w", err)
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return pin.Key{}, fmt.Errorf("saving the demo's PIN key: %w", err)
	}
	if err := f.Close(); err != nil {
		return pin.Key{}, fmt.Errorf("saving the demo's PIN key: %w", err)
	}
	e.pinKeyNote = fmt.Sprintf("A PIN key was made in %s (%s=%s uses these accounts outside the demo).", path, envPINKeyFile, path)
	return k, nil
}
