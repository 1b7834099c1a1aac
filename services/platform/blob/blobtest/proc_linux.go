package blobtest

import "syscall"

// killWithParent makes the kernel kill the server when the test process dies, so that a
// test binary killed by a timeout leaves no server behind.
func killWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
