//go:build !linux

package blobtest

import "syscall"

// killWithParent has no portable equivalent outside Linux: there the server is killed only
// by t.Cleanup.
func killWithParent() *syscall.SysProcAttr { return nil }
