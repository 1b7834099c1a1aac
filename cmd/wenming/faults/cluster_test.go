//go:build faults || soak

package faults

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// node is one process of the cluster, restartable on the same addresses.
type node struct {
	name    string
	args    []string
	metrics string // its /metrics address
	proc    *apptest.Proc
}

// cluster is Wenming in the split shape: every service in two processes, and two
// gateways that spread their calls over both (the README's comma-separated --upstream).
type cluster struct {
	bin      string
	env      []string
	services []*node
	gateways []*node
	// bases are the gateways' URLs, which the load spreads over.
	bases []string
}

// replicas is how many processes run each service, and how many gateways there are.
const replicas = 2

// startCluster migrates the database, bootstraps the platform admin and starts the
// processes with env (the database, Redis, blob store and data directory).
func startCluster(t testing.TB, bin string, env []string) *cluster {
	t.Helper()
	c := &cluster{bin: bin, env: append(append([]string{}, os.Environ()...), env...)}
	c.env = append(c.env, "WENMING_REDIS_PREFIX=wenming-faults:"+uuid.NewString()+":")
	run := func(stdin string, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = c.env
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wenming %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("", "migrate")
	run(apptest.AdminPassword+"\n", "admin", "bootstrap", "--login", "admin", "--password-stdin")
	upstreams := map[string][]string{}
	for _, s := range app.Services() {
		for r := range replicas {
			addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
			n := &node{name: fmt.Sprintf("%s-%d", s, r), metrics: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
			n.args = []string{s, "--grpc-addr", addr, "--no-migrate", "--metrics-addr", n.metrics}
			upstreams[s] = append(upstreams[s], addr)
			c.services = append(c.services, n)
		}
	}
	for r := range replicas {
		n := &node{name: fmt.Sprintf("gateway-%d", r), metrics: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		n.args = []string{"gateway", "--http-addr", addr, "--metrics-addr", n.metrics}
		for _, s := range app.Services() {
			n.args = append(n.args, "--upstream", s+"="+strings.Join(upstreams[s], ","))
		}
		c.gateways = append(c.gateways, n)
		c.bases = append(c.bases, "http://"+addr)
	}
	for _, n := range c.all() {
		c.start(t, n)
	}
	return c
}

func (c *cluster) all() []*node { return append(append([]*node{}, c.services...), c.gateways...) }

// start starts n (again) on its addresses.
func (c *cluster) start(t testing.TB, n *node) {
	t.Helper()
	n.proc = apptest.StartProc(t, c.bin, c.env, n.name, n.args...)
}

// stop stops n with sig and waits for it to exit.
func (c *cluster) stop(n *node, sig syscall.Signal) error { return n.proc.Kill(sig) }

// service returns the r-th process of service s.
func (c *cluster) service(s string, r int) *node {
	for _, n := range c.services {
		if n.name == fmt.Sprintf("%s-%d", s, r) {
			return n
		}
	}
	return nil
}
