package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ---------------------------------------------------------------------------
// -score: goroscope's leak verdicts against a run's expected.tsv.

// A row of expected.tsv, as the scorer reads it.
type tsvRow struct {
	name, kind, marker, state string
	leak                      bool
}

func readTSV(path string) ([]tsvRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []tsvRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 7 {
			return nil, fmt.Errorf("%s: short line %q", path, l)
		}
		rows = append(rows, tsvRow{name: f[0], kind: f[1], marker: f[2], state: f[4], leak: f[len(f)-1] == "yes"})
	}
	return rows, sc.Err()
}

// What goroscope's trend -f json says of a group (the fields used here).
type jgroup struct {
	State    string `json:"state"`
	Inferred bool   `json:"state_inferred"`
	Counts   []int  `json:"counts"`
	Suspect  bool   `json:"suspect"`
	Verdict  string `json:"verdict"`
	Blocking *struct {
		Func string `json:"func"`
	} `json:"blocking"`
	Stack []struct {
		Func string `json:"func"`
	} `json:"stack"`
}

type jtrend struct {
	Suspects int      `json:"suspects"`
	Groups   []jgroup `json:"groups"`
}

func (g *jgroup) funcs() []string {
	var fs []string
	for _, f := range g.Stack {
		fs = append(fs, f.Func)
	}
	return fs
}

// rowOf returns the expected row of a group: the first row whose marker is
// in its stack and, when goroscope read the state from the capture (not
// inferred), whose state agrees ("*" agrees with any).
func rowOf(rows []tsvRow, g *jgroup) *tsvRow {
	fs := g.funcs()
	var first *tsvRow
	for i := range rows {
		r := &rows[i]
		if !contains(fs, r.marker) {
			continue
		}
		if first == nil {
			first = r
		}
		if g.Inferred || r.state == "*" || r.state == g.State {
			return r
		}
	}
	return first
}

// A false suspect, described for the tables.
type falseSuspect struct {
	row, blocking, state string
	counts               []int
}

func (f falseSuspect) String() string {
	var c []string
	for _, n := range f.counts {
		c = append(c, fmt.Sprint(n))
	}
	return fmt.Sprintf("%s (%s, %s) %s", f.row, f.blocking, f.state, strings.Join(c, " "))
}

type formatScore struct {
	missed []string
	false_ []falseSuspect
	err    string
}

var scoreFormats = []struct{ name, glob string }{
	{"pb.gz", "[0-9][0-9].pb.gz"},
	{"debug1", "[0-9][0-9].debug1.txt"},
	{"debug2", "[0-9][0-9].debug2.txt"},
	{"trace", "run.trace"},
}

func scoreOne(goroscope string, rows []tsvRow, files []string) formatScore {
	var fs formatScore
	args := append([]string{"trend", "-f", "json", "--no-progress"}, files...)
	cmd := exec.Command(goroscope, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		fs.err = fmt.Sprintf("%v: %s", err, strings.TrimSpace(stderr.String()))
		return fs
	}
	var t jtrend
	if err := json.Unmarshal(out, &t); err != nil {
		fs.err = err.Error()
		return fs
	}
	found := map[string]bool{}
	for i := range t.Groups {
		g := &t.Groups[i]
		if !g.Suspect {
			continue
		}
		r := rowOf(rows, g)
		if r != nil && r.leak {
			found[r.name] = true
			continue
		}
		f := falseSuspect{row: "?", state: g.State, counts: g.Counts}
		if r != nil {
			f.row = r.name
		} else {
			// a population never seen in the debug=2 captures: name it
			// from the generator's own table
			fake := &row{}
			for _, t := range table(false, 0) {
				*fake = *t
				if fake.has(g.funcs()) {
					f.row = t.name + "*"
					break
				}
			}
		}
		if g.Blocking != nil {
			f.blocking = g.Blocking.Func
		}
		fs.false_ = append(fs.false_, f)
	}
	for _, r := range rows {
		if r.leak && !found[r.name] {
			fs.missed = append(fs.missed, r.name)
		}
	}
	return fs
}

func runScore(goroscope string, dirs []string) {
	if len(dirs) == 0 {
		fatal(fmt.Errorf("-score: no run directories"))
	}
	type agg struct {
		runs, leakRuns, missed, missRuns, false_, falseRuns int
		examples                                            []string
	}
	// per format, per category (leak/noleak x idle/stress)
	cats := []string{"leak-idle", "leak-stress", "noleak-idle", "noleak-stress"}
	tot := map[string]map[string]*agg{}
	for _, f := range scoreFormats {
		tot[f.name] = map[string]*agg{}
		for _, c := range cats {
			tot[f.name][c] = &agg{}
		}
	}
	sort.Strings(dirs)
	fmt.Printf("| run | format | missed | false suspects |\n|---|---|---|---|\n")
	for _, d := range dirs {
		rows, err := readTSV(filepath.Join(d, "expected.tsv"))
		if err != nil {
			fatal(err)
		}
		md, _ := os.ReadFile(filepath.Join(d, "EXPECTED.md"))
		cat := "noleak"
		for _, r := range rows {
			if r.leak {
				cat = "leak"
			}
		}
		if bytes.Contains(md, []byte(" -stress`")) {
			cat += "-stress"
		} else {
			cat += "-idle"
		}
		for _, f := range scoreFormats {
			files, _ := filepath.Glob(filepath.Join(d, f.glob))
			if len(files) == 0 {
				continue
			}
			sort.Strings(files)
			s := scoreOne(goroscope, rows, files)
			a := tot[f.name][cat]
			a.runs++
			if s.err != "" {
				fmt.Printf("| %s | %s | error: %s | |\n", filepath.Base(d), f.name, s.err)
				continue
			}
			a.missed += len(s.missed)
			if len(s.missed) > 0 {
				a.missRuns++
			}
			a.false_ += len(s.false_)
			if len(s.false_) > 0 {
				a.falseRuns++
			}
			var fsx []string
			for _, x := range s.false_ {
				fsx = append(fsx, x.String())
				a.examples = append(a.examples, filepath.Base(d)+": "+x.String())
			}
			miss := strings.Join(s.missed, ", ")
			if miss == "" {
				miss = "-"
			}
			fals := strings.Join(fsx, "; ")
			if fals == "" {
				fals = "-"
			}
			fmt.Printf("| %s | %s | %s | %s |\n", filepath.Base(d), f.name, miss, fals)
		}
	}
	fmt.Printf("\n| format | runs | leak runs with a miss | leaks missed | runs with a false suspect | false suspects |\n|---|---|---|---|---|---|\n")
	for _, f := range scoreFormats {
		for _, c := range cats {
			a := tot[f.name][c]
			if a.runs == 0 {
				continue
			}
			miss := "-"
			if strings.HasPrefix(c, "leak") {
				miss = fmt.Sprintf("%d of %d", a.missRuns, a.runs)
			}
			fmt.Printf("| %s %s | %d | %s | %d | %d of %d | %d |\n", f.name, c, a.runs, miss, a.missed, a.falseRuns, a.runs, a.false_)
		}
	}
	fmt.Printf("\nFalse suspects:\n\n")
	for _, f := range scoreFormats {
		for _, c := range cats {
			for _, e := range tot[f.name][c].examples {
				fmt.Printf("- %s: %s\n", f.name, e)
			}
		}
	}
}
