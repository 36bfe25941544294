// Command cgo shows goroutines inside C code.
//
//	-mode block     a goroutine blocked in a C call (state "syscall", _Cfunc_
//	                frames), a goroutine blocked in Go called back from C
//	                (_cgoexp_ frames), then runtime.Stack(all) on stderr
//	-mode sigquit   the goroutines of -mode block plus a cgo traceback
//	                function; prints READY and waits for SIGQUIT (run under
//	                GOTRACEBACK=system: runtime.cgocallback/_cgoexp_ frames)
//	-mode crash     SIGSEGV inside C with a cgo traceback function registered
//	                (runtime.SetCgoTraceback) but no symbolizer: the crash
//	                prints "non-Go function at pc=0x..." lines
//	-mode crashsym  the same with a symbolizer: C function names and
//	                "\tfile:line pc=0x..." lines
package main

/*
#cgo CFLAGS: -D_GNU_SOURCE -O0 -fno-omit-frame-pointer -g
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

extern void goBlocked(void);

enum { c_wait_forever_line = __LINE__ + 1 };
static void c_wait_forever(void) {
	for (;;) usleep(100000);
}

static void c_call_go(void) {
	goBlocked();
}

static volatile int *c_null = 0;

enum { c_crash_leaf_line = __LINE__ + 1 };
static int __attribute__((noinline)) c_crash_leaf(int n) {
	*c_null = n; // SIGSEGV
	return n;
}

enum { c_crash_deep_line = __LINE__ + 1 };
static int __attribute__((noinline)) c_crash_deep(int n) {
	if (n == 0) return c_crash_leaf(42);
	return c_crash_deep(n - 1) + 1;
}

struct tbArg {
	uintptr_t Context;
	uintptr_t SigContext;
	uintptr_t *Buf;
	uintptr_t Max;
};

// Frame-pointer unwinder from the signal context (C code above is built with
// frame pointers).
static void c_traceback(void *p) {
	struct tbArg *a = p;
	uintptr_t n = 0;
	if (a->SigContext != 0) {
		ucontext_t *uc = (ucontext_t *)a->SigContext;
		uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
		uintptr_t fp = uc->uc_mcontext.gregs[REG_RBP];
		if (n < a->Max) a->Buf[n++] = pc;
		while (n < a->Max && fp != 0 && (fp & 7) == 0) {
			uintptr_t next = ((uintptr_t *)fp)[0];
			uintptr_t ret = ((uintptr_t *)fp)[1];
			if (ret == 0) break;
			a->Buf[n++] = ret;
			if (next <= fp || next - fp > (1 << 20)) break;
			fp = next;
		}
	}
	if (n < a->Max) a->Buf[n] = 0;
}

struct symArg {
	uintptr_t PC;
	const char *File;
	uintptr_t Lineno;
	const char *Func;
	uintptr_t Entry;
	uintptr_t More;
	uintptr_t Data;
};

struct csym { const char *name; uintptr_t entry; int line; };

static void c_symbolizer(void *p) {
	struct symArg *a = p;
	struct csym tab[] = {
		{"c_crash_leaf", (uintptr_t)c_crash_leaf, c_crash_leaf_line},
		{"c_crash_deep", (uintptr_t)c_crash_deep, c_crash_deep_line},
		{"c_wait_forever", (uintptr_t)c_wait_forever, c_wait_forever_line},
	};
	a->File = 0; a->Lineno = 0; a->Func = 0; a->Entry = 0; a->More = 0;
	if (a->PC == 0) return;
	const struct csym *best = 0;
	for (unsigned i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (tab[i].entry <= a->PC && a->PC - tab[i].entry < 256 && (!best || tab[i].entry > best->entry))
			best = &tab[i];
	if (best) {
		a->Func = best->name;
		a->Entry = best->entry;
		a->File = __FILE__; // the preamble carries #line directives for main.go
		a->Lineno = best->line;
		return;
	}
	Dl_info info;
	if (dladdr((void *)a->PC, &info) && info.dli_sname) {
		a->Func = info.dli_sname;
		a->Entry = (uintptr_t)info.dli_saddr;
	}
}

static void *tracebackFn(void) { return (void *)c_traceback; }
static void *symbolizerFn(void) { return (void *)c_symbolizer; }
*/
import "C"

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

//export goBlocked
func goBlocked() { <-block }

func inC()      { C.c_wait_forever() }
func callback() { C.c_call_go() }
func crashInC() { C.c_crash_deep(3) }
func waitInGo() { <-block }

func main() {
	mode := flag.String("mode", "block", "block|sigquit|crash|crashsym")
	flag.Parse()
	switch *mode {
	case "block":
		go inC()
		go callback()
		go waitInGo()
		quiet.Wait(4, "syscall")
		quiet.Dump()
	case "sigquit":
		runtime.SetCgoTraceback(0, C.tracebackFn(), nil, nil)
		go inC()
		go callback()
		go waitInGo()
		quiet.Wait(4, "syscall")
		fmt.Println("READY")
		time.Sleep(time.Minute) // the parent sends SIGQUIT meanwhile
		os.Exit(1)
	case "crash", "crashsym":
		var sym unsafe.Pointer
		if *mode == "crashsym" {
			sym = C.symbolizerFn()
		}
		runtime.SetCgoTraceback(0, C.tracebackFn(), nil, sym)
		go waitInGo()
		quiet.Wait(2)
		done := make(chan struct{})
		go func() {
			time.Sleep(100 * time.Millisecond) // let main park first
			crashInC()
			close(done)
		}()
		<-done
		fmt.Println("not reached")
		os.Exit(1)
	}
}
