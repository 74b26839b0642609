package main

import (
	"context"
	"fmt"

	"permitline/flows"
)

func runFlowsDraw(_ context.Context, e *env, args []string) error {
	if _, err := parse(e.flags("flows draw"), args, 0); err != nil {
		return err
	}
	_, err := fmt.Fprint(e.stdout, flows.Drawings())
	return err
}
