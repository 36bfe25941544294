// Command keepalive captures a real net/http service under keep-alive load,
// with and without planted goroutine leaks, optionally while another process
// saturates the CPU, so that a leak verdict can be measured against known
// answers. Nothing in the service is made quiescent: the captures are those
// of a live, loaded process.
//
// Modes (-role):
//
//	keepalive -out DIR [-leak] [-stress [-hog 4]] [-moments 8] [-gap 300ms] [-conns 8]
//	    the parent (the default). Starts three child processes of its own
//	    binary: the server (-role server -child, on 127.0.0.1:0), the load
//	    client (-role client -child: -conns keep-alive workers and a
//	    scheduler) and, with -stress, a CPU hog (-role burn -child: -hog
//	    busy threads per CPU, each a goroutine in a busy loop, with
//	    GOMAXPROCS raised to as many). After a warm-up it starts one execution
//	    trace over the whole capture window (GET /debug/pprof/trace?seconds=S,
//	    -> DIR/run.trace) and, meanwhile, at -moments moments -gap apart,
//	    fetches GET /debug/pprof/goroutine, ?debug=1 and ?debug=2 back to back
//	    (-> DIR/NN.pb.gz, DIR/NN.debug1.txt, DIR/NN.debug2.txt). Then it stops
//	    the children (they exit when their stdin closes), counts every group
//	    in the debug=2 captures and writes DIR/expected.tsv and
//	    DIR/EXPECTED.md.
//
//	keepalive -role server [-addr 127.0.0.1:6060] [-leak]
//	keepalive -role client [-addr 127.0.0.1:6060] [-conns 8]
//	    the service and its load, for a person to look at (two shells):
//
//	        cd testdata/gen && go run ./keepalive -role server -leak
//	        cd testdata/gen && go run ./keepalive -role client
//
//	keepalive -score -goroscope BIN RUNDIR...
//	    runs `BIN trend -f json` on each run's .pb.gz, .debug1.txt and
//	    .debug2.txt series and on its run.trace, compares the leak suspects
//	    with expected.tsv and prints the misses and false suspects per run and
//	    format, and a summary table (see testdata/captures/keepalive/ACCURACY.md).
//
// The service (server.go): the accept loop; the client's keep-alive
// connections (idle in net/http's (*conn).serve, bufio.(*Reader).Peek, IO
// wait, between requests); 4 pool workers; a ticker loop; an internal
// upstream banner service; handlers that take a short mutex, make a channel
// round trip to the pool, sleep 1-3 ms, fan out to 2-3 goroutines that
// finish, stream 3 chunks over 12-24 ms, or long-poll for 100-300 ms (the
// workers: items 45%, search 20%, export 15%, watch 10%, healthz 10%, 80-240
// ms apart). With -leak, five planted leaks, each in a function of its own:
//
//	main.lateQuoteSender     chan send            1 per GET /api/quote (2.5/s)
//	main.watchSubscription   select               2 per GET /api/subscribe (1.25/s)
//	main.flushReport         sync.Mutex.Lock      1 per POST /api/report (2.5/s)
//	main.awaitBatch          sync.WaitGroup.Wait  1 per POST /api/batch (2.5/s)
//	main.readUpstreamBanner  IO wait              1 per tick of main.(*server).tickerLoop (4/s)
//
// Without -leak the same endpoints and ticks run the same goroutines, which
// all end.
//
// Everything on the network is a 127.0.0.1 listener the program opened.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	role := flag.String("role", "parent", "parent, server, client or burn")
	child := flag.Bool("child", false, "server, client, burn: started by the parent (print one line, exit when stdin closes)")
	addr := flag.String("addr", "127.0.0.1:6060", "server, client: loopback address (server: port 0 = any free port)")
	leak := flag.Bool("leak", false, "parent, server: plant the five leaks")
	conns := flag.Int("conns", 8, "parent, client: keep-alive load workers (one connection each)")
	out := flag.String("out", "", "parent: run directory to write")
	stress := flag.Bool("stress", false, "parent: run a CPU hog on all cores during the captures")
	hog := flag.Int("hog", 4, "parent: -stress: busy threads per CPU (burn: -threads = hog x NumCPU)")
	threads := flag.Int("threads", 0, "burn: busy threads (0: NumCPU)")
	moments := flag.Int("moments", 8, "parent: capture moments")
	gap := flag.Duration("gap", 300*time.Millisecond, "parent: time between moments")
	warm := flag.Duration("warm", 400*time.Millisecond, "parent: load before the trace starts")
	score := flag.Bool("score", false, "score goroscope's verdicts on run directories (the arguments)")
	goroscope := flag.String("goroscope", "./goroscope", "score: the goroscope binary")
	flag.Parse()
	if *score {
		runScore(*goroscope, flag.Args())
		return
	}
	switch *role {
	case "server":
		runServer(*addr, *leak, *child)
	case "client":
		runClient(*addr, *conns, *child)
	case "burn":
		runBurn(*threads, *child)
	case "parent":
		if *out == "" {
			fatal(errors.New("-out is required"))
		}
		if *moments < 2 || *moments > 100 {
			fatal(errors.New("-moments: 2..100"))
		}
		if !*stress {
			*hog = 0
		}
		runParent(*out, *leak, *hog, *moments, *gap, *warm, *conns)
	default:
		fatal(fmt.Errorf("-role %q: parent, server, client or burn", *role))
	}
}

var fatalHook func() // the parent kills its children before exiting

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "keepalive:", err)
	if fatalHook != nil {
		fatalHook()
	}
	os.Exit(1)
}
