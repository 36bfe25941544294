#!/usr/bin/env python3
"""Run a command under a pseudo-terminal, as a person at a terminal would.

  pty_run.py OUT WAIT_FOR KEYS -- COMMAND ARGS...

Starts COMMAND on a new 100x40 pty, reads what it writes until the text
WAIT_FOR has appeared (or 20 s pass), sends KEYS (e.g. "q"; "" for none,
"^C" for an interrupt), then waits up to 10 s for it to exit. Everything
the command wrote goes to the file OUT. Prints "exit N" (or "signal N",
or "timeout") on stdout. For tests/capture.sh.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main():
    out, wait_for, keys = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ.pop("NO_COLOR", None)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    got = b""

    def pump(until):
        nonlocal got
        while time.time() < until:
            r, _, _ = select.select([fd], [], [], 0.1)
            if fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                got += data
            yield

    deadline = time.time() + 20
    for _ in pump(deadline):
        if wait_for in got:
            break
    if keys == "^C":
        os.kill(pid, signal.SIGINT)
    elif keys:
        os.write(fd, keys.encode())
    status = None
    end = time.time() + 10
    while time.time() < end:
        for _ in pump(time.time() + 0.2):
            pass
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = st
            break
    for _ in pump(time.time() + 0.3):
        pass
    with open(out, "wb") as f:
        f.write(got)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print("timeout")
    elif os.WIFEXITED(status):
        print("exit %d" % os.WEXITSTATUS(status))
    else:
        print("signal %d" % os.WTERMSIG(status))


if __name__ == "__main__":
    main()
