//go:build go1.25

package main

import (
	"os"
	"runtime/trace"
	"time"
)

// startFlight starts a flight recorder; the returned stop writes what it
// holds to f. A trace started and stopped before it makes the recorder's
// generations start above 1, as in a long-running service.
func startFlight(f *os.File) (func() error, error) {
	if err := trace.Start(discard{}); err != nil {
		return nil, err
	}
	time.Sleep(20 * time.Millisecond)
	trace.Stop()
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: time.Minute, MaxBytes: 64 << 20})
	if err := fr.Start(); err != nil {
		return nil, err
	}
	return func() error {
		_, err := fr.WriteTo(f)
		fr.Stop()
		return err
	}, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
