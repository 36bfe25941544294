//go:build !go1.25

package main

import (
	"errors"
	"os"
)

func startFlight(*os.File) (func() error, error) {
	return nil, errors.New("-flight needs Go 1.25 or later")
}
