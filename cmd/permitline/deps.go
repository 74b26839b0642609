//go:build tools

package main

// The design card's libraries for the channels, pinned in go.mod before the channels
// import them.
import (
	_ "github.com/go-chi/chi/v5"
	_ "github.com/looplab/fsm"
	_ "github.com/twilio/twilio-go"
)
